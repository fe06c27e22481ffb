"""Use cases for PDSA cycle records. REST and GraphQL both call these."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.exc import IntegrityError

from domain.audit import service as audit
from domain.improvement.models import ActDecision, Cycle, CycleStatus, CycleTransition
from domain.improvement.repository import (
    CycleRepository,
    RampRepository,
    TransitionRepository,
)
from domain.improvement.repository import cycles_by_phase as cycles_by_phase_query
from domain.improvement.rules import date_errors, phase_spans, transition_problem, update_errors
from domain.improvement.schemas import (
    CycleCreate,
    CycleFilters,
    CycleHistory,
    CycleRead,
    CycleTransitionCreate,
    CycleUpdate,
    PhaseRead,
    TransitionRead,
)
from domain.shared.authz import RowAccess, require_owner, visible_to
from domain.shared.errors import (
    Conflict,
    FieldError,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from domain.shared.ids import utcnow
from domain.shared.pagination import Page, PageRequest, make_page
from domain.shared.principal import Principal, Scope
from domain.shared.uow import UnitOfWork
from domain.tenancy.repository import TenancyRepository

ENTITY = "cycle"
STATUS_BY_TRANSITION = FieldError(
    "/status", "changes only through POST /v1/cycles/{id}/transitions", "use_transition"
)
# A ramp moves on after the team learned something worth building on.
LEADS_ON = frozenset({ActDecision.adapt.value, ActDecision.adopt.value})


def _snapshot(cycle: Cycle) -> dict[str, object]:
    return CycleRead.model_validate(cycle).model_dump(mode="json")


async def _check_placement(
    uow: UnitOfWork,
    principal: Principal,
    programme_id: UUID,
    site_id: UUID | None,
    errors: list[FieldError] | None = None,
) -> None:
    errors = list(errors or [])
    if programme_id not in principal.programme_ids:
        errors.append(
            FieldError("/programme_id", "is not a programme your organisation belongs to")
        )
    elif site_id is not None and not await TenancyRepository(uow.session).site_in_programme(
        site_id, programme_id
    ):
        errors.append(FieldError("/site_id", "is not a site of this programme's members"))
    if errors:
        raise ValidationFailed(errors)


async def _ramp_errors(
    uow: UnitOfWork,
    access: RowAccess,
    *,
    cycle_id: UUID | None,
    programme_id: UUID,
    ramp_id: UUID | None,
    previous_cycle_id: UUID | None,
) -> list[FieldError]:
    """A cycle joins a ramp of its own organisation in its own programme, and follows a
    cycle of that ramp whose act decision was to adapt or adopt."""
    if ramp_id is None:
        if previous_cycle_id is not None:
            return [FieldError("/ramp_id", "is needed when previous_cycle_id is given")]
        return []
    ramp = await RampRepository(uow.session).get(access, ramp_id)
    if (
        ramp is None
        or ramp.organisation_id != access.organisation_id
        or ramp.programme_id != programme_id
    ):
        return [FieldError("/ramp_id", "is not a ramp of your organisation in this programme")]
    if previous_cycle_id is None:
        return []
    previous = await CycleRepository(uow.session).get(access, previous_cycle_id)
    if previous is None or previous.ramp_id != ramp_id or previous.id == cycle_id:
        return [FieldError("/previous_cycle_id", "is not another cycle of this ramp")]
    if previous.act_decision not in LEADS_ON:
        return [
            FieldError(
                "/previous_cycle_id",
                "has no adapt or adopt decision yet, so no cycle follows it",
                "not_decided",
            )
        ]
    if cycle_id is not None and await _leads_back_to(uow, access, previous, cycle_id):
        return [FieldError("/previous_cycle_id", "would make the ramp a loop", "loop")]
    return []


async def _leads_back_to(uow: UnitOfWork, access: RowAccess, start: Cycle, cycle_id: UUID) -> bool:
    """Whether following `previous_cycle_id` back from `start` reaches `cycle_id`."""
    repo, seen = CycleRepository(uow.session), set()
    current: Cycle | None = start
    while current is not None and current.previous_cycle_id is not None:
        if current.previous_cycle_id == cycle_id:
            return True
        if current.id in seen:  # an older loop; stop rather than walk it forever
            return False
        seen.add(current.id)
        current = await repo.get(access, current.previous_cycle_id)
    return False


async def _flush_links(uow: UnitOfWork) -> None:
    try:
        await uow.session.flush()
    except IntegrityError as exc:
        # The unique index on previous_cycle_id: a ramp is a chain, not a tree.
        raise Conflict("That cycle already has a next cycle in its ramp.") from exc


async def create_cycle(uow: UnitOfWork, principal: Principal, data: CycleCreate) -> Cycle:
    access = visible_to(principal, Scope.cycles_write)
    errors = date_errors(data.start_date, data.end_date)
    if "status" in data.model_fields_set:
        errors.append(STATUS_BY_TRANSITION)
    errors += await _ramp_errors(
        uow,
        access,
        cycle_id=None,
        programme_id=data.programme_id,
        ramp_id=data.ramp_id,
        previous_cycle_id=data.previous_cycle_id,
    )
    await _check_placement(uow, principal, data.programme_id, data.site_id, errors)
    cycle = Cycle(
        **data.model_dump(exclude={"status"}),
        status=CycleStatus.plan.value,
        organisation_id=access.organisation_id,
        created_by=principal.subject,
    )
    CycleRepository(uow.session).add(cycle)
    await _flush_links(uow)
    TransitionRepository(uow.session).add(
        CycleTransition(
            cycle_id=cycle.id,
            from_status=None,
            to_status=cycle.status,
            occurred_at=cycle.created_at,
            actor=principal.subject,
        )
    )
    audit.record(
        uow,
        principal,
        action="create",
        entity_type=ENTITY,
        entity_id=cycle.id,
        changes=_snapshot(cycle),
    )
    await uow.commit()
    return cycle


async def get_cycle(uow: UnitOfWork, principal: Principal, cycle_id: UUID) -> Cycle:
    access = visible_to(principal, Scope.cycles_read)
    cycle = await CycleRepository(uow.session).get(access, cycle_id)
    if cycle is None:
        raise NotFound("No cycle with that id.")
    return cycle


async def get_cycles_by_ids(
    uow: UnitOfWork, principal: Principal, cycle_ids: list[UUID]
) -> dict[UUID, Cycle]:
    """Batch read for DataLoaders; ids the caller may not see are simply absent."""
    access = visible_to(principal, Scope.cycles_read)
    rows = await CycleRepository(uow.session).get_many_by_ids(access, cycle_ids)
    return {row.id: row for row in rows}


async def list_cycles(
    uow: UnitOfWork, principal: Principal, filters: CycleFilters, page: PageRequest
) -> Page[Cycle]:
    access = visible_to(principal, Scope.cycles_read)
    rows = await CycleRepository(uow.session).list(access, filters, page)
    return make_page(rows, page, lambda c: c.id)


async def _editable(
    uow: UnitOfWork, principal: Principal, cycle_id: UUID, expected_version: int
) -> Cycle:
    access = visible_to(principal, Scope.cycles_write)
    # Row lock: two writers with the same version cannot both pass the check below.
    cycle = await CycleRepository(uow.session).get(access, cycle_id, for_update=True)
    if cycle is None:
        raise NotFound("No cycle with that id.")
    require_owner(principal, Scope.cycles_write, cycle, "cycle")
    if cycle.version != expected_version:
        raise PreconditionFailed(
            f"The cycle is at version {cycle.version}, not {expected_version}.", cycle.version
        )
    return cycle


async def update_cycle(
    uow: UnitOfWork,
    principal: Principal,
    cycle_id: UUID,
    data: CycleUpdate,
    *,
    expected_version: int,
) -> Cycle:
    cycle = await _editable(uow, principal, cycle_id, expected_version)
    changes = data.model_dump(exclude_unset=True)
    start = changes.get("start_date", cycle.start_date)
    end = changes.get("end_date", cycle.end_date)
    errors = update_errors(changes, start, end)
    if "status" in changes:
        errors.append(STATUS_BY_TRANSITION)
    if changes.get("ramp_id", cycle.ramp_id) != cycle.ramp_id and await CycleRepository(
        uow.session
    ).has_successor(cycle.id):
        raise Conflict("A cycle follows this one in its ramp; move or unlink that cycle first.")
    if "ramp_id" in changes or "previous_cycle_id" in changes:
        errors += await _ramp_errors(
            uow,
            visible_to(principal, Scope.cycles_write),
            cycle_id=cycle.id,
            programme_id=cycle.programme_id,
            ramp_id=changes.get("ramp_id", cycle.ramp_id),
            previous_cycle_id=changes.get("previous_cycle_id", cycle.previous_cycle_id),
        )
    if errors:
        raise ValidationFailed(errors)
    if "site_id" in changes and changes["site_id"] is not None:
        await _check_placement(uow, principal, cycle.programme_id, changes["site_id"])
    before = _snapshot(cycle)
    for name, value in changes.items():
        setattr(cycle, name, value)
    after = _snapshot(cycle)
    changed = audit.diff(before, after)
    if changed:
        cycle.version += 1
        cycle.updated_at = utcnow()
        await _flush_links(uow)
        audit.record(
            uow,
            principal,
            action="update",
            entity_type=ENTITY,
            entity_id=cycle.id,
            changes=changed,
        )
        await uow.commit()
    return cycle


async def delete_cycle(
    uow: UnitOfWork, principal: Principal, cycle_id: UUID, *, expected_version: int
) -> None:
    cycle = await _editable(uow, principal, cycle_id, expected_version)
    cycle.deleted_at = utcnow()
    cycle.updated_at = cycle.deleted_at
    cycle.version += 1
    await uow.session.flush()
    audit.record(
        uow, principal, action="delete", entity_type=ENTITY, entity_id=cycle.id, changes={}
    )
    await uow.commit()


async def transition_cycle(
    uow: UnitOfWork,
    principal: Principal,
    cycle_id: UUID,
    data: CycleTransitionCreate,
    *,
    expected_version: int,
) -> Cycle:
    """Moves the cycle to its next phase (or abandons it), if it has what the phase needs."""
    cycle = await _editable(uow, principal, cycle_id, expected_version)
    problem = transition_problem(_snapshot(cycle), data.to, data.reason)
    if problem is not None:
        raise problem
    moved_from = cycle.status
    now = utcnow()
    cycle.status = data.to.value
    if data.to is CycleStatus.abandoned:
        cycle.abandon_reason = data.reason
    cycle.version += 1
    cycle.updated_at = now
    TransitionRepository(uow.session).add(
        CycleTransition(
            cycle_id=cycle.id,
            from_status=moved_from,
            to_status=cycle.status,
            occurred_at=now,
            reason=data.reason,
            actor=principal.subject,
        )
    )
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="transition",
        entity_type=ENTITY,
        entity_id=cycle.id,
        changes={"status": [moved_from, cycle.status], "reason": data.reason},
    )
    await uow.commit()
    return cycle


def _history(transitions: list[CycleTransition]) -> CycleHistory:
    now = utcnow()
    spans = phase_spans([(CycleStatus(t.to_status), t.occurred_at) for t in transitions])
    return CycleHistory(
        transitions=[TransitionRead.model_validate(t) for t in transitions],
        phases=[
            PhaseRead(
                status=span.status,
                started_at=span.started_at,
                ended_at=span.ended_at,
                seconds=span.seconds(now),
            )
            for span in spans
        ],
    )


async def histories_by_cycle_ids(
    uow: UnitOfWork, principal: Principal, cycle_ids: list[UUID]
) -> dict[UUID, CycleHistory]:
    """Batch read for DataLoaders: the phase history of each cycle the caller may see."""
    visible = await get_cycles_by_ids(uow, principal, cycle_ids)
    moves = await TransitionRepository(uow.session).for_cycles(list(visible))
    return {cycle_id: _history(rows) for cycle_id, rows in moves.items()}


async def cycle_history(uow: UnitOfWork, principal: Principal, cycle_id: UUID) -> CycleHistory:
    cycle = await get_cycle(uow, principal, cycle_id)
    moves = await TransitionRepository(uow.session).for_cycles([cycle.id])
    return _history(moves[cycle.id])


@dataclass(frozen=True)
class Phase:
    status: CycleStatus
    total: int
    cycles: list[Cycle]


async def cycles_by_phase(
    uow: UnitOfWork, principal: Principal, programme_id: UUID, *, per_phase: int = 20
) -> list[Phase]:
    """A programme's cycles the caller may see, grouped by phase in workflow order: each
    phase's total and its newest cycles (for dashboards)."""
    access = visible_to(principal, Scope.cycles_read)
    if not 1 <= per_phase <= 200:
        raise ValidationFailed(
            [FieldError("perPhase", "must be between 1 and 200", "out_of_range", "argument")]
        )
    found: dict[str, Phase] = {}
    for cycle, total in await cycles_by_phase_query(uow.session, access, programme_id, per_phase):
        phase = found.setdefault(cycle.status, Phase(CycleStatus(cycle.status), total, []))
        phase.cycles.append(cycle)
    return [found.get(s.value) or Phase(s, 0, []) for s in CycleStatus]
