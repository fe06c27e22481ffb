"""A programme's logic model: its inputs, activities and outputs, and its short, medium and
long-term outcomes, each outcome linked to the measures that show it. REST and GraphQL both
call these use cases.

One document per programme, replaced whole and versioned (version 0: there is none yet, and
it reads as an empty document). Members of the programme read it (`cycles:read`); only the
programme's lead organisation writes it (`cycles:write`): other members, who can see it, get
Forbidden, and everyone else NotFound, for reads and writes alike.

Linked measures: a write may link only live measures of this programme that the writer may
see. A read shows, for each outcome, only the linked measures the reader may see that still
exist: a partner's private measure or a deleted one drops out of `measure_ids` (its id is
not shown to those who may not see it) but stays stored, and comes back if it is shared
again. Saving a document read that way drops such links for good.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, Field

from domain.audit import service as audit
from domain.improvement.chart_models import LogicModel
from domain.improvement.logic_model_repository import LogicModelRepository
from domain.improvement.measures.models import Measure, MeasureKind
from domain.shared.authz import RowAccess, visible_to
from domain.shared.errors import (
    FieldError,
    Forbidden,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from domain.shared.ids import new_id, utcnow
from domain.shared.principal import Principal, Scope
from domain.shared.schemas import InputModel, ReadModel
from domain.shared.uow import UnitOfWork

ENTITY = "logic_model"
NOT_FOUND = "No programme with that id."
MAX_ITEMS = 50
MAX_MEASURES_PER_OUTCOME = 50
ITEM_LISTS = ("inputs", "activities", "outputs")
OUTCOME_LISTS = ("short_term_outcomes", "medium_term_outcomes", "long_term_outcomes")
LISTS = ITEM_LISTS + OUTCOME_LISTS


def _item_text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    # PostgreSQL text (and so JSONB) cannot hold NUL.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


ItemText = Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_item_text)]


# What callers send: ids optional (the server gives new items one), unknown fields refused.


class LogicModelItemWrite(InputModel):
    id: UUID | None = Field(
        default=None,
        description="Keep an item's id to keep it the same item; new items "
        "may leave it out and get one.",
    )
    text: ItemText


class LogicModelOutcomeWrite(LogicModelItemWrite):
    measure_ids: list[UUID] = Field(
        default_factory=list,
        max_length=MAX_MEASURES_PER_OUTCOME,
        description="Measures of this programme, that you may see, which show the outcome.",
    )


def _items() -> Any:
    # Typed Any so that type checkers read it as a default (the field may be left out).
    return Field(default_factory=list, max_length=MAX_ITEMS)


class LogicModelWrite(InputModel):
    """The whole document; a list left out is empty. At most 50 items per list."""

    inputs: list[LogicModelItemWrite] = _items()
    activities: list[LogicModelItemWrite] = _items()
    outputs: list[LogicModelItemWrite] = _items()
    short_term_outcomes: list[LogicModelOutcomeWrite] = _items()
    medium_term_outcomes: list[LogicModelOutcomeWrite] = _items()
    long_term_outcomes: list[LogicModelOutcomeWrite] = _items()


# What is stored (every item with its id) and read back.


class LogicModelItem(ReadModel):
    id: UUID
    text: str


class LogicModelOutcome(LogicModelItem):
    measure_ids: list[UUID]


class LogicModelDocument(ReadModel):
    inputs: list[LogicModelItem] = Field(default_factory=list)
    activities: list[LogicModelItem] = Field(default_factory=list)
    outputs: list[LogicModelItem] = Field(default_factory=list)
    short_term_outcomes: list[LogicModelOutcome] = Field(default_factory=list)
    medium_term_outcomes: list[LogicModelOutcome] = Field(default_factory=list)
    long_term_outcomes: list[LogicModelOutcome] = Field(default_factory=list)

    def outcomes(self) -> Iterator[tuple[str, int, LogicModelOutcome]]:
        for name in OUTCOME_LISTS:
            for index, outcome in enumerate(getattr(self, name)):
                yield name, index, outcome


class LogicModelMeasure(ReadModel):
    id: UUID
    name: str
    kind: MeasureKind


class LogicModelOutcomeRead(LogicModelOutcome):
    measure_ids: list[UUID] = Field(description="The linked measures you may see that still exist.")
    measures: list[LogicModelMeasure] = Field(description="The same measures, by name.")


class LogicModelRead(ReadModel):
    programme_id: UUID
    inputs: list[LogicModelItem]
    activities: list[LogicModelItem]
    outputs: list[LogicModelItem]
    short_term_outcomes: list[LogicModelOutcomeRead]
    medium_term_outcomes: list[LogicModelOutcomeRead]
    long_term_outcomes: list[LogicModelOutcomeRead]
    version: int = Field(description="0 while the programme has no logic model yet.")
    updated_at: datetime | None
    updated_by: str | None


@dataclass(frozen=True)
class LogicModelRecord:
    """A programme's logic model as stored; version 0 and no author while there is none."""

    programme_id: UUID
    document: LogicModelDocument
    version: int
    updated_at: datetime | None
    updated_by: str | None

    @classmethod
    def of(cls, programme_id: UUID, row: LogicModel | None) -> LogicModelRecord:
        if row is None:
            return cls(programme_id, LogicModelDocument(), 0, None, None)
        return cls(
            programme_id,
            LogicModelDocument.model_validate(row.document),
            row.version,
            row.updated_at,
            row.updated_by,
        )


@dataclass(frozen=True)
class SavedLogicModel:
    record: LogicModelRecord
    created: bool
    # The measures the document links to (all of them: the writer may see each one).
    measures: Mapping[UUID, Measure]

    def read(self) -> LogicModelRead:
        return logic_model_read(self.record, self.measures)


def logic_model_read(record: LogicModelRecord, visible: Mapping[UUID, Measure]) -> LogicModelRead:
    """The document with each outcome's links cut down to the measures in `visible`."""
    fields: dict[str, Any] = {name: list(getattr(record.document, name)) for name in ITEM_LISTS}
    for name in OUTCOME_LISTS:
        fields[name] = [
            LogicModelOutcomeRead(
                id=outcome.id,
                text=outcome.text,
                measure_ids=[i for i in outcome.measure_ids if i in visible],
                measures=[
                    LogicModelMeasure.model_validate(visible[i])
                    for i in outcome.measure_ids
                    if i in visible
                ],
            )
            for outcome in getattr(record.document, name)
        ]
    return LogicModelRead(
        programme_id=record.programme_id,
        version=record.version,
        updated_at=record.updated_at,
        updated_by=record.updated_by,
        **fields,
    )


def _member_access(principal: Principal, scope: Scope, programme_id: UUID) -> RowAccess:
    access = visible_to(principal, scope)
    if programme_id not in access.programme_ids:
        raise NotFound(NOT_FOUND)
    return access


def _linked_ids(document: LogicModelDocument) -> list[UUID]:
    return list(dict.fromkeys(i for _, _, o in document.outcomes() for i in o.measure_ids))


async def _visible_measures(
    repo: LogicModelRepository, access: RowAccess, ids: Sequence[UUID]
) -> dict[UUID, Measure]:
    return {m.id: m for m in await repo.measures_by_ids(access, ids)}


async def get_logic_model(
    uow: UnitOfWork, principal: Principal, programme_id: UUID
) -> LogicModelRecord:
    """The stored document (links not yet cut down to what the caller may see: GraphQL
    resolves them through a DataLoader that does that)."""
    _member_access(principal, Scope.cycles_read, programme_id)
    repo = LogicModelRepository(uow.session)
    if await repo.programme_lead(programme_id) is None:
        raise NotFound(NOT_FOUND)
    return LogicModelRecord.of(programme_id, await repo.get(programme_id))


async def read_logic_model(
    uow: UnitOfWork, principal: Principal, programme_id: UUID
) -> LogicModelRead:
    access = _member_access(principal, Scope.cycles_read, programme_id)
    repo = LogicModelRepository(uow.session)
    if await repo.programme_lead(programme_id) is None:
        raise NotFound(NOT_FOUND)
    record = LogicModelRecord.of(programme_id, await repo.get(programme_id))
    visible = await _visible_measures(repo, access, _linked_ids(record.document))
    return logic_model_read(record, visible)


async def measures_by_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, Measure]:
    """Batch read for DataLoaders: live measures the caller may see; others are absent."""
    access = visible_to(principal, Scope.cycles_read)
    return await _visible_measures(LogicModelRepository(uow.session), access, ids)


def _with_ids(data: LogicModelWrite) -> LogicModelDocument:
    """The document to store: items sent without an id get a new one."""
    fields: dict[str, Any] = {}
    for name in LISTS:
        fields[name] = [
            {**item.model_dump(), "id": item.id or new_id()} for item in getattr(data, name)
        ]
    return LogicModelDocument.model_validate(fields)


def _document_errors(
    data: LogicModelWrite, programme_id: UUID, found: Mapping[UUID, Measure]
) -> list[FieldError]:
    errors: list[FieldError] = []
    seen_items: dict[UUID, str] = {}
    for name in LISTS:
        for index, item in enumerate(getattr(data, name)):
            if item.id is None:
                continue
            pointer = f"/{name}/{index}/id"
            if item.id in seen_items:
                errors.append(
                    FieldError(
                        pointer,
                        f"is the id of another item ({seen_items[item.id]}); ids are unique "
                        "across the document",
                        "duplicate",
                    )
                )
            else:
                seen_items[item.id] = pointer.removesuffix("/id")
    for name in OUTCOME_LISTS:
        for index, outcome in enumerate(getattr(data, name)):
            seen: set[UUID] = set()
            for position, measure_id in enumerate(outcome.measure_ids):
                pointer = f"/{name}/{index}/measure_ids/{position}"
                measure = found.get(measure_id)
                if measure_id in seen:
                    errors.append(FieldError(pointer, "lists the measure twice", "duplicate"))
                elif measure is None:
                    errors.append(
                        FieldError(pointer, "is not a measure that you may see", "not_found")
                    )
                elif measure.programme_id != programme_id:
                    errors.append(
                        FieldError(pointer, "is a measure of another programme", "wrong_programme")
                    )
                seen.add(measure_id)
    return errors


async def put_logic_model(
    uow: UnitOfWork,
    principal: Principal,
    programme_id: UUID,
    data: LogicModelWrite,
    *,
    expected_version: int,
) -> SavedLogicModel:
    """Replaces the whole document. `expected_version` must be the current version (0 for
    the first document). The same document again changes nothing: no new version, no audit
    row."""
    access = _member_access(principal, Scope.cycles_write, programme_id)
    repo = LogicModelRepository(uow.session)
    lead = await repo.programme_lead(programme_id, lock=True)
    if lead is None:
        raise NotFound(NOT_FOUND)
    if lead != access.organisation_id:
        raise Forbidden("Only the programme's lead organisation may change its logic model.")
    row = await repo.get(programme_id)
    current = row.version if row is not None else 0
    if expected_version != current:
        raise PreconditionFailed(
            f"The logic model is at version {current}, not {expected_version}"
            + (" (0: there is none yet)." if current == 0 else "."),
            current,
        )
    wanted = list(
        dict.fromkeys(
            i for name in OUTCOME_LISTS for o in getattr(data, name) for i in o.measure_ids
        )
    )
    found = await _visible_measures(repo, access, wanted)
    errors = _document_errors(data, programme_id, found)
    if errors:
        raise ValidationFailed(errors)

    document = _with_ids(data).model_dump(mode="json")
    before = row.document if row is not None else None
    if row is not None and row.document == document:
        return SavedLogicModel(LogicModelRecord.of(programme_id, row), False, found)
    if row is None:
        row = LogicModel(
            programme_id=programme_id, document=document, version=1, updated_by=principal.subject
        )
        repo.add(row)
    else:
        row.document = document
        row.version += 1
        row.updated_at = utcnow()
        row.updated_by = principal.subject
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="create" if before is None else "update",
        entity_type=ENTITY,
        entity_id=programme_id,
        changes={"before": before, "after": document, "version": [current, row.version]},
    )
    await uow.commit()
    return SavedLogicModel(LogicModelRecord.of(programme_id, row), before is None, found)
