"""The ANEW community of practice for the demo: the community with its members and a named
moderator, four past quarterly sessions with notes, key learning and attendance, a dozen
resources (FAQ entries about the programme, a practice profile, reflections and more), two
discussion threads, and the glossary (already there on a migrated database; added here when
it is not)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from domain.community.glossary_seed import seed_rows
from domain.community.markdown import render
from domain.community.models import (
    Community,
    CommunityMember,
    Event,
    EventAttendance,
    GlossaryTerm,
    Post,
    Resource,
    ResourceRevision,
    Thread,
)
from domain.community.repository import insert_glossary_terms
from domain.community.schemas import ResourceRead
from domain.shared.uow import UnitOfWork
from domain.tenancy.models import Organisation, Programme

LONDON = ZoneInfo("Europe/London")
MODERATOR = "person:anew-programme-manager"

# (kind, title, summary, body, visibility, audiences, tags, stage)
RESOURCES: list[tuple[str, str, str, str, str, list[str], list[str], str | None]] = [
    (
        "faq",
        "What is ANEW?",
        "Addressing Neglect and Enhancing Wellbeing, 2017-2023.",
        "ANEW was a programme run with **Dundee**, **Inverclyde** and **Perth & Kinross** to "
        "improve how services notice and respond to neglect, using Active Implementation.",
        "public",
        ["practitioners", "leaders", "families"],
        ["anew", "neglect"],
        None,
    ),
    (
        "faq",
        "Which areas took part?",
        "Three local areas, with the national programme team.",
        "Dundee, Inverclyde and Perth & Kinross, each with a multi-agency implementation "
        "team drawn from social work, education, health and the third sector.",
        "public",
        ["practitioners", "leaders"],
        ["anew"],
        None,
    ),
    (
        "faq",
        "What does an implementation team do?",
        "It moves the work through the stages; it is not a committee.",
        "The team meets often, uses data to decide, removes barriers and reports what it "
        "cannot fix to leaders. See the glossary entry *implementation team*.",
        "public",
        ["leaders", "practitioners"],
        ["implementation-team"],
        "installation",
    ),
    (
        "faq",
        "How long does the programme support an area?",
        "Usually two to four years, through all four stages.",
        "Support is most intense in **exploration** and **installation**, then shifts to "
        "coaching and data review once the practice is in use.",
        "public",
        ["leaders"],
        ["anew", "stages"],
        "exploration",
    ),
    (
        "faq",
        "Can families see what is written here?",
        "Public pages, yes; programme pages are for partner staff.",
        "Nothing in the hub identifies a child. Public resources are open to anyone; the "
        "rest is shared only among the programme's partner organisations.",
        "public",
        ["families"],
        ["privacy"],
        None,
    ),
    (
        "practice_profile",
        "Team Around the Child meetings: practice profile",
        "Expected, developmental and unacceptable practice for each core component.",
        "| Core component | Expected | Developmental | Unacceptable |\n"
        "|---|---|---|---|\n"
        "| Timeliness | Meeting within ten school days | Within twenty | No meeting booked |\n"
        "| Family voice | Family helps set the agenda | Family invited | Family not told |\n"
        "| Shared plan | One plan, named lead | Plan agreed, no lead | No written plan |\n",
        "programme",
        ["practitioners"],
        ["tac", "practice-profile"],
        "initial_implementation",
    ),
    (
        "reflection",
        "Reflection: a standing slot changed everything",
        "A named person on booking TAC meetings in a fixed weekly slot.",
        "Before the slot we spent days finding a date. Now the health visitor keeps Thursday "
        "afternoons free and the meeting happens within the fortnight.",
        "programme",
        ["practitioners"],
        ["tac", "reflection"],
        "initial_implementation",
    ),
    (
        "reflection",
        "Reflection: first contact before the birth",
        "A health visitor on meeting first-time parents before the baby arrives.",
        "The midwife's referral at 28 weeks gave us time to build trust. Parents told us they "
        "felt less judged when we met before any concern was raised.",
        "programme",
        ["practitioners"],
        ["pre-birth", "reflection"],
        "initial_implementation",
    ),
    (
        "reflection",
        "Reflection: inviting families by text",
        "What changed when invitations to family learning came by text message.",
        "Attendance nearly doubled in the first month. Families said a text felt friendlier "
        "than a letter from the council.",
        "public",
        ["practitioners", "families"],
        ["family-learning", "reflection"],
        "initial_implementation",
    ),
    (
        "webinar",
        "Webinar: implementation teams in practice",
        "Recording of the national webinar, with slides.",
        "Three team leads describe their first year: who was on the team, how often it met, "
        "and what it stopped doing.",
        "public",
        ["leaders"],
        ["implementation-team", "webinar"],
        "installation",
    ),
    (
        "case_study",
        "Case study: Inverclyde family learning sessions",
        "From fortnightly sessions to a tested change idea.",
        "How a nursery and the family support team used three improvement cycles to raise "
        "attendance, with the run chart that showed the shift.",
        "programme",
        ["practitioners", "data_officers"],
        ["family-learning", "improvement-cycles"],
        "initial_implementation",
    ),
    (
        "tool",
        "Hexagon tool discussion guide",
        "Questions for each of the six areas, for exploration meetings.",
        "Work through **need**, **fit**, **resources**, **evidence**, **readiness** and "
        "**capacity**; score each 1-5 and record why.",
        "programme",
        ["leaders"],
        ["hexagon", "exploration"],
        "exploration",
    ),
    (
        "briefing_paper",
        "Briefing: what the first year taught us (draft)",
        "For the programme board; not yet published.",
        "A draft summary of learning across the three areas.",
        "programme",
        ["leaders"],
        ["anew"],
        None,
    ),
]

# (title, quarter start, agenda, notes, key learning, attendance by organisation key)
SESSIONS: list[tuple[str, date, str, str, str, dict[str, int]]] = [
    (
        "Community of practice: starting with exploration",
        date(2018, 3, 6),
        "1. Welcome\n2. The hexagon tool in practice\n3. Each area's need",
        "Each area shared its exploration findings.",
        "Agree the need in the family's words before choosing a practice.",
        {"national": 3, "dundee": 9, "tayside": 4, "inverclyde": 8, "perth": 6},
    ),
    (
        "Community of practice: building implementation teams",
        date(2018, 9, 4),
        "1. Who is on your team?\n2. Terms of reference\n3. Data you will use",
        "Teams compared membership and meeting rhythm.",
        "Teams that met fortnightly moved faster than monthly ones.",
        {"national": 2, "dundee": 11, "tayside": 5, "inverclyde": 7, "perth": 8},
    ),
    (
        "Community of practice: testing changes with PDSA",
        date(2019, 3, 5),
        "1. A ramp of cycles\n2. Predictions that can be wrong\n3. Run charts",
        "Dundee presented the standing TAC slot ramp.",
        "Small tests with a prediction teach more than big pilots.",
        {"national": 3, "dundee": 12, "tayside": 6, "inverclyde": 9, "perth": 7},
    ),
    (
        "Community of practice: fidelity and coaching",
        date(2019, 9, 3),
        "1. Practice profiles\n2. Observing practice kindly\n3. Coaching plans",
        "Practitioners tried the TAC practice profile on recorded meetings.",
        "Fidelity checks feel safe when they are about the system, not the person.",
        {"national": 4, "dundee": 10, "tayside": 6, "inverclyde": 11, "perth": 9},
    ),
]


async def seed_community(
    uow: UnitOfWork,
    *,
    author: str,
    programme: Programme,
    organisations: dict[str, Organisation],
    cycle_id: UUID | None = None,
) -> Community:
    """Adds the ANEW community; `organisations` holds national, dundee, tayside, inverclyde
    and perth; `cycle_id` is Dundee's TAC cycle, which a reflection and a thread discuss.
    Flushes, does not commit (the demo commits once)."""
    session = uow.session
    await insert_glossary_terms(session, seed_rows())
    national = organisations["national"]
    community = Community(
        organisation_id=national.id,
        programme_id=programme.id,
        visibility="programme",
        name="ANEW community of practice",
        description="Quarterly sessions, a shared library and peer discussion for the three "
        "ANEW areas.",
        description_html=render(
            "Quarterly sessions, a shared library and peer discussion for the three ANEW areas."
        ),
        created_by=author,
    )
    session.add(community)
    await session.flush()
    session.add(
        CommunityMember(
            community_id=community.id,
            kind="person",
            ref=MODERATOR,
            display_name="ANEW programme manager",
            role="moderator",
            added_by=author,
        )
    )
    for org in organisations.values():
        session.add(
            CommunityMember(
                community_id=community.id,
                kind="organisation",
                ref=str(org.id),
                display_name=org.name,
                added_by=author,
            )
        )

    for title, day, agenda, notes, learning, attendance in SESSIONS:
        starts = datetime.combine(day, time(10), tzinfo=LONDON)
        event = Event(
            community_id=community.id,
            organisation_id=national.id,
            programme_id=programme.id,
            visibility="programme",
            status="published",
            published_at=starts - timedelta(days=30),
            title=title,
            summary="Quarterly session for the three ANEW areas.",
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            timezone="Europe/London",
            format="hybrid",
            location="Perth Concert Hall and online",
            agenda=agenda,
            agenda_html=render(agenda),
            facilitators=["CELCIS implementation lead", "ANEW programme manager"],
            recording_url=None,
            notes=notes,
            notes_html=render(notes),
            key_learning=learning,
            key_learning_html=render(learning),
            created_by=author,
        )
        session.add(event)
        await session.flush()
        for key, attendees in attendance.items():
            session.add(
                EventAttendance(
                    event_id=event.id,
                    organisation_id=organisations[key].id,
                    attendees=attendees,
                )
            )

    made: list[Resource] = []
    published = datetime(2019, 1, 15, 9, tzinfo=UTC)
    for index, (kind, title, summary, body, visibility, audiences, tags, stage) in enumerate(
        RESOURCES
    ):
        draft = title.endswith("(draft)")
        links: list[dict[str, Any]] = []
        if kind == "webinar":
            links = [{"title": "Recording", "url": "https://www.celcis.org/"}]
        resource = Resource(
            organisation_id=national.id,
            programme_id=programme.id,
            community_id=community.id,
            visibility=visibility,
            status="draft" if draft else "published",
            published_at=None if draft else published + timedelta(days=21 * index),
            kind=kind,
            title=title,
            summary=summary,
            body=body,
            body_html=render(body),
            links=links,
            audiences=audiences,
            tags=tags,
            stage=stage,
            cycle_id=cycle_id if title.startswith("Reflection: a standing slot") else None,
            created_by=author,
        )
        session.add(resource)
        made.append(resource)
    await session.flush()
    for resource in made:
        snapshot = ResourceRead.model_validate(resource).model_dump(mode="json")
        session.add(
            ResourceRevision(
                resource_id=resource.id,
                number=1,
                actor=author,
                created_at=resource.created_at,
                changes=snapshot,
                snapshot=snapshot,
            )
        )

    dundee, inverclyde = organisations["dundee"], organisations["inverclyde"]
    profile = next(r for r in made if r.kind == "practice_profile")
    threads = [
        (
            dundee,
            "Keeping TAC slots free",
            "How do other areas protect a weekly slot when diaries fill up?",
            profile.id,
            cycle_id,
            [
                (organisations["tayside"], "Our managers block Thursday afternoons."),
                (inverclyde, "We book the slot six weeks ahead and release it if unused."),
            ],
        ),
        (
            inverclyde,
            "Texting invitations: consent questions",
            "Do we need fresh consent to text families about family learning?",
            None,
            None,
            [(organisations["perth"], "We asked at enrolment and recorded it in the plan.")],
        ),
    ]
    for owner, title, body, resource_id, linked_cycle, replies in threads:
        thread = Thread(
            community_id=community.id,
            organisation_id=owner.id,
            title=title,
            body=body,
            body_html=render(body),
            resource_id=resource_id,
            cycle_id=linked_cycle,
            created_by=f"person:{owner.name.lower().replace(' ', '-')}-lead",
        )
        session.add(thread)
        await session.flush()
        for replier, text in replies:
            session.add(
                Post(
                    thread_id=thread.id,
                    organisation_id=replier.id,
                    body=text,
                    body_html=render(text),
                    created_by=f"person:{replier.name.lower().replace(' ', '-')}-lead",
                )
            )
    # A term of the programme's own, for its partners only (the shared vocabulary is public).
    tac = (
        "A meeting of the people who support a child and family, with the family, to agree "
        "one plan and a lead person. In ANEW, booked within ten school days of a concern."
    )
    session.add(
        GlossaryTerm(
            organisation_id=national.id,
            programme_id=programme.id,
            visibility="programme",
            slug="team-around-the-child-meeting",
            term="Team Around the Child meeting",
            definition=tac,
            definition_html=render(tac),
            aliases=["TAC meeting", "TAC"],
            alias_text="TAC meeting TAC",
            related=["implementation-team", "practice-profile"],
            created_by=author,
        )
    )
    await session.flush()
    return community
