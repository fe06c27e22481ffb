"""GraphQL for observations: the author's own list and records, and submitting one or a
batch, editing and deleting; thin calls into domain.observations.service, the same use
cases as REST. An observation's cycle resolves through the request's cycle DataLoader."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import strawberry
from pydantic import ValidationError

from api.graphql.errors import UserError, from_pydantic, user_errors
from api.graphql.ids import from_global_id, to_global_id
from api.graphql.permissions import requires
from api.graphql.resolvers import Work, optional_id, page_info, run_mutation, run_query
from api.graphql.types import ContextInfo, Cycle, Node, PageInfo
from domain.observations import service
from domain.observations.models import FidelityRating, ObservationKind
from domain.observations.models import Observation as ObservationRow
from domain.observations.schemas import (
    ObservationFilters,
    ObservationRead,
    ObservationUpdate,
    SubmitOutcome,
)
from domain.shared.errors import DomainError
from domain.shared.pagination import DEFAULT_LIMIT, Page, encode_cursor, page_request
from domain.shared.principal import Principal, Scope
from domain.shared.uow import UnitOfWork

ObservationKindEnum = strawberry.enum(ObservationKind, name="ObservationKind")
FidelityRatingEnum = strawberry.enum(FidelityRating, name="FidelityRating")
SubmitOutcomeEnum = strawberry.enum(SubmitOutcome, name="SubmitOutcome")


@strawberry.type(description="One rating of a core component.")
class ComponentRating:
    component_id: UUID
    rating: FidelityRating


@strawberry.type(description="An observation from the field; only its author sees it.")
class Observation(Node):
    database_id: UUID = strawberry.field(description="The id the device made.")
    kind: ObservationKind
    observed_at: dt.datetime
    received_at: dt.datetime
    text: str
    tags: list[str]
    location_label: str | None
    programme_id: UUID
    measure_id: UUID | None
    period: dt.date | None
    value: float | None
    numerator: float | None
    denominator: float | None
    profile_version_id: UUID | None
    practitioner: str | None
    ratings: list[ComponentRating] | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = strawberry.field(
        description="Send it back as expectedVersion to change or delete the observation."
    )
    cycle_id: strawberry.Private[UUID | None]

    @strawberry.field(description="The cycle of a cycle note (needs cycles:read).")
    async def cycle(self, info: ContextInfo) -> Cycle | None:
        if self.cycle_id is None:
            return None
        row = await info.context.loaders.cycle.load(self.cycle_id)
        return Cycle.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: ObservationRow | ObservationRead) -> Observation:
        if not isinstance(row, ObservationRead):
            row = ObservationRead.model_validate(row)
        return cls(
            id=strawberry.ID(to_global_id("Observation", row.id)),
            database_id=row.id,
            kind=row.kind,
            observed_at=row.observed_at,
            received_at=row.received_at,
            text=row.text,
            tags=list(row.tags),
            location_label=row.location_label,
            programme_id=row.programme_id,
            measure_id=row.measure_id,
            period=row.period,
            value=row.value,
            numerator=row.numerator,
            denominator=row.denominator,
            profile_version_id=row.profile_version_id,
            practitioner=row.practitioner,
            ratings=None
            if row.ratings is None
            else [
                ComponentRating(component_id=r.component_id, rating=r.rating) for r in row.ratings
            ],
            created_at=row.created_at,
            updated_at=row.updated_at,
            version=row.version,
            cycle_id=row.cycle_id,
        )


@strawberry.type
class ObservationEdge:
    cursor: str
    node: Observation


@strawberry.type(name="ObservationConnection", description="A page of your own observations.")
class ObservationPage:
    edges: list[ObservationEdge]
    page_info: PageInfo


@strawberry.input
class RatingInput:
    component_id: strawberry.ID
    rating: FidelityRating


@strawberry.input(
    description="One observation. kind decides which fields apply: cycleNote (cycleId), "
    "dataPoint (measureId, period, value and/or numerator and denominator), fidelity "
    "(profileVersionId, ratings, practitioner) or general (programmeId)."
)
class SubmitObservationInput:
    id: strawberry.ID = strawberry.field(description="A UUID made on the device.")
    kind: ObservationKind
    observed_at: dt.datetime
    text: str = ""
    tags: list[str] = strawberry.field(default_factory=list)
    location_label: str | None = None
    cycle_id: strawberry.ID | None = None
    measure_id: strawberry.ID | None = None
    period: dt.date | None = None
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    profile_version_id: strawberry.ID | None = None
    practitioner: str | None = None
    ratings: list[RatingInput] | None = None
    programme_id: strawberry.ID | None = None


@strawberry.input
class SubmitObservationsInput:
    items: list[SubmitObservationInput]


@strawberry.input(description="Only the fields you send are changed.")
class UpdateObservationInput:
    id: strawberry.ID
    expected_version: int
    observed_at: dt.datetime | None = strawberry.UNSET
    text: str | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET
    location_label: str | None = strawberry.UNSET
    value: float | None = strawberry.UNSET
    numerator: float | None = strawberry.UNSET
    denominator: float | None = strawberry.UNSET
    practitioner: str | None = strawberry.UNSET
    ratings: list[RatingInput] | None = strawberry.UNSET


@strawberry.input
class DeleteObservationInput:
    id: strawberry.ID
    expected_version: int


LINKS = {
    "cycle_id": "Cycle",
    "measure_id": "Measure",
    "profile_version_id": "PracticeProfileVersion",
    "programme_id": "Programme",
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _item(value: SubmitObservationInput, pointer: str = "/input") -> dict[str, Any]:
    """The input as the domain's submit schema expects it: snake_case, ids as UUIDs, the
    fields that do not apply left out (None means not sent)."""
    fields: dict[str, Any] = {
        "id": value.id,
        "kind": value.kind.value,
        "observed_at": value.observed_at,
        "text": value.text,
        "tags": value.tags,
    }
    for name in ("location_label", "period", "value", "numerator", "denominator"):
        if getattr(value, name) is not None:
            fields[name] = getattr(value, name)
    if value.practitioner is not None:
        fields["practitioner"] = value.practitioner
    for name, type_name in LINKS.items():
        given = getattr(value, name)
        if given is not None:
            fields[name] = optional_id(given, type_name, f"{pointer}/{_camel(name)}")
    if value.ratings is not None:
        fields["ratings"] = [
            {
                "component_id": from_global_id(
                    r.component_id, "CoreComponent", field=f"{pointer}/ratings/{i}/componentId"
                ),
                "rating": r.rating.value,
            }
            for i, r in enumerate(value.ratings)
        ]
    return fields


@strawberry.type
class SubmitObservationPayload:
    observation: Observation | None
    outcome: SubmitOutcome | None = strawberry.field(
        description="created, or duplicate (already stored; nothing written)."
    )
    errors: list[UserError]


@strawberry.type(description="The result for one item, in input order.")
class SubmitItemResult:
    index: int
    outcome: SubmitOutcome
    observation: Observation | None
    errors: list[UserError]


@strawberry.type
class SubmitObservationsPayload:
    results: list[SubmitItemResult]
    errors: list[UserError]


@strawberry.type
class UpdateObservationPayload:
    observation: Observation | None
    current: Observation | None = strawberry.field(
        description="The stored record, when expectedVersion was stale."
    )
    errors: list[UserError]


@strawberry.type
class DeleteObservationPayload:
    deleted_id: strawberry.ID | None
    errors: list[UserError]


def _skew(info: ContextInfo) -> int:
    return info.context.state.settings.observation_clock_skew_seconds


@strawberry.type
class ObservationQueries:
    @strawberry.field(
        extensions=[requires(Scope.observations_write)],
        description="One of your observations, or null (with an error).",
    )
    async def observation(self, info: ContextInfo, id: strawberry.ID) -> Observation | None:
        async def work(uow: UnitOfWork, principal: Principal) -> ObservationRow:
            return await service.get_observation(uow, principal, from_global_id(id, "Observation"))

        return Observation.from_row(await run_query(info, work))

    @strawberry.field(
        extensions=[requires(Scope.observations_write)],
        description="Your own observations.",
    )
    async def observations(
        self,
        info: ContextInfo,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        kind: ObservationKind | None = None,
        cycle_id: strawberry.ID | None = None,
    ) -> ObservationPage:
        async def work(uow: UnitOfWork, principal: Principal) -> Page[ObservationRow]:
            filters = ObservationFilters(
                kind=kind, cycle_id=optional_id(cycle_id, "Cycle", "cycleId")
            )
            page = page_request(first, after, location="argument")
            return await service.list_observations(uow, principal, filters, page)

        result = await run_query(info, work)
        return ObservationPage(
            edges=[
                ObservationEdge(cursor=encode_cursor(row.id), node=Observation.from_row(row))
                for row in result.items
            ],
            page_info=page_info(result),
        )


@strawberry.type
class ObservationMutations:
    @strawberry.mutation(
        extensions=[requires(Scope.observations_write)],
        description="Submit one observation; a resend of the same one is a duplicate.",
    )
    async def submit_observation(
        self, info: ContextInfo, input: SubmitObservationInput
    ) -> SubmitObservationPayload:
        def prepare() -> Work[service.ItemResult]:
            item = _item(input)
            return lambda uow, p: service.submit_observation(
                uow, p, item, clock_skew_seconds=_skew(info)
            )

        result, errors = await run_mutation(info, prepare)
        if result is None:
            return SubmitObservationPayload(observation=None, outcome=None, errors=errors)
        row = result.observation
        return SubmitObservationPayload(
            observation=Observation.from_row(row) if row else None,
            outcome=result.outcome,
            errors=[],
        )

    @strawberry.mutation(
        extensions=[requires(Scope.observations_write)],
        description="Submit up to 500 observations; every item gets its own result.",
    )
    async def submit_observations(
        self, info: ContextInfo, input: SubmitObservationsInput
    ) -> SubmitObservationsPayload:
        results: list[SubmitItemResult | None] = [None] * len(input.items)
        items: list[dict[str, Any]] = []
        positions: list[int] = []
        for index, value in enumerate(input.items):
            try:
                items.append(_item(value, f"/input/items/{index}"))
                positions.append(index)
            except DomainError as exc:
                results[index] = SubmitItemResult(
                    index=index,
                    outcome=SubmitOutcome.rejected,
                    observation=None,
                    errors=user_errors(exc),
                )

        def prepare() -> Work[service.BatchResult]:
            return lambda uow, p: service.submit_observations(
                uow, p, items, clock_skew_seconds=_skew(info)
            )

        batch, errors = await run_mutation(info, prepare)
        if batch is None:
            return SubmitObservationsPayload(results=[], errors=errors)
        for result in batch.results:
            index = positions[result.index]
            item_errors = [] if result.error is None else user_errors(result.error)
            prefix = f"/input/items/{index}"
            for error in item_errors:
                if (
                    error.field
                    and error.field.startswith("/input")
                    and "/items/" not in error.field
                ):
                    error.field = prefix + error.field[len("/input") :]
            results[index] = SubmitItemResult(
                index=index,
                outcome=result.outcome,
                observation=Observation.from_row(result.observation)
                if result.observation
                else None,
                errors=item_errors,
            )
        return SubmitObservationsPayload(results=[r for r in results if r is not None], errors=[])

    @strawberry.mutation(extensions=[requires(Scope.observations_write)])
    async def update_observation(
        self, info: ContextInfo, input: UpdateObservationInput
    ) -> UpdateObservationPayload:
        fields = {
            name: value
            for name, value in vars(input).items()
            if value is not strawberry.UNSET and name not in ("id", "expected_version")
        }
        if isinstance(fields.get("ratings"), list):
            fields["ratings"] = [
                {"component_id": r.component_id, "rating": r.rating.value}
                for r in fields["ratings"]
            ]

        def prepare() -> Work[ObservationRow]:
            observation_id = from_global_id(input.id, "Observation", field="/input/id")
            data = ObservationUpdate.model_validate(fields)
            return lambda uow, p: service.update_observation(
                uow,
                p,
                observation_id,
                data,
                expected_version=input.expected_version,
                clock_skew_seconds=_skew(info),
            )

        try:
            work = prepare()
            async with info.context.uow() as uow:
                row = await work(uow, info.context.principal)
        except service.StaleObservation as exc:
            # The stored record comes back too, so the app can show both versions.
            return UpdateObservationPayload(
                observation=None, current=Observation.from_row(exc.current), errors=user_errors(exc)
            )
        except ValidationError as exc:
            return UpdateObservationPayload(
                observation=None, current=None, errors=user_errors(from_pydantic(exc))
            )
        except DomainError as exc:
            return UpdateObservationPayload(observation=None, current=None, errors=user_errors(exc))
        return UpdateObservationPayload(
            observation=Observation.from_row(row), current=None, errors=[]
        )

    @strawberry.mutation(extensions=[requires(Scope.observations_write)])
    async def delete_observation(
        self, info: ContextInfo, input: DeleteObservationInput
    ) -> DeleteObservationPayload:
        def prepare() -> Work[None]:
            observation_id = from_global_id(input.id, "Observation", field="/input/id")
            return lambda uow, p: service.delete_observation(
                uow, p, observation_id, expected_version=input.expected_version
            )

        _, errors = await run_mutation(info, prepare)
        return DeleteObservationPayload(deleted_id=None if errors else input.id, errors=errors)


OBSERVATION_NODE_TYPES = frozenset({"Observation"})


async def resolve_observation_node(
    uow: UnitOfWork, principal: Principal, kind: str, value: UUID
) -> Observation:
    """node(id:) for an observation: the same use case as observation(id:)."""
    return Observation.from_row(await service.get_observation(uow, principal, value))
