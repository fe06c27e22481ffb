"""Use cases for observations: submit one or a batch, read, list, edit, delete. REST and
GraphQL both call these.

Observations belong to their author: only the author (the principal's subject, in its
organisation) reads, edits, deletes and syncs them, with the scope `observations:write`.
Another organisation's caller gets 404 for them, and so does a colleague.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from pydantic import ValidationError

from domain.audit import service as audit
from domain.implementation.models import ProfileStatus
from domain.improvement.measures import points
from domain.improvement.measures.models import Measure, ReportingPeriod, ValueType
from domain.improvement.measures.repository import MeasureRepository
from domain.improvement.measures.rules import PointValues, period_errors, point_values
from domain.improvement.measures.schemas import DataPointWrite
from domain.improvement.models import Cycle
from domain.improvement.repository import CycleRepository
from domain.observations.models import Observation, ObservationKind
from domain.observations.repository import NewObservation, ObservationRepository, ProfileRepository
from domain.observations.rules import MAX_BATCH, content_hash, future_errors, rating_errors
from domain.observations.schemas import (
    SUBMIT_ADAPTER,
    SUBMIT_LIST_ADAPTER,
    CycleNoteIn,
    DataPointIn,
    FidelityIn,
    GeneralIn,
    ObservationFilters,
    ObservationRead,
    ObservationUpdate,
    SubmitOutcome,
)
from domain.shared.authz import RowAccess, visible_to
from domain.shared.context import request_id_var
from domain.shared.errors import (
    Conflict,
    DomainError,
    FieldError,
    InsufficientScope,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from domain.shared.ids import utcnow
from domain.shared.pagination import Page, PageRequest, make_page
from domain.shared.principal import Principal, Scope
from domain.shared.schemas import SERVER_OWNED_FIELDS
from domain.shared.uow import UnitOfWork

ENTITY = "observation"
NOT_FOUND = "No observation with that id."
SERVER_OWNED = SERVER_OWNED_FIELDS | {"received_at"}

Submitted = CycleNoteIn | DataPointIn | FidelityIn | GeneralIn
# Exact-type checks: isinstance on pydantic models goes through ABCMeta, which is slow for
# 500 items at a time.
_SUBMITTED_TYPES = frozenset({CycleNoteIn, DataPointIn, FidelityIn, GeneralIn})


class BatchTooLarge(DomainError):
    """More items than a batch may hold; answered 413 by REST."""

    code = "too_many_items"
    title = "Too many items"


class ReferenceNotFound(NotFound):
    """The observation names a cycle, measure or profile version the caller cannot see:
    answered like any record that is not there (404), with the field that names it."""

    def __init__(self, detail: str, pointer: str) -> None:
        super().__init__(detail)
        self.errors = [FieldError(pointer, "names nothing you may see", "not_found")]


class StaleObservation(PreconditionFailed):
    """An edit or delete against an old version; carries the current record so the app
    can show both."""

    def __init__(self, current: Observation, expected: int) -> None:
        super().__init__(
            f"The observation is at version {current.version}, not {expected}.", current.version
        )
        self.current = current


@dataclass
class ItemResult:
    index: int
    id: UUID | None
    outcome: SubmitOutcome
    observation: ObservationRead | None = None
    error: DomainError | None = None


@dataclass
class BatchResult:
    results: list[ItemResult]
    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.counts = {o.value: 0 for o in SubmitOutcome}
        for result in self.results:
            self.counts[result.outcome.value] += 1


class _SameTransaction(UnitOfWork):
    """Lends our session to another area's use case (the measures service) so that its
    writes join our transaction: its commit only flushes, and ours commits once at the end."""

    def __init__(self, outer: UnitOfWork) -> None:
        self._session = outer.session

    async def commit(self) -> None:
        await self.session.flush()


def _snapshot(observation: Observation) -> dict[str, Any]:
    return ObservationRead.model_validate(observation).model_dump(mode="json")


def _pydantic_errors(exc: ValidationError) -> list[FieldError]:
    kinds = {k.value for k in ObservationKind}
    out: list[FieldError] = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        if loc and loc[0] in kinds:  # the union's tag, not a field
            loc = loc[1:]
        code = str(err["type"])
        message = str(err["msg"])
        if code in ("union_tag_not_found", "union_tag_invalid"):
            loc, message = ["kind"], "must be one of " + ", ".join(sorted(kinds))
        elif code == "extra_forbidden":
            owned = bool(loc) and loc[-1] in SERVER_OWNED
            message = (
                "is set by the server and may not be sent"
                if owned
                else ("is not a field of this kind of observation")
            )
            code = "server_owned" if owned else "unknown_field"
        out.append(FieldError("/" + "/".join(loc), message, code))
    return out


def _parse_all(items: Sequence[Any]) -> list[Submitted | ValidationError]:
    """Each item parsed, or why not. A batch is usually all good, and one call for the
    whole list costs half of one call per item; only a batch with a bad item pays for
    parsing item by item to say which."""
    if all(type(raw) in _SUBMITTED_TYPES for raw in items):
        return list(items)
    try:
        return list(SUBMIT_LIST_ADAPTER.validate_python(items))
    except ValidationError:
        pass
    out: list[Submitted | ValidationError] = []
    for raw in items:
        try:
            out.append(
                raw if type(raw) in _SUBMITTED_TYPES else SUBMIT_ADAPTER.validate_python(raw)
            )
        except ValidationError as exc:
            out.append(exc)
    return out


def _raw_id(raw: Any) -> UUID | None:
    try:
        return UUID(str(raw["id"])) if isinstance(raw, dict) else None
    except (KeyError, ValueError):
        return None


@dataclass
class _Accepted:
    index: int
    item: Submitted
    digest: str
    programme_id: UUID
    point: PointValues | None = None


async def _check_references(
    uow: UnitOfWork,
    principal: Principal,
    access: RowAccess,
    parsed: list[tuple[int, Submitted]],
) -> tuple[list[_Accepted], dict[int, DomainError]]:
    """Looks up every cycle, measure and profile version the items name, one statement
    per kind, and checks each item against what it names."""
    session = uow.session
    cycle_ids = {i.cycle_id for _, i in parsed if type(i) is CycleNoteIn}
    measure_ids = {i.measure_id for _, i in parsed if type(i) is DataPointIn}
    version_ids = {i.profile_version_id for _, i in parsed if type(i) is FidelityIn}
    cycles: dict[UUID, Cycle] = (
        {c.id: c for c in await CycleRepository(session).get_many_by_ids(access, list(cycle_ids))}
        if cycle_ids
        else {}
    )
    measures: dict[UUID, Measure] = (
        {m.id: m for m in await MeasureRepository(session).get_many(access, list(measure_ids))}
        if measure_ids
        else {}
    )
    profiles = ProfileRepository(session)
    versions = await profiles.versions(access, list(version_ids))
    components = await profiles.component_ids(list(versions))

    accepted: list[_Accepted] = []
    rejected: dict[int, DomainError] = {}
    for index, item in parsed:
        digest = content_hash(item)
        if type(item) is CycleNoteIn:
            cycle = cycles.get(item.cycle_id)
            if cycle is None:
                rejected[index] = ReferenceNotFound("No cycle with that id.", "/cycle_id")
                continue
            accepted.append(_Accepted(index, item, digest, cycle.programme_id))
        elif type(item) is DataPointIn:
            measure = measures.get(item.measure_id)
            if Scope.cycles_write.value not in principal.scopes:
                # The point is written through the measures service, which needs it.
                rejected[index] = InsufficientScope(Scope.cycles_write.value)
                continue
            if measure is None or measure.organisation_id != access.organisation_id:
                rejected[index] = ReferenceNotFound("No measure with that id.", "/measure_id")
                continue
            values, errors = point_values(
                ValueType(measure.value_type),
                value=item.value,
                numerator=item.numerator,
                denominator=item.denominator,
                note=item.text,
            )
            errors = period_errors(item.period, ReportingPeriod(measure.reporting_period)) + errors
            if errors or values is None:
                rejected[index] = ValidationFailed(errors)
                continue
            accepted.append(_Accepted(index, item, digest, measure.programme_id, values))
        elif type(item) is FidelityIn:
            version = versions.get(item.profile_version_id)
            if version is None:
                rejected[index] = ReferenceNotFound(
                    "No practice-profile version with that id.", "/profile_version_id"
                )
                continue
            if version.status != ProfileStatus.published.value:
                rejected[index] = ValidationFailed(
                    [
                        FieldError(
                            "/profile_version_id",
                            "is a draft; rate practice against a published version",
                            "not_published",
                        )
                    ]
                )
                continue
            errors = rating_errors(item.ratings, components.get(version.id, set()))
            if errors:
                rejected[index] = ValidationFailed(errors)
                continue
            accepted.append(_Accepted(index, item, digest, version.programme_id))
        else:
            general = cast(GeneralIn, item)
            if general.programme_id not in principal.programme_ids:
                rejected[index] = ValidationFailed(
                    [FieldError("/programme_id", "is not a programme your organisation belongs to")]
                )
                continue
            accepted.append(_Accepted(index, item, digest, general.programme_id))
    return accepted, rejected


def _new_row(accepted: _Accepted) -> NewObservation:
    item = accepted.item
    point = accepted.point
    return NewObservation(
        id=item.id,
        programme_id=accepted.programme_id,
        kind=item.kind.value,
        observed_at=item.observed_at,
        cycle_id=item.cycle_id if type(item) is CycleNoteIn else None,
        measure_id=item.measure_id if type(item) is DataPointIn else None,
        period=item.period if type(item) is DataPointIn else None,
        value=point.value if point else None,
        numerator=point.numerator if point else None,
        denominator=point.denominator if point else None,
        profile_version_id=item.profile_version_id if type(item) is FidelityIn else None,
        practitioner=item.practitioner if type(item) is FidelityIn else None,
        ratings=(
            [r.model_dump(mode="json") for r in item.ratings] if type(item) is FidelityIn else None
        ),
        text=item.text,
        tags=list(item.tags),
        location_label=item.location_label,
        content_hash=accepted.digest,
    )


def _stored(
    row: NewObservation, organisation_id: UUID, author: str, now: datetime
) -> ObservationRead:
    """What was just inserted, as the caller will read it back (no ORM object: building
    500 of those costs more than the INSERT)."""
    return ObservationRead(
        id=row.id,
        kind=ObservationKind(row.kind),
        organisation_id=organisation_id,
        programme_id=row.programme_id,
        observed_at=row.observed_at,
        received_at=now,
        cycle_id=row.cycle_id,
        measure_id=row.measure_id,
        period=row.period,
        value=row.value,
        numerator=row.numerator,
        denominator=row.denominator,
        profile_version_id=row.profile_version_id,
        practitioner=row.practitioner,
        ratings=row.ratings,  # dicts, validated into RatingRead
        text=row.text,
        tags=row.tags,
        location_label=row.location_label,
        created_at=now,
        updated_at=now,
        created_by=author,
        version=1,
    )


async def submit_observations(
    uow: UnitOfWork,
    principal: Principal,
    items: Sequence[Any],
    *,
    clock_skew_seconds: int,
    echo_created: bool = True,
) -> BatchResult:
    """Stores each new observation once, whatever was sent before or is being sent at the
    same moment. Every item gets a result in input order: created, duplicate (nothing
    written; the stored record), conflict (nothing written) or rejected (why, with
    pointers relative to the item). Good items are kept when others are rejected. A data
    point observation also sets its measure's point for the period, in this transaction.
    `echo_created=False` leaves the record out of created results (the sender has it),
    which keeps large batches cheap."""
    access = visible_to(principal, Scope.observations_write)
    if len(items) > MAX_BATCH:
        raise BatchTooLarge(
            f"A batch holds at most {MAX_BATCH} observations; this one has {len(items)}. "
            "Split it and send the parts."
        )
    now = utcnow()
    results: list[ItemResult | None] = [None] * len(items)
    parsed: list[tuple[int, Submitted]] = []
    for index, (raw, outcome) in enumerate(zip(items, _parse_all(items), strict=True)):
        if isinstance(outcome, ValidationError):
            invalid = ValidationFailed(_pydantic_errors(outcome))
            results[index] = ItemResult(index, _raw_id(raw), SubmitOutcome.rejected, error=invalid)
            continue
        errors = future_errors(outcome.observed_at, now, clock_skew_seconds)
        if errors:
            early = ValidationFailed(errors)
            results[index] = ItemResult(index, outcome.id, SubmitOutcome.rejected, error=early)
            continue
        parsed.append((index, outcome))

    accepted, rejected = await _check_references(uow, principal, access, parsed)
    ids_by_index = {index: item.id for index, item in parsed}
    for index, error in rejected.items():
        results[index] = ItemResult(index, ids_by_index[index], SubmitOutcome.rejected, error=error)

    # The first good item with an id is written; later ones with that id repeat it.
    primary: dict[UUID, _Accepted] = {}
    repeats: list[_Accepted] = []
    for one in accepted:
        if one.item.id in primary:
            repeats.append(one)
        else:
            primary[one.item.id] = one
    rows = {item_id: _new_row(one) for item_id, one in primary.items()}
    repo = ObservationRepository(uow.session)
    organisation_id, author = access.organisation_id, principal.subject
    created = await repo.insert_new(
        list(rows.values()), organisation_id=organisation_id, author=author, now=now
    )
    stored = await repo.stored_for_comparison([i for i in primary if i not in created])

    final: dict[UUID, ObservationRead | None] = {}
    for item_id, one in primary.items():
        if item_id in created:
            final[item_id] = (
                _stored(rows[item_id], organisation_id, author, now) if echo_created else None
            )
            results[one.index] = ItemResult(
                one.index, item_id, SubmitOutcome.created, final[item_id]
            )
            continue
        existing = stored.get(item_id)
        own = (
            existing is not None
            and existing.organisation_id == organisation_id
            and existing.created_by == author
        )
        if existing is not None and own and existing.content_hash == one.digest:
            final[item_id] = (
                None if existing.deleted_at else ObservationRead.model_validate(existing)
            )
            results[one.index] = ItemResult(
                one.index, item_id, SubmitOutcome.duplicate, final[item_id]
            )
        else:
            final[item_id] = None
            results[one.index] = ItemResult(
                one.index,
                item_id,
                SubmitOutcome.conflict,
                ObservationRead.model_validate(existing)
                if own and existing and not existing.deleted_at
                else None,
                Conflict("An observation with this id and other content is already stored."),
            )
    for one in repeats:
        first = primary[one.item.id]
        same = one.digest == first.digest and results[first.index] is not None
        first_result = results[first.index]
        if same and first_result is not None and first_result.outcome is not SubmitOutcome.conflict:
            record = final.get(one.item.id)
            if record is None and first_result.outcome is SubmitOutcome.created:
                record = _stored(rows[one.item.id], organisation_id, author, now)
            results[one.index] = ItemResult(one.index, one.item.id, SubmitOutcome.duplicate, record)
        else:
            results[one.index] = ItemResult(
                one.index,
                one.item.id,
                SubmitOutcome.conflict,
                error=Conflict("This batch holds another observation with the same id."),
            )

    if created:
        await _record_created(uow, principal, [primary[i] for i in created])
        await _update_points(
            uow, principal, [primary[i] for i in created if primary[i].point is not None]
        )
        await uow.commit()
    return BatchResult([r for r in results if r is not None])


async def _record_created(uow: UnitOfWork, principal: Principal, accepted: list[_Accepted]) -> None:
    """One audit row per created observation: its kind, time and the fingerprint of its
    content (the content itself is the observation row, which only audited edits change)."""
    await ObservationRepository(uow.session).audit_created(
        [
            (
                one.item.id,
                {
                    "kind": one.item.kind.value,
                    "observed_at": one.item.observed_at.isoformat(),
                    "content_hash": one.digest,
                },
            )
            for one in accepted
        ],
        now=utcnow(),
        actor=principal.subject,
        client_id=principal.client_id,
        organisation_id=principal.organisation_id,
        request_id=request_id_var.get(),
        entity_type=ENTITY,
    )


async def _update_points(uow: UnitOfWork, principal: Principal, accepted: list[_Accepted]) -> None:
    """Each data point observation sets its measure's point for the period through the
    measures service; the latest observation of a period wins."""
    lent = _SameTransaction(uow)
    ordered = sorted(
        accepted,
        key=lambda a: (
            (a.item.measure_id, a.item.observed_at)
            if type(a.item) is DataPointIn
            else (a.item.id, a.item.observed_at)
        ),
    )
    for one in ordered:
        item = one.item
        point = one.point
        if type(item) is not DataPointIn or point is None:
            continue
        await points.upsert_point(
            lent,
            principal,
            item.measure_id,
            item.period,
            DataPointWrite(
                value=point.value,
                numerator=point.numerator,
                denominator=point.denominator,
                note=point.note,
            ),
        )


async def submit_observation(
    uow: UnitOfWork, principal: Principal, item: Any, *, clock_skew_seconds: int
) -> ItemResult:
    """One observation: created or duplicate; a conflict raises Conflict (409), a rejected
    item raises its own error (422, or 404 for a subject the caller cannot see)."""
    result = (
        await submit_observations(uow, principal, [item], clock_skew_seconds=clock_skew_seconds)
    ).results[0]
    if result.error is not None:
        raise result.error
    return result


async def get_observation(
    uow: UnitOfWork, principal: Principal, observation_id: UUID
) -> Observation:
    access = visible_to(principal, Scope.observations_write)
    row = await ObservationRepository(uow.session).get_own(
        access, principal.subject, observation_id
    )
    if row is None:
        raise NotFound(NOT_FOUND)
    return row


async def get_observations_by_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, Observation]:
    """Batch read for DataLoaders; ids the caller may not see are simply absent."""
    access = visible_to(principal, Scope.observations_write)
    rows = await ObservationRepository(uow.session).get_many_own(access, principal.subject, ids)
    return {row.id: row for row in rows}


async def list_observations(
    uow: UnitOfWork, principal: Principal, filters: ObservationFilters, page: PageRequest
) -> Page[Observation]:
    access = visible_to(principal, Scope.observations_write)
    rows = await ObservationRepository(uow.session).list_own(
        access, principal.subject, filters, page
    )
    return make_page(rows, page, lambda o: o.id)


async def _editable(
    uow: UnitOfWork, principal: Principal, observation_id: UUID, expected_version: int
) -> tuple[RowAccess, Observation]:
    access = visible_to(principal, Scope.observations_write)
    row = await ObservationRepository(uow.session).get_own(
        access, principal.subject, observation_id, for_update=True
    )
    if row is None:
        raise NotFound(NOT_FOUND)
    if row.version != expected_version:
        raise StaleObservation(row, expected_version)
    return access, row


KIND_FIELDS = {
    "value": ObservationKind.data_point,
    "numerator": ObservationKind.data_point,
    "denominator": ObservationKind.data_point,
    "practitioner": ObservationKind.fidelity,
    "ratings": ObservationKind.fidelity,
}
NULLABLE = frozenset({"location_label", "practitioner", "value", "numerator", "denominator"})


async def update_observation(
    uow: UnitOfWork,
    principal: Principal,
    observation_id: UUID,
    data: ObservationUpdate,
    *,
    expected_version: int,
    clock_skew_seconds: int,
) -> Observation:
    access, row = await _editable(uow, principal, observation_id, expected_version)
    changes = data.model_dump(exclude_unset=True)
    errors = [
        FieldError(f"/{name}", "may not be null", "null_not_allowed")
        for name, value in changes.items()
        if value is None and name not in NULLABLE
    ]
    errors += [
        FieldError(f"/{name}", f"is only for {kind.value} observations", "not_allowed")
        for name, kind in KIND_FIELDS.items()
        if name in changes and row.kind != kind.value
    ]
    if changes.get("observed_at") is not None:
        errors += future_errors(changes["observed_at"], utcnow(), clock_skew_seconds)
    if errors:
        raise ValidationFailed(errors)
    if data.ratings is not None and row.profile_version_id is not None:
        components = await ProfileRepository(uow.session).component_ids([row.profile_version_id])
        errors = rating_errors(data.ratings, components.get(row.profile_version_id, set()))
        if errors:
            raise ValidationFailed(errors)
        changes["ratings"] = [r.model_dump(mode="json") for r in data.ratings]
    point: PointValues | None = None
    touches_point = any(name in changes for name in ("value", "numerator", "denominator"))
    if row.kind == ObservationKind.data_point.value and (touches_point or "text" in changes):
        point = await _point_for_edit(uow, principal, access, row, changes)
        changes.update(value=point.value, numerator=point.numerator, denominator=point.denominator)
    before = _snapshot(row)
    for name, value in changes.items():
        setattr(row, name, value)
    changed = audit.diff(before, _snapshot(row))
    if not changed:
        return row
    row.version += 1
    row.updated_at = utcnow()
    await uow.session.flush()
    audit.record(
        uow, principal, action="update", entity_type=ENTITY, entity_id=row.id, changes=changed
    )
    if point is not None and row.measure_id is not None and row.period is not None:
        await points.upsert_point(
            _SameTransaction(uow),
            principal,
            row.measure_id,
            row.period,
            DataPointWrite(
                value=point.value,
                numerator=point.numerator,
                denominator=point.denominator,
                note=point.note,
            ),
        )
    await uow.commit()
    return row


async def _point_for_edit(
    uow: UnitOfWork,
    principal: Principal,
    access: RowAccess,
    row: Observation,
    changes: dict[str, Any],
) -> PointValues:
    if Scope.cycles_write.value not in principal.scopes:
        raise InsufficientScope(Scope.cycles_write.value)
    measure = (
        await MeasureRepository(uow.session).get(access, row.measure_id)
        if row.measure_id is not None
        else None
    )
    if measure is None or measure.organisation_id != access.organisation_id:
        raise ReferenceNotFound("No measure with that id.", "/measure_id")
    value_type = ValueType(measure.value_type)
    # A proportion's value is computed; the stored one would disagree with new parts.
    kept_value = None if value_type is ValueType.proportion else row.value
    values, errors = point_values(
        value_type,
        value=changes.get("value", kept_value),
        numerator=changes.get("numerator", row.numerator),
        denominator=changes.get("denominator", row.denominator),
        note=changes.get("text", row.text),
    )
    if errors or values is None:
        raise ValidationFailed(errors)
    return values


async def delete_observation(
    uow: UnitOfWork, principal: Principal, observation_id: UUID, *, expected_version: int
) -> None:
    """Soft delete: the row stays as a tombstone that sync hands to the author's devices.
    A data point it set stays; the measure's owner changes points through the measure."""
    _, row = await _editable(uow, principal, observation_id, expected_version)
    row.deleted_at = utcnow()
    row.updated_at = row.deleted_at
    row.version += 1
    await uow.session.flush()
    audit.record(uow, principal, action="delete", entity_type=ENTITY, entity_id=row.id, changes={})
    await uow.commit()
