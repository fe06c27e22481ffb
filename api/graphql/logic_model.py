"""GraphQL types, query and mutation for a programme's logic model: thin calls into
domain.improvement.logic_model. An outcome's measures resolve through a DataLoader, so a
whole logic model costs one statement for all its measures."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import strawberry
from pydantic import ValidationError

from api.graphql.errors import UserError, from_pydantic, graphql_error, user_errors
from api.graphql.ids import from_global_id
from api.graphql.measures import Measure
from api.graphql.permissions import requires
from api.graphql.types import ContextInfo, Programme
from domain.improvement import logic_model as service
from domain.improvement.logic_model import (
    ITEM_LISTS,
    OUTCOME_LISTS,
    LogicModelDocument,
    LogicModelRecord,
    LogicModelWrite,
)
from domain.improvement.logic_model import LogicModelItem as ItemRow
from domain.improvement.logic_model import LogicModelOutcome as OutcomeRow
from domain.shared.errors import DomainError
from domain.shared.principal import Scope


@strawberry.type(description="An input, activity or output of a logic model.")
class LogicModelItem:
    id: UUID = strawberry.field(description="Send it back to keep the item the same item.")
    text: str

    @classmethod
    def from_row(cls, row: ItemRow) -> LogicModelItem:
        return cls(id=row.id, text=row.text)


@strawberry.type(description="An outcome of a logic model and the measures that show it.")
class LogicModelOutcome:
    id: UUID = strawberry.field(description="Send it back to keep the item the same item.")
    text: str
    measure_ids: strawberry.Private[list[UUID]]

    @strawberry.field(
        description="The linked measures you may see that still exist, in the order linked."
    )
    async def measures(self, info: ContextInfo) -> list[Measure]:
        rows = await info.context.loaders.measure.load_many(self.measure_ids)
        return [Measure.from_row(row) for row in rows if row is not None]

    @classmethod
    def from_row(cls, row: OutcomeRow) -> LogicModelOutcome:
        return cls(id=row.id, text=row.text, measure_ids=list(row.measure_ids))


@strawberry.type(
    description="A programme's logic model: inputs, activities and outputs, and the short, "
    "medium and long-term outcomes they lead to. Version 0: there is none yet."
)
class LogicModel:
    inputs: list[LogicModelItem]
    activities: list[LogicModelItem]
    outputs: list[LogicModelItem]
    short_term_outcomes: list[LogicModelOutcome]
    medium_term_outcomes: list[LogicModelOutcome]
    long_term_outcomes: list[LogicModelOutcome]
    version: int = strawberry.field(
        description="Send it back as expectedVersion to replace the logic model (0 for the "
        "first one)."
    )
    updated_at: dt.datetime | None
    updated_by: str | None
    programme_id: strawberry.Private[UUID]

    @strawberry.field
    async def programme(self, info: ContextInfo) -> Programme | None:
        row = await info.context.loaders.programme.load(self.programme_id)
        return Programme.from_row(row) if row else None

    @classmethod
    def from_record(cls, record: LogicModelRecord) -> LogicModel:
        document: LogicModelDocument = record.document
        return cls(
            inputs=[LogicModelItem.from_row(i) for i in document.inputs],
            activities=[LogicModelItem.from_row(i) for i in document.activities],
            outputs=[LogicModelItem.from_row(i) for i in document.outputs],
            short_term_outcomes=[
                LogicModelOutcome.from_row(o) for o in document.short_term_outcomes
            ],
            medium_term_outcomes=[
                LogicModelOutcome.from_row(o) for o in document.medium_term_outcomes
            ],
            long_term_outcomes=[LogicModelOutcome.from_row(o) for o in document.long_term_outcomes],
            version=record.version,
            updated_at=record.updated_at,
            updated_by=record.updated_by,
            programme_id=record.programme_id,
        )


@strawberry.input(description="An input, activity or output; leave out id for a new item.")
class LogicModelItemInput:
    id: UUID | None = None
    text: str


@strawberry.input(description="An outcome; leave out id for a new item.")
class LogicModelOutcomeInput:
    id: UUID | None = None
    text: str
    measure_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list,
        description="Measures of this programme, that you may see, which show the outcome.",
    )


@strawberry.input(
    description="The whole logic model, replacing the one there is; a list left out is "
    "empty. At most 50 items per list. Only the programme's lead organisation may do this."
)
class PutLogicModelInput:
    programme_id: strawberry.ID
    expected_version: int = strawberry.field(
        description="The version you last read; 0 to create the first logic model."
    )
    inputs: list[LogicModelItemInput] = strawberry.field(default_factory=list)
    activities: list[LogicModelItemInput] = strawberry.field(default_factory=list)
    outputs: list[LogicModelItemInput] = strawberry.field(default_factory=list)
    short_term_outcomes: list[LogicModelOutcomeInput] = strawberry.field(default_factory=list)
    medium_term_outcomes: list[LogicModelOutcomeInput] = strawberry.field(default_factory=list)
    long_term_outcomes: list[LogicModelOutcomeInput] = strawberry.field(default_factory=list)


@strawberry.type
class PutLogicModelPayload:
    logic_model: LogicModel | None
    errors: list[UserError]


def _item(value: LogicModelItemInput | LogicModelOutcomeInput) -> dict[str, Any]:
    return {"text": value.text} if value.id is None else {"id": value.id, "text": value.text}


def _document(input: PutLogicModelInput) -> LogicModelWrite:
    """The domain's document; global or raw measure ids, each error naming its place."""
    fields: dict[str, Any] = {name: [_item(i) for i in getattr(input, name)] for name in ITEM_LISTS}
    for name in OUTCOME_LISTS:
        camel = "".join(p if n == 0 else p.title() for n, p in enumerate(name.split("_")))
        fields[name] = [
            {
                **_item(outcome),
                "measure_ids": [
                    from_global_id(
                        value, "Measure", field=f"/input/{camel}/{index}/measureIds/{position}"
                    )
                    for position, value in enumerate(outcome.measure_ids)
                ],
            }
            for index, outcome in enumerate(getattr(input, name))
        ]
    return LogicModelWrite.model_validate(fields)


@strawberry.type
class LogicModelQueries:
    @strawberry.field(
        extensions=[requires(Scope.cycles_read)],
        description="A programme's logic model (version 0 and empty if it has none yet), or "
        "null (with an error) if your organisation is not a member of the programme.",
    )
    async def logic_model(
        self, info: ContextInfo, programme_id: strawberry.ID
    ) -> LogicModel | None:
        context = info.context
        try:
            programme = from_global_id(programme_id, "Programme", field="programmeId")
            async with context.uow() as uow:
                record = await service.get_logic_model(uow, context.principal, programme)
        except DomainError as exc:
            raise graphql_error(exc) from exc
        return LogicModel.from_record(record)


@strawberry.type
class LogicModelMutations:
    @strawberry.mutation(
        extensions=[requires(Scope.cycles_write)],
        description="Replaces a programme's logic model whole.",
    )
    async def put_logic_model(
        self, info: ContextInfo, input: PutLogicModelInput
    ) -> PutLogicModelPayload:
        context = info.context
        try:
            programme = from_global_id(input.programme_id, "Programme", field="/input/programmeId")
            data = _document(input)
            async with context.uow() as uow:
                saved = await service.put_logic_model(
                    uow, context.principal, programme, data, expected_version=input.expected_version
                )
        except ValidationError as exc:
            return PutLogicModelPayload(logic_model=None, errors=user_errors(from_pydantic(exc)))
        except DomainError as exc:
            return PutLogicModelPayload(logic_model=None, errors=user_errors(exc))
        return PutLogicModelPayload(logic_model=LogicModel.from_record(saved.record), errors=[])
