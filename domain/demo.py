"""The ANEW demo programme: organisations, sites, cycles at several phases, measures with
data that show real signals, a logic model, a feedback item and a partner client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.community import demo as community_demo
from domain.identity import demo as identity_demo
from domain.identity import service as identity
from domain.implementation import demo as implementation_demo
from domain.improvement.chart_models import LogicModel, MeasureRebase
from domain.improvement.feedback import FeedbackItem
from domain.improvement.logic_model import LogicModelDocument, LogicModelItem, LogicModelOutcome
from domain.improvement.measures.models import DataPoint, Measure, ReportingPeriod, ValueType
from domain.improvement.measures.rules import is_period_start, point_values
from domain.improvement.models import Cycle, CycleTransition, Ramp
from domain.shared.ids import new_id
from domain.shared.principal import Principal, Scope
from domain.shared.uow import UnitOfWork
from domain.tenancy.models import Organisation, Programme, ProgrammeMember, Site

PHASES = ["plan", "do", "study", "act", "completed"]
PROGRAMME = "Addressing Neglect and Enhancing Wellbeing (ANEW)"

# Monthly data, written out rather than generated, so the demo is the same every time.
# Dundee, from January 2018: the median days from a wellbeing concern to the Team Around the
# Child meeting. 2018 is the baseline (median 21); the standing TAC slot from June 2019 (the
# ramp's first round) brings a falling trend (May to September) and a sustained shift.
TAC_DAYS_FROM = date(2018, 1, 1)
TAC_DAYS = [
    22, 24, 20, 19, 20.5, 23, 18, 22.5, 23, 19.5, 21.5, 20,  # 2018: the baseline
    21.5, 23, 20, 19, 22,  # January to May 2019
    17, 15, 13, 11,  # June to September 2019: the slot is tested, then moved to Thursdays
    12.5, 10, 13, 9, 11.5, 8.5, 14, 10, 9,  # October 2019 to June 2020 (April: lockdown)
]  # fmt: skip
TAC_SHIFT_FROM = date(2019, 6, 1)
# NHS Tayside, from November 2018: first-time parents with a pre-birth contact, as
# (contacted, first-time parents). About 40% until the midwife's referral at 28 weeks,
# tested from November 2019; about 72% after.
PRE_BIRTH_FROM = date(2018, 11, 1)
PRE_BIRTH = [
    (11, 28), (9, 24), (14, 33), (12, 27), (13, 31), (10, 26),
    (11, 30), (15, 36), (8, 22), (13, 29), (16, 38), (12, 32),  # to October 2019
    (15, 30), (17, 27), (24, 34), (22, 29), (26, 35), (15, 21),
    (19, 25), (29, 37), (21, 31), (30, 39), (27, 33), (27, 36),  # to October 2020
]  # fmt: skip
# Inverclyde, from March 2018: families at the fortnightly family learning sessions, low in
# the summer and at Christmas; February 2020 is the first month of invitations by text.
FAMILY_LEARNING_FROM = date(2018, 3, 1)
FAMILY_LEARNING = [
    9, 7, 10, 8, 2, 6, 11, 9, 12, 6,  # March to December 2018
    8, 10, 11, 7, 9, 12, 3, 7, 10, 13, 11, 5,  # 2019
    9, 17,  # January and February 2020
]  # fmt: skip


@dataclass(frozen=True)
class DemoClient:
    client_id: str
    client_secret: str
    organisation: str


async def is_seeded(uow: UnitOfWork) -> bool:
    return bool(await uow.session.scalar(select(func.count()).select_from(Programme)))


async def seed(uow: UnitOfWork) -> DemoClient | None:
    """Loads the demo once; returns the demo client (its secret is shown only now)."""
    if await is_seeded(uow):
        return None
    system = Principal.system("seed-demo")
    author = system.subject
    session = uow.session

    def org(name: str, kind: str) -> Organisation:
        row = Organisation(name=name, kind=kind, created_by=author)
        session.add(row)
        return row

    national = org("CELCIS national programme team", "national_body")
    dundee = org("Dundee City Council", "local_authority")
    tayside = org("NHS Tayside", "health_board")
    inverclyde = org("Inverclyde Council", "local_authority")
    perth = org("Perth & Kinross Council", "local_authority")
    await session.flush()

    programme = Programme(
        name=PROGRAMME,
        description="Multi-agency Active Implementation of approaches to neglect, 2017-2023.",
        lead_organisation_id=national.id,
        created_by=author,
    )
    session.add(programme)
    await session.flush()
    for member in (national, dundee, tayside, inverclyde, perth):
        session.add(ProgrammeMember(programme_id=programme.id, organisation_id=member.id))

    def site(owner: Organisation, name: str, kind: str, parent: Site | None = None) -> Site:
        row = Site(
            organisation_id=owner.id,
            name=name,
            kind=kind,
            parent_id=parent.id if parent else None,
            created_by=author,
        )
        session.add(row)
        return row

    dundee_area = site(dundee, "Dundee", "area")
    inverclyde_area = site(inverclyde, "Inverclyde", "area")
    perth_area = site(perth, "Perth & Kinross", "area")
    await session.flush()
    dundee_east = site(dundee, "East locality", "locality", dundee_area)
    greenock = site(inverclyde, "Greenock", "locality", inverclyde_area)
    await session.flush()
    school = site(dundee, "Longhaugh Primary School", "setting", dundee_east)
    nursery = site(inverclyde, "Larkfield Early Years Centre", "setting", greenock)
    await session.flush()

    def cycle(
        owner: Organisation,
        at: Site,
        title: str,
        status: str,
        visibility: str,
        started: date,
        **fields: Any,
    ) -> Cycle:
        row = Cycle(
            organisation_id=owner.id,
            programme_id=programme.id,
            site_id=at.id,
            title=title,
            status=status,
            visibility=visibility,
            start_date=started,
            created_by=author,
            **fields,
        )
        session.add(row)
        # A phase history as if each phase had taken a fortnight from the start date.
        path = [*PHASES[: PHASES.index(status) + 1]] if status in PHASES else ["plan", status]
        began = datetime.combine(started, time(9), tzinfo=UTC)
        for step, (before, after) in enumerate(zip([None, *path], path, strict=False)):
            session.add(
                CycleTransition(
                    cycle_id=row.id,
                    from_status=before,
                    to_status=after,
                    occurred_at=began + timedelta(days=14 * step),
                    actor=author,
                )
            )
        return row

    tac_ramp = Ramp(
        organisation_id=dundee.id,
        programme_id=programme.id,
        visibility="programme",
        title="Team Around the Child meetings within ten days",
        change_idea="A standing weekly slot for TAC meetings, booked by the named person.",
        created_by=author,
    )
    session.add(tac_ramp)
    await session.flush()
    first_round = cycle(
        dundee,
        school,
        "TAC meetings: one standing slot a week",
        "completed",
        "programme",
        date(2019, 6, 3),
        kind="pdsa",
        ramp_id=tac_ramp.id,
        aim="Hold a Team Around the Child meeting within ten school days of a concern.",
        change_idea="One standing weekly slot, booked by the school's named person.",
        prediction="At least 8 of 10 concerns will have a meeting within ten days.",
        data_collection_plan="Days from concern to meeting, per concern.",
        do_notes="Six concerns; the slot clashed with the health visitor's clinic twice.",
        study_results="4 of 6 within ten days.",
        study_learning="The slot must suit health visiting, not only the school.",
        act_decision="adapt",
        act_notes="Move the slot to Thursday afternoons and test again.",
    )
    await session.flush()

    cycle(
        dundee,
        school,
        "TAC meetings: Thursday afternoon slot",
        "study",
        "programme",
        date(2019, 9, 2),
        ramp_id=tac_ramp.id,
        previous_cycle_id=first_round.id,
        changes_from_previous="The slot moved to Thursday afternoons to suit health visiting.",
        aim="Hold a Team Around the Child meeting within ten school days of a wellbeing concern.",
        change_idea="A standing weekly slot for TAC meetings, booked by the school's named person.",
        questions=["Can a standing slot be filled within ten days?"],
        prediction="At least 8 of 10 concerns will have a meeting within ten days.",
        plan="Named person books; health visitor and family support worker attend.",
        data_collection_plan="Days from concern to meeting, per concern, on a run chart.",
        do_notes="Nine concerns raised; two meetings moved for parental availability.",
        study_results="7 of 9 within ten days; prediction nearly met.",
    )
    cycle(
        dundee,
        school,
        "Buddy support at lunchtime",
        "plan",
        "private",
        date(2020, 1, 13),
        kind="usability_test",
        aim="Children who eat alone at lunch have a buddy.",
        change_idea="P6 buddies trained to invite children to join them.",
    )
    cycle(
        tayside,
        dundee_east,
        "Health visitor pre-birth contacts",
        "act",
        "programme",
        date(2019, 11, 4),
        aim="Every first-time parent gets a pre-birth contact at 32 weeks.",
        change_idea="Midwife hands over the referral at the 28-week appointment.",
        study_results="Contacts rose from 40% to 75% of first-time parents.",
        act_decision="adopt",
        act_notes="Spread to the West locality team.",
    )
    cycle(
        inverclyde,
        nursery,
        "Family learning sessions",
        "do",
        "programme",
        date(2020, 2, 3),
        aim="Parents of two-year-olds join a fortnightly play session.",
        change_idea="Invite by text from the key worker rather than by letter.",
        prediction="Attendance doubles.",
    )
    cycle(
        perth,
        perth_area,
        "Early help request form",
        "completed",
        "private",
        date(2019, 5, 6),
        aim="Requests for early help are answered within five days.",
        act_decision="adapt",
        act_notes="Shorter form to be tested next.",
    )
    await session.flush()

    tac_days = _measure(
        session,
        dundee,
        programme,
        author,
        name="Days from wellbeing concern to Team Around the Child meeting",
        kind="process",
        operational_definition="Median calendar days from a wellbeing concern being logged to "
        "the first Team Around the Child meeting, over the concerns whose first meeting was "
        "held in the month, from the school's TAC log.",
        unit="days",
        value_type="measurement",
        direction="decrease",
        target=10,
    )
    pre_birth = _measure(
        session,
        tayside,
        programme,
        author,
        name="First-time parents with a pre-birth contact",
        kind="process",
        operational_definition="Of first-time parents reaching 32 weeks of pregnancy in the "
        "month in the East locality, those who had a health visitor contact before the birth, "
        "from the health visiting record.",
        unit="first-time parents",
        value_type="proportion",
        direction="increase",
        target=0.9,
    )
    family_learning = _measure(
        session,
        inverclyde,
        programme,
        author,
        name="Families attending family learning sessions",
        kind="process",
        operational_definition="Families with a two-year-old who attended at least one family "
        "learning session at Larkfield Early Years Centre in the month, from the register.",
        unit="families",
        value_type="count",
        direction="increase",
        target=None,
    )
    await session.flush()
    _points(session, tac_days, author, TAC_DAYS_FROM, [(v, None, None) for v in TAC_DAYS])
    _points(session, pre_birth, author, PRE_BIRTH_FROM, [(None, n, d) for n, d in PRE_BIRTH])
    _points(
        session,
        family_learning,
        author,
        FAMILY_LEARNING_FROM,
        [(v, None, None) for v in FAMILY_LEARNING],
    )
    session.add(
        MeasureRebase(
            measure_id=tac_days.id,
            period=TAC_SHIFT_FROM,
            note="A sustained shift since the standing Thursday TAC slot (from June 2019): "
            "the old median of 21 days no longer describes the process.",
            created_by=author,
        )
    )

    session.add(
        LogicModel(
            programme_id=programme.id,
            document=_logic_model(tac_days, pre_birth, family_learning).model_dump(mode="json"),
            version=1,
            updated_by=author,
        )
    )
    session.add(
        FeedbackItem(
            organisation_id=dundee.id,
            programme_id=programme.id,
            visibility="programme",
            cycle_id=first_round.id,
            barrier="Health visitors cannot attend TAC meetings booked at short notice.",
            raised_by="Named person, Longhaugh Primary School",
            raised_on=date(2019, 7, 1),
            leadership_team="Dundee Children and Families Executive Group",
            status="acknowledged",
            acknowledged_on=date(2019, 8, 14),
            response="Health visiting managers will keep Thursday afternoons free for TAC "
            "meetings from September; the group will review attendance in December.",
            created_by=author,
        )
    )
    await session.flush()
    await implementation_demo.seed(
        uow,
        system,
        programme=programme,
        national=national,
        dundee=dundee,
        tayside=tayside,
        inverclyde=inverclyde,
        perth=perth,
        sites={
            "dundee_east": dundee_east,
            "greenock": greenock,
            "school": school,
            "perth_area": perth_area,
        },
    )
    await identity_demo.seed(
        uow,
        system,
        programme=programme,
        organisations={
            "national": national,
            "dundee": dundee,
            "tayside": tayside,
            "inverclyde": inverclyde,
            "perth": perth,
        },
    )
    await community_demo.seed_community(
        uow,
        author=author,
        programme=programme,
        organisations={
            "national": national,
            "dundee": dundee,
            "tayside": tayside,
            "inverclyde": inverclyde,
            "perth": perth,
        },
        cycle_id=first_round.id,
    )

    registered = await identity.register_client(
        uow,
        system,
        organisation_id=dundee.id,
        name="Dundee case system (demo)",
        # A partner system: everything but administration, so the printed curl works for
        # every area of the API.
        scopes=[s.value for s in Scope if s is not Scope.admin],
        roles=[],
    )
    return DemoClient(
        client_id=registered.client.client_id,
        client_secret=registered.secret,
        organisation=dundee.name,
    )


def _measure(
    session: AsyncSession,
    owner: Organisation,
    programme: Programme,
    author: str,
    **fields: Any,
) -> Measure:
    row = Measure(
        organisation_id=owner.id,
        programme_id=programme.id,
        visibility="programme",
        reporting_period="month",
        created_by=author,
        **fields,
    )
    session.add(row)
    return row


def _points(
    session: AsyncSession,
    measure: Measure,
    author: str,
    first: date,
    values: list[tuple[float | None, float | None, float | None]],
) -> None:
    """One point a month from `first`, through the same rules the API applies, so the demo
    can hold nothing a caller could not have written."""
    for month, (value, numerator, denominator) in enumerate(values):
        years, month_index = divmod(first.month - 1 + month, 12)
        period = date(first.year + years, month_index + 1, 1)
        checked, errors = point_values(
            ValueType(measure.value_type),
            value=value,
            numerator=numerator,
            denominator=denominator,
            note=None,
        )
        if errors or checked is None or not is_period_start(period, ReportingPeriod.month):
            raise ValueError(f"demo point {measure.name} {period}: {errors}")
        session.add(
            DataPoint(
                measure_id=measure.id,
                organisation_id=measure.organisation_id,
                period=period,
                value=checked.value,
                numerator=checked.numerator,
                denominator=checked.denominator,
                created_by=author,
            )
        )


def _logic_model(
    tac_days: Measure, pre_birth: Measure, family_learning: Measure
) -> LogicModelDocument:
    def items(*texts: str) -> list[LogicModelItem]:
        return [LogicModelItem(id=new_id(), text=text) for text in texts]

    def outcome(text: str, *measures: Measure) -> LogicModelOutcome:
        return LogicModelOutcome(id=new_id(), text=text, measure_ids=[m.id for m in measures])

    return LogicModelDocument(
        inputs=items(
            "Improvement advisers from the national programme team working alongside each "
            "local implementation team",
            "Protected time for a multi-agency implementation team in each area",
            "Data support: monthly run charts from local case and health records",
        ),
        activities=items(
            "Active Implementation of approaches to neglect: exploration, installation and "
            "initial implementation with each partnership",
            "PDSA cycles on local change ideas: Team Around the Child meetings, pre-birth "
            "contacts, family learning",
            "Practice-policy feedback from frontline teams to local leadership groups",
        ),
        outputs=items(
            "Change ideas tested, adapted and adopted in each area",
            "Implementation teams able to use data for improvement",
        ),
        short_term_outcomes=[
            outcome("Wellbeing concerns are met quickly by the team around the child", tac_days),
            outcome("First-time parents are known to health visiting before birth", pre_birth),
        ],
        medium_term_outcomes=[
            outcome("Families take part in early help and family learning", family_learning),
            outcome(
                "Multi-agency practice to address neglect is consistent and sustained",
                tac_days,
                pre_birth,
            ),
        ],
        long_term_outcomes=[
            outcome("Fewer children experience neglect"),
            outcome("Children and families report improved wellbeing"),
        ],
    )


async def organisation_id_by_name(uow: UnitOfWork, name: str) -> UUID | None:
    return await uow.session.scalar(
        select(col(Organisation.id)).where(col(Organisation.name) == name)
    )
