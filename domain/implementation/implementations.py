"""Use cases for implementations: one innovation at one site, led by one team, moving
through the stages by append-only transitions, with its local adaptations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.audit import service as audit
from domain.implementation.common import (
    apply,
    require_programme,
    require_site_in_programme,
    snapshot,
)
from domain.implementation.models import (
    Adaptation,
    ComponentFlexibility,
    Implementation,
    ProfileStatus,
    Stage,
    StageTransition,
)
from domain.implementation.repository import CurrentStage, ImplementationRepository
from domain.implementation.rules import Move, periods, stage_on, transition_errors
from domain.implementation.schemas import (
    AdaptationCreate,
    EvidenceKind,
    ImplementationCreate,
    ImplementationFilters,
    ImplementationRead,
    ImplementationUpdate,
    StageCount,
    StageOnDate,
    StagePeriodRead,
    StageSummary,
    StageSummaryGroup,
    StageTransitionCreate,
    StageTransitionRead,
    TimelineRead,
)
from domain.shared.authz import RowAccess, require_owner, visible_to
from domain.shared.errors import FieldError, NotFound, ValidationFailed
from domain.shared.pagination import Page, PageRequest, make_page
from domain.shared.principal import Principal, Scope
from domain.shared.records import check_version, touch
from domain.shared.uow import UnitOfWork

ENTITY = "implementation"


@dataclass(frozen=True)
class ImplementationView:
    implementation: Implementation
    current: CurrentStage | None

    def read(self, today: date | None = None) -> ImplementationRead:
        i, current = self.implementation, self.current
        today = today or date.today()
        return ImplementationRead(
            id=i.id,
            organisation_id=i.organisation_id,
            programme_id=i.programme_id,
            visibility=i.visibility,
            innovation_id=i.innovation_id,
            site_id=i.site_id,
            team_id=i.team_id,
            profile_version_id=i.profile_version_id,
            notes=i.notes,
            stage=Stage(current.stage) if current else None,
            stage_since=current.since if current else None,
            days_in_stage=max((today - current.since).days, 0) if current else None,
            created_at=i.created_at,
            updated_at=i.updated_at,
            created_by=i.created_by,
            version=i.version,
        )


def _moves(rows: list[StageTransition]) -> list[Move]:
    return [
        Move(Stage(r.from_stage) if r.from_stage else None, Stage(r.to_stage), r.effective_on)
        for r in rows
    ]


async def _check_links(
    uow: UnitOfWork,
    access: RowAccess,
    programme_id: UUID,
    innovation_id: UUID | None,
    team_id: UUID | None,
    profile_version_id: UUID | None,
) -> list[FieldError]:
    """The innovation, team and profile version must be visible to the caller, in the same
    programme, and the profile version a published one of that innovation."""
    repo = ImplementationRepository(uow.session)
    errors: list[FieldError] = []
    if innovation_id is not None:
        innovation = await repo.get_innovation(access, innovation_id)
        if innovation is None or innovation.programme_id != programme_id:
            errors.append(FieldError("/innovation_id", "is not an innovation of this programme"))
    if team_id is not None:
        team = await repo.get_team(access, team_id)
        if team is None or team.programme_id != programme_id:
            errors.append(FieldError("/team_id", "is not a team of this programme"))
    if profile_version_id is not None:
        profile = await repo.get_profile(access, profile_version_id)
        if profile is None or (innovation_id and profile.innovation_id != innovation_id):
            errors.append(
                FieldError("/profile_version_id", "is not a profile version of the innovation")
            )
        elif profile.status != ProfileStatus.published.value:
            errors.append(
                FieldError("/profile_version_id", "is a draft; implement a published version")
            )
    return errors


async def create_implementation(
    uow: UnitOfWork, principal: Principal, data: ImplementationCreate
) -> ImplementationView:
    access = visible_to(principal, Scope.implementation_write)
    repo = ImplementationRepository(uow.session)
    innovation = await repo.get_innovation(access, data.innovation_id)
    if innovation is None:
        raise ValidationFailed([FieldError("/innovation_id", "is not an innovation you may see")])
    programme_id = innovation.programme_id
    require_programme(principal, programme_id, "/innovation_id")
    errors = await _check_links(
        uow, access, programme_id, None, data.team_id, data.profile_version_id
    )
    if data.profile_version_id is not None and not errors:
        profile = await repo.get_profile(access, data.profile_version_id)
        if profile is not None and profile.innovation_id != innovation.id:
            errors.append(
                FieldError("/profile_version_id", "is not a profile version of the innovation")
            )
    if errors:
        raise ValidationFailed(errors)
    await require_site_in_programme(uow, data.site_id, programme_id, "/site_id")
    implementation = Implementation(
        organisation_id=access.organisation_id,
        programme_id=programme_id,
        visibility=data.visibility.value,
        innovation_id=innovation.id,
        site_id=data.site_id,
        team_id=data.team_id,
        profile_version_id=data.profile_version_id,
        notes=data.notes,
        created_by=principal.subject,
    )
    repo.add(implementation)
    await uow.session.flush()
    first = StageTransition(
        implementation_id=implementation.id,
        from_stage=None,
        to_stage=data.stage.value,
        effective_on=data.started_on,
        rationale="started",
        actor=principal.subject,
    )
    repo.add(first)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="create",
        entity_type=ENTITY,
        entity_id=implementation.id,
        changes={
            **snapshot(implementation, ImplementationRead),
            "stage": data.stage.value,
            "started_on": data.started_on,
        },
    )
    await uow.commit()
    return ImplementationView(implementation, CurrentStage(first.to_stage, first.effective_on))


async def get_implementation(
    uow: UnitOfWork, principal: Principal, implementation_id: UUID
) -> ImplementationView:
    access = visible_to(principal, Scope.implementation_read)
    repo = ImplementationRepository(uow.session)
    row = await repo.get_implementation(access, implementation_id)
    if row is None:
        raise NotFound("No implementation with that id.")
    return ImplementationView(row, (await repo.current_stages([row.id])).get(row.id))


async def implementations_by_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, ImplementationView]:
    access = visible_to(principal, Scope.implementation_read)
    repo = ImplementationRepository(uow.session)
    rows = await repo.implementations_by_ids(access, ids)
    stages = await repo.current_stages([r.id for r in rows])
    return {r.id: ImplementationView(r, stages.get(r.id)) for r in rows}


async def list_implementations(
    uow: UnitOfWork, principal: Principal, filters: ImplementationFilters, page: PageRequest
) -> Page[ImplementationView]:
    access = visible_to(principal, Scope.implementation_read)
    repo = ImplementationRepository(uow.session)
    rows = await repo.list_implementations(access, filters, page)
    stages = await repo.current_stages([r.id for r in rows])
    views = [ImplementationView(r, stages.get(r.id)) for r in rows]
    return make_page(views, page, lambda v: v.implementation.id)


async def _owned(
    uow: UnitOfWork, principal: Principal, implementation_id: UUID, expected_version: int
) -> Implementation:
    access = visible_to(principal, Scope.implementation_write)
    row = await ImplementationRepository(uow.session).get_implementation(
        access, implementation_id, for_update=True
    )
    if row is None:
        raise NotFound("No implementation with that id.")
    require_owner(principal, Scope.implementation_write, row, ENTITY)
    check_version(ENTITY, row.version, expected_version)
    return row


async def update_implementation(
    uow: UnitOfWork,
    principal: Principal,
    implementation_id: UUID,
    data: ImplementationUpdate,
    *,
    expected_version: int,
) -> ImplementationView:
    row = await _owned(uow, principal, implementation_id, expected_version)
    changes = data.model_dump(exclude_unset=True)
    for required in ("team_id", "visibility", "notes"):
        if required in changes and changes[required] is None:
            raise ValidationFailed([FieldError(f"/{required}", "must not be null")])
    access = visible_to(principal, Scope.implementation_write)
    errors = await _check_links(
        uow,
        access,
        row.programme_id,
        None,
        changes.get("team_id"),
        changes.get("profile_version_id"),
    )
    if changes.get("profile_version_id") is not None and not errors:
        profile = await ImplementationRepository(uow.session).get_profile(
            access, changes["profile_version_id"]
        )
        if profile is not None and profile.innovation_id != row.innovation_id:
            errors.append(
                FieldError("/profile_version_id", "is not a profile version of the innovation")
            )
    if errors:
        raise ValidationFailed(errors)
    changed = apply(row, changes)
    repo = ImplementationRepository(uow.session)
    if changed:
        touch(row)
        await uow.session.flush()
        audit.record(
            uow, principal, action="update", entity_type=ENTITY, entity_id=row.id, changes=changed
        )
        await uow.commit()
    return ImplementationView(row, (await repo.current_stages([row.id])).get(row.id))


async def _evidence_errors(
    uow: UnitOfWork, access: RowAccess, data: StageTransitionCreate
) -> list[FieldError]:
    """Cycles and assessments named as evidence must exist and be visible to the caller."""
    errors: list[FieldError] = []
    repo = ImplementationRepository(uow.session)
    cycle_ids = [link.id for link in data.evidence if link.kind is EvidenceKind.cycle]
    assessment_ids = [link.id for link in data.evidence if link.kind is EvidenceKind.assessment]
    seen_cycles = await repo.visible_cycle_ids(access, cycle_ids) if cycle_ids else set()
    seen_assessments: set[UUID] = set()
    if assessment_ids:
        seen_assessments = {a.id for a in await repo.assessments_by_ids(access, assessment_ids)}
    for index, link in enumerate(data.evidence):
        if link.kind is EvidenceKind.cycle and link.id not in seen_cycles:
            errors.append(FieldError(f"/evidence/{index}/id", "is not a cycle you may see"))
        if link.kind is EvidenceKind.assessment and link.id not in seen_assessments:
            errors.append(FieldError(f"/evidence/{index}/id", "is not an assessment you may see"))
    return errors


async def transition_implementation(
    uow: UnitOfWork,
    principal: Principal,
    implementation_id: UUID,
    data: StageTransitionCreate,
    *,
    expected_version: int,
) -> ImplementationView:
    """Appends a stage move. Back a stage needs a rationale; skipping forward over a stage
    needs a skip reason; the effective date may not precede the previous move."""
    row = await _owned(uow, principal, implementation_id, expected_version)
    repo = ImplementationRepository(uow.session)
    current = (await repo.current_stages([row.id])).get(row.id)
    errors = transition_errors(
        Stage(current.stage) if current else None,
        current.since if current else None,
        data.to,
        data.effective_on,
        data.rationale,
        data.skip_reason,
    )
    errors += await _evidence_errors(uow, visible_to(principal, Scope.implementation_write), data)
    if errors:
        raise ValidationFailed(errors)
    move = StageTransition(
        implementation_id=row.id,
        from_stage=current.stage if current else None,
        to_stage=data.to.value,
        effective_on=data.effective_on,
        rationale=data.rationale,
        skip_reason=data.skip_reason,
        evidence=[link.model_dump(mode="json") for link in data.evidence],
        actor=principal.subject,
    )
    repo.add(move)
    touch(row)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="transition",
        entity_type=ENTITY,
        entity_id=row.id,
        changes={
            "stage": [move.from_stage, move.to_stage],
            "effective_on": data.effective_on,
            "rationale": data.rationale,
            "skip_reason": data.skip_reason,
            "evidence": move.evidence,
        },
    )
    await uow.commit()
    return ImplementationView(row, CurrentStage(move.to_stage, move.effective_on))


def _timeline(implementation_id: UUID, rows: list[StageTransition], today: date) -> TimelineRead:
    moves = _moves(rows)
    spans = periods(moves, today)
    last = spans[-1] if spans else None
    return TimelineRead(
        implementation_id=implementation_id,
        stage=last.stage if last else None,
        days_in_stage=last.days if last else None,
        transitions=[StageTransitionRead.model_validate(r) for r in rows],
        periods=[
            StagePeriodRead(
                stage=s.stage, started_on=s.started_on, ended_on=s.ended_on, days=s.days
            )
            for s in spans
        ],
    )


async def timeline(
    uow: UnitOfWork, principal: Principal, implementation_id: UUID, *, today: date | None = None
) -> TimelineRead:
    view = await get_implementation(uow, principal, implementation_id)
    rows = await ImplementationRepository(uow.session).transitions_of([view.implementation.id])
    return _timeline(view.implementation.id, rows[view.implementation.id], today or date.today())


async def timelines_by_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, TimelineRead]:
    """Batch read for DataLoaders: the timelines of the implementations the caller may see."""
    access = visible_to(principal, Scope.implementation_read)
    repo = ImplementationRepository(uow.session)
    visible = [r.id for r in await repo.implementations_by_ids(access, ids)]
    if not visible:
        return {}
    rows = await repo.transitions_of(visible)
    today = date.today()
    return {i: _timeline(i, rows[i], today) for i in visible}


async def stage_as_of(
    uow: UnitOfWork, principal: Principal, implementation_id: UUID, as_of: date
) -> StageOnDate:
    view = await get_implementation(uow, principal, implementation_id)
    rows = await ImplementationRepository(uow.session).transitions_of([view.implementation.id])
    return StageOnDate(
        implementation_id=view.implementation.id,
        as_of=as_of,
        stage=stage_on(_moves(rows[view.implementation.id]), as_of),
    )


async def add_adaptation(
    uow: UnitOfWork,
    principal: Principal,
    implementation_id: UUID,
    data: AdaptationCreate,
    *,
    expected_version: int,
) -> Adaptation:
    """Records how this site flexes an adaptable core component. Fixed components are
    adhered to wherever the innovation spreads, so adapting one is refused."""
    row = await _owned(uow, principal, implementation_id, expected_version)
    repo = ImplementationRepository(uow.session)
    component = await repo.get_component(data.component_id)
    profile = (
        await repo.get_profile(
            visible_to(principal, Scope.implementation_write), component.profile_version_id
        )
        if component is not None
        else None
    )
    if component is None or profile is None or profile.innovation_id != row.innovation_id:
        raise ValidationFailed(
            [FieldError("/component_id", "is not a core component of this innovation")]
        )
    if row.profile_version_id is not None and profile.id != row.profile_version_id:
        raise ValidationFailed(
            [
                FieldError(
                    "/component_id",
                    "belongs to another profile version than the one this site implements",
                )
            ]
        )
    if component.fixed_or_adaptable == ComponentFlexibility.fixed.value:
        raise ValidationFailed(
            [
                FieldError(
                    "/component_id",
                    f"'{component.name}' is a fixed component: it is adhered to closely "
                    "wherever the innovation spreads and cannot be adapted",
                    "fixed_component",
                )
            ]
        )
    adaptation = Adaptation(
        implementation_id=row.id,
        component_id=component.id,
        description=data.description,
        rationale=data.rationale,
        adopted_on=data.adopted_on,
        created_by=principal.subject,
    )
    repo.add(adaptation)
    touch(row)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="adapt",
        entity_type=ENTITY,
        entity_id=row.id,
        changes={"component_id": component.id, "description": data.description},
    )
    await uow.commit()
    return adaptation


async def list_adaptations(
    uow: UnitOfWork, principal: Principal, implementation_id: UUID
) -> list[Adaptation]:
    view = await get_implementation(uow, principal, implementation_id)
    return await ImplementationRepository(uow.session).adaptations_of(view.implementation.id)


async def implementations_by_team_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, list[ImplementationView]]:
    """Batch read for DataLoaders: the implementations each visible team leads."""
    access = visible_to(principal, Scope.implementation_read)
    repo = ImplementationRepository(uow.session)
    visible = [t.id for t in await repo.teams_by_ids(access, ids)]
    if not visible:
        return {}
    led = await repo.implementations_of_teams(access, visible)
    stages = await repo.current_stages([r.id for rows in led.values() for r in rows])
    return {
        team_id: [ImplementationView(r, stages.get(r.id)) for r in rows]
        for team_id, rows in led.items()
    }


async def adaptations_by_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, list[Adaptation]]:
    """Batch read for DataLoaders: the adaptations of each implementation the caller sees."""
    access = visible_to(principal, Scope.implementation_read)
    repo = ImplementationRepository(uow.session)
    visible = [r.id for r in await repo.implementations_by_ids(access, ids)]
    return await repo.adaptations_of_many(visible) if visible else {}


async def stage_summary(
    uow: UnitOfWork, principal: Principal, programme_id: UUID, as_of: date | None = None
) -> StageSummary:
    """Per site and per innovation: how many implementations the caller may see are in each
    stage on `as_of` (today by default), and their median days in that stage. One SQL
    statement whatever the number of implementations."""
    access = visible_to(principal, Scope.implementation_read)
    day = as_of or date.today()
    if programme_id not in principal.programme_ids:
        raise NotFound("No programme with that id.")
    rows = await ImplementationRepository(uow.session).stage_summary(access, programme_id, day)
    by_site: dict[UUID, dict[str, StageCount]] = {}
    by_innovation: dict[UUID, dict[str, StageCount]] = {}
    for site_id, innovation_id, stage, count, median in rows:
        target = by_site.setdefault(site_id, {}) if site_id else None
        if target is None and innovation_id is not None:
            target = by_innovation.setdefault(innovation_id, {})
        if target is not None:
            target[stage] = StageCount(
                stage=Stage(stage), implementations=count, median_days_in_stage=median
            )

    def groups(found: dict[UUID, dict[str, StageCount]]) -> list[StageSummaryGroup]:
        return [
            StageSummaryGroup(
                id=key,
                stages=[
                    counts.get(s.value)
                    or StageCount(stage=s, implementations=0, median_days_in_stage=None)
                    for s in Stage
                ],
            )
            for key, counts in sorted(found.items(), key=lambda item: str(item[0]))
        ]

    return StageSummary(
        programme_id=programme_id,
        as_of=day,
        by_site=groups(by_site),
        by_innovation=groups(by_innovation),
    )
