"""The ANEW demo programme: organisations, sites, cycles at several phases, a partner client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlmodel import col

from domain.identity import service as identity
from domain.improvement.models import Cycle, CycleTransition, Ramp
from domain.shared.principal import Principal, Scope
from domain.shared.uow import UnitOfWork
from domain.tenancy.models import Organisation, Programme, ProgrammeMember, Site

PHASES = ["plan", "do", "study", "act", "completed"]
PROGRAMME = "Addressing Neglect and Enhancing Wellbeing (ANEW)"


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

    registered = await identity.register_client(
        uow,
        system,
        organisation_id=dundee.id,
        name="Dundee case system (demo)",
        scopes=[Scope.cycles_read.value, Scope.cycles_write.value, Scope.tenancy_read.value],
        roles=[],
    )
    return DemoClient(
        client_id=registered.client.client_id,
        client_secret=registered.secret,
        organisation=dundee.name,
    )


async def organisation_id_by_name(uow: UnitOfWork, name: str) -> UUID | None:
    return await uow.session.scalar(
        select(col(Organisation.id)).where(col(Organisation.name) == name)
    )
