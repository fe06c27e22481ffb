"""Implementation tracking in the ANEW demo: two innovations with practice profiles, teams
(Dundee's across council, NHS and education), implementations at several sites with real
looking stage histories, and assessments at two or three dates that show capacity growing.

Called once from `domain.demo.seed`, inside its transaction. Written out rather than
generated, so the demo is the same every time."""

# ruff: noqa: E501 - the demo data reads best as one row a line
from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

from domain.implementation.instruments import store_built_in
from domain.implementation.models import (
    Adaptation,
    Assessment,
    AssessmentAction,
    AssessmentScore,
    AssessmentVote,
    CoreComponent,
    Implementation,
    Innovation,
    Instrument,
    PracticeProfileVersion,
    StageTransition,
    Team,
    TeamMember,
)
from domain.shared.principal import Principal
from domain.shared.uow import UnitOfWork
from domain.tenancy.models import Organisation, Programme, Site

TAC_COMPONENTS = [
    (
        "meet-within-ten-days",
        "Meet within ten school days",
        "fixed",
        "The TAC meeting is held within ten school days of the wellbeing concern",
        "The meeting is held, but later than ten school days",
        "No meeting is held, or it is held without the family",
    ),
    (
        "family-voice",
        "The family's voice comes first",
        "fixed",
        "The parent or carer speaks first; their words are in the plan",
        "The family's views are asked for at the end of the meeting",
        "The plan is made about the family without them",
    ),
    (
        "single-plan",
        "One plan, one lead professional",
        "fixed",
        "One child's plan with named actions and one lead professional",
        "A plan exists but actions have no owner or date",
        "Each agency keeps its own plan",
    ),
    (
        "venue",
        "Meeting place",
        "adaptable",
        "A place the family chooses and can reach",
        "A school or clinic room booked by the lead professional",
        "A place the family cannot reach or does not feel safe in",
    ),
    (
        "review-rhythm",
        "Review rhythm",
        "adaptable",
        "The plan is reviewed at least every six weeks",
        "Reviews happen, but less often than agreed",
        "No review is held",
    ),
]

BUDDY_COMPONENTS = [
    (
        "matching",
        "Thoughtful matching",
        "fixed",
        "Each buddy pair is matched by a named adult who knows both children",
        "Pairs are matched by class lists",
        "Children are left to find a buddy themselves",
    ),
    (
        "daily-contact",
        "Daily contact",
        "fixed",
        "Buddies meet every school day, at break or lunch",
        "Buddies meet on some days",
        "Buddies rarely meet",
    ),
    (
        "buddy-training",
        "Buddy training",
        "adaptable",
        "Older pupils take part in a short training session before they start",
        "Older pupils get a written guide only",
        "No preparation for buddies",
    ),
]


R = TypeVar("R")


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=UTC)


async def seed(
    uow: UnitOfWork,
    principal: Principal,
    *,
    programme: Programme,
    national: Organisation,
    dundee: Organisation,
    tayside: Organisation,
    inverclyde: Organisation,
    perth: Organisation,
    sites: dict[str, Site],
) -> None:
    session = uow.session
    author = principal.subject
    found = {i.key: i for i in await store_built_in(uow, principal)}

    def add(row: R) -> R:
        session.add(row)
        return row

    # Innovations and their practice profiles --------------------------------------------
    tac = add(
        Innovation(
            organisation_id=national.id,
            programme_id=programme.id,
            name="Team Around the Child meetings",
            description="A meeting of the family and the professionals around a child, soon "
            "after a wellbeing concern, that agrees one plan.",
            philosophy="Families are partners; help comes early and from one plan.",
            principles="Early help; the family's voice first; one plan and one lead "
            "professional; review until the worry has gone.",
            inclusion_criteria="Children 0-12 with a wellbeing concern raised by any agency.",
            exclusion_criteria="Children on the child protection register (their own process).",
            evidence_summary="Local evaluations in ANEW areas; national GIRFEC practice guidance.",
            created_by=author,
            created_at=_at(date(2017, 8, 1)),
        )
    )
    buddy = add(
        Innovation(
            organisation_id=dundee.id,
            programme_id=programme.id,
            name="School buddy practice",
            description="Older pupils are matched with younger children who may be lonely or "
            "without support at school.",
            philosophy="Every child has someone to turn to at school.",
            principles="Thoughtful matching; daily contact; buddies are supported: adults "
            "check in weekly.",
            inclusion_criteria="P1-P3 children identified by their class teacher.",
            exclusion_criteria="None; children may decline.",
            evidence_summary="Peer-support studies in primary schools; Dundee pilot 2018.",
            created_by=author,
            created_at=_at(date(2018, 9, 3)),
        )
    )
    await session.flush()

    def profile(
        innovation: Innovation, number: int, published: date, components: list[Any]
    ) -> tuple[PracticeProfileVersion, list[CoreComponent]]:
        version = add(
            PracticeProfileVersion(
                innovation_id=innovation.id,
                version_number=number,
                status="published",
                published_at=_at(published),
                organisation_id=innovation.organisation_id,
                programme_id=programme.id,
                visibility="programme",
                created_by=author,
            )
        )
        rows = [
            CoreComponent(
                profile_version_id=version.id,
                key=key,
                name=name,
                fixed_or_adaptable=kind,
                expected_practice=expected,
                developmental_practice=developmental,
                unacceptable_practice=unacceptable,
                position=position,
            )
            for position, (key, name, kind, expected, developmental, unacceptable) in enumerate(
                components
            )
        ]
        return version, rows

    tac_v1, tac_v1_parts = profile(tac, 1, date(2017, 10, 2), TAC_COMPONENTS[:4])
    tac_v2, tac_v2_parts = profile(tac, 2, date(2019, 5, 6), TAC_COMPONENTS)
    buddy_v1, buddy_parts = profile(buddy, 1, date(2019, 1, 7), BUDDY_COMPONENTS)
    await session.flush()
    session.add_all([*tac_v1_parts, *tac_v2_parts, *buddy_parts])

    # Teams -----------------------------------------------------------------------------
    def team(owner: Organisation, name: str, purpose: str) -> Team:
        row: Team = add(
            Team(
                organisation_id=owner.id,
                programme_id=programme.id,
                name=name,
                purpose=purpose,
                created_by=author,
            )
        )
        return row

    dundee_team = team(
        dundee,
        "Dundee implementation team",
        "Leads TAC meetings and buddy practice in Dundee East, reports to the Children and "
        "Families Executive Group.",
    )
    inverclyde_team = team(inverclyde, "Inverclyde implementation team", "TAC in Greenock.")
    perth_team = team(perth, "Perth & Kinross implementation team", "TAC and buddies.")
    await session.flush()
    people = [
        (dundee_team, "Morag Lindsay", dundee, "lead", date(2017, 8, 14), None),
        (dundee_team, "Kirsty Moffat", tayside, "practitioner_representative", date(2017, 8, 14), None),
        (dundee_team, "Graham Souter (head teacher, Longhaugh Primary)", dundee, "senior_leader", date(2017, 9, 4), None),
        (dundee_team, "Aileen Gray", dundee, "data_lead", date(2018, 1, 8), None),
        (dundee_team, "Iain Fraser", national, "coach", date(2017, 8, 14), date(2020, 3, 31)),
        (dundee_team, "Ruth Adams", national, "coach", date(2020, 4, 1), None),
        (inverclyde_team, "Claire Boyle", inverclyde, "lead", date(2018, 1, 8), date(2019, 1, 31)),
        (inverclyde_team, "Stephen McLean", inverclyde, "lead", date(2019, 3, 4), None),
        (inverclyde_team, "Kirsty Moffat", tayside, "coordinator", date(2018, 1, 8), None),
        (inverclyde_team, "Iain Fraser", national, "coach", date(2018, 1, 8), None),
        (perth_team, "Euan Stewart", perth, "lead", date(2018, 4, 9), None),
        (perth_team, "Fiona Reid", tayside, "practitioner_representative", date(2018, 4, 9), None),
        (perth_team, "Ruth Adams", national, "coach", date(2018, 4, 9), None),
    ]  # fmt: skip
    session.add_all(
        TeamMember(
            team_id=t.id,
            name=name,
            organisation_id=org.id,
            role=role,
            joined_on=joined,
            left_on=left,
        )
        for t, name, org, role, joined, left in people
    )

    # Implementations with their stage histories ------------------------------------------
    def implementation(
        owner: Organisation,
        innovation: Innovation,
        site: Site,
        lead: Team,
        version: PracticeProfileVersion | None,
        moves: list[tuple[str | None, str, date, str, str]],
    ) -> Implementation:
        row = add(
            Implementation(
                organisation_id=owner.id,
                programme_id=programme.id,
                innovation_id=innovation.id,
                site_id=site.id,
                team_id=lead.id,
                profile_version_id=version.id if version else None,
                created_by=author,
                created_at=_at(moves[0][2]),
            )
        )
        pending.append((row, moves))
        return row

    pending: list[tuple[Implementation, list[tuple[str | None, str, date, str, str]]]] = []
    tac_dundee = implementation(
        dundee, tac, sites["dundee_east"], dundee_team, tac_v2,
        [
            (None, "exploration", date(2017, 9, 4), "started", ""),
            ("exploration", "installation", date(2018, 4, 2), "Leaders agreed to go ahead after the fit assessment", ""),
            ("installation", "initial_implementation", date(2019, 6, 3), "Standing TAC slot tested in the first ramp round", ""),
            ("initial_implementation", "full_implementation", date(2020, 9, 7), "Over 80% of concerns met within ten days for six months", ""),
        ],
    )  # fmt: skip
    implementation(
        inverclyde, tac, sites["greenock"], inverclyde_team, tac_v1,
        [
            (None, "exploration", date(2018, 1, 15), "started", ""),
            ("exploration", "installation", date(2018, 10, 1), "Fit confirmed with Larkfield staff", ""),
            ("installation", "exploration", date(2019, 2, 4), "The team lead left; the new lead re-checked fit and resources", ""),
            ("exploration", "installation", date(2019, 5, 6), "Resources agreed with the new lead", ""),
            ("installation", "initial_implementation", date(2020, 1, 13), "Training done; first meetings booked", ""),
        ],
    )  # fmt: skip
    buddy_longhaugh = implementation(
        dundee, buddy, sites["school"], dundee_team, buddy_v1,
        [
            (None, "exploration", date(2019, 1, 14), "started", ""),
            ("exploration", "installation", date(2019, 8, 19), "Head teacher and pupil council agreed", ""),
            ("installation", "initial_implementation", date(2020, 1, 13), "First twelve pairs matched", ""),
        ],
    )  # fmt: skip
    implementation(
        perth, tac, sites["perth_area"], perth_team, tac_v1,
        [
            (None, "exploration", date(2018, 5, 1), "started", ""),
            ("exploration", "initial_implementation", date(2018, 11, 5), "Go-ahead agreed",
             "TAC meetings already ran in two localities; training and coaching were in place"),
        ],
    )  # fmt: skip
    implementation(
        perth,
        buddy,
        sites["perth_area"],
        perth_team,
        None,
        [(None, "exploration", date(2020, 2, 3), "started", "")],
    )
    await session.flush()
    for row, moves in pending:
        for from_stage, to_stage, day, rationale, skip_reason in moves:
            session.add(
                StageTransition(
                    implementation_id=row.id,
                    from_stage=from_stage,
                    to_stage=to_stage,
                    effective_on=day,
                    rationale=rationale,
                    skip_reason=skip_reason,
                    actor=author,
                    recorded_at=_at(day),
                )
            )
    venue = next(c for c in tac_v2_parts if c.key == "venue")
    session.add(
        Adaptation(
            implementation_id=tac_dundee.id,
            component_id=venue.id,
            description="Meetings in the family's GP surgery or at home when they ask",
            rationale="Families in Dundee East said school felt like being summoned",
            adopted_on=date(2019, 9, 2),
            created_by=author,
        )
    )

    # Assessments at two or three dates, showing growth -----------------------------------
    def assessment(
        instrument: Instrument,
        kind: str,
        subject: Any,
        lead: Team | None,
        day: date,
        scores: dict[str, int],
        owner: Organisation = dundee,
    ) -> Assessment:
        row = add(
            Assessment(
                organisation_id=owner.id,
                programme_id=programme.id,
                instrument_id=instrument.id,
                subject_kind=kind,
                subject_id=subject.id,
                team_id=lead.id if lead else None,
                assessed_on=day,
                status="submitted",
                submitted_at=_at(day),
                created_by=author,
                created_at=_at(day),
            )
        )
        scored.append((row, scores))
        return row

    scored: list[tuple[Assessment, dict[str, int]]] = []
    checklist = found["stage-checklist"]
    assessment(checklist, "implementation", tac_dundee, dundee_team, date(2018, 3, 5), {
        "exp-team": 2, "exp-need": 1, "exp-fit": 1, "exp-stakeholders": 0, "exp-decision": 1,
        "ins-roles": 0, "ins-training": 0,
    })  # fmt: skip
    assessment(checklist, "implementation", tac_dundee, dundee_team, date(2018, 11, 5), {
        "exp-team": 2, "exp-need": 2, "exp-fit": 2, "exp-stakeholders": 1, "exp-decision": 2,
        "ins-roles": 1, "ins-training": 1, "ins-coaching": 0, "ins-data": 1, "ins-resources": 1,
    })  # fmt: skip
    latest_check = assessment(checklist, "implementation", tac_dundee, dundee_team, date(2019, 9, 2), {
        "exp-team": 2, "exp-need": 2, "exp-fit": 2, "exp-stakeholders": 2, "exp-decision": 2,
        "ins-roles": 2, "ins-training": 2, "ins-coaching": 1, "ins-data": 2, "ins-resources": 2,
        "ini-delivery": 1, "ini-coaching": 1, "ini-cycles": 2, "ini-fidelity": 0, "ini-feedback": 1,
    })  # fmt: skip
    drivers = found["drivers-assessment"]
    drivers_scores = [
        {"sel-criteria": 0, "sel-process": 0, "tra-content": 1, "tra-practice": 0,
         "coa-regular": 0, "coa-data": 0, "fid-routine": 0, "fid-use": 0, "dat-timely": 1,
         "dat-use": 0, "adm-policy": 1, "adm-barriers": 1, "sys-partners": 1, "sys-funding": 0,
         "tec-clear": 1, "ada-change": 1},
        {"sel-criteria": 1, "sel-process": 1, "tra-content": 2, "tra-practice": 1,
         "coa-regular": 1, "coa-data": 0, "fid-routine": 1, "fid-use": 1, "dat-timely": 1,
         "dat-use": 1, "adm-policy": 1, "adm-barriers": 2, "sys-partners": 1, "sys-funding": 1,
         "tec-clear": 2, "ada-change": 1},
        {"sel-criteria": 2, "sel-process": 1, "tra-content": 2, "tra-practice": 2,
         "coa-regular": 2, "coa-data": 1, "fid-routine": 1, "fid-use": 2, "dat-timely": 2,
         "dat-use": 2, "adm-policy": 2, "adm-barriers": 2, "sys-partners": 1, "sys-funding": 1,
         "tec-clear": 2, "ada-change": 2},
    ]  # fmt: skip
    drivers_rows = [
        assessment(drivers, "team", dundee_team, dundee_team, day, scores)
        for day, scores in zip(
            (date(2018, 6, 4), date(2019, 6, 3), date(2020, 6, 1)), drivers_scores, strict=True
        )
    ]
    fit = found["exploration-fit"]
    assessment(fit, "implementation", buddy_longhaugh, dundee_team, date(2019, 3, 4), {
        "fit-need": 4, "fit-fit": 4, "fit-resources": 2, "fit-evidence": 3, "fit-readiness": 3,
        "fit-capacity": 2,
    })  # fmt: skip
    assessment(fit, "implementation", buddy_longhaugh, dundee_team, date(2019, 7, 1), {
        "fit-need": 4, "fit-fit": 5, "fit-resources": 4, "fit-evidence": 3, "fit-readiness": 4,
        "fit-capacity": 4,
    })  # fmt: skip
    await session.flush()
    for done, scores in scored:
        session.add_all(
            AssessmentScore(assessment_id=done.id, item_key=key, score=value)
            for key, value in scores.items()
        )
    # The latest drivers assessment kept each member's vote; coaching data spread widely.
    votes = {
        "Morag Lindsay": {"coa-data": 2, "fid-routine": 1, "sys-funding": 1},
        "Kirsty Moffat": {"coa-data": 0, "fid-routine": 1, "sys-funding": 1},
        "Aileen Gray": {"coa-data": 1, "fid-routine": 2, "sys-funding": 0},
    }
    session.add_all(
        AssessmentVote(assessment_id=drivers_rows[-1].id, item_key=key, participant=who, score=v)
        for who, cast in votes.items()
        for key, v in cast.items()
    )
    session.add_all(
        [
            AssessmentAction(
                assessment_id=latest_check.id,
                team_id=dundee_team.id,
                item_key="ini-fidelity",
                what="Agree a fidelity check of TAC meetings against profile v2 with the coach",
                who="Ruth Adams (coach) and Morag Lindsay",
                due_on=date(2019, 12, 2),
                created_by=author,
            ),
            AssessmentAction(
                assessment_id=latest_check.id,
                team_id=dundee_team.id,
                item_key="ins-coaching",
                what="Book monthly coaching sessions for the new health visitors",
                who="Kirsty Moffat",
                due_on=date(2019, 10, 7),
                done_on=date(2019, 10, 1),
                created_by=author,
            ),
        ]
    )
    await session.flush()
