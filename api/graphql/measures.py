"""GraphQL types, queries and mutations for measures and their data points: thin calls into
domain.improvement.measures. A measure's points resolve through a DataLoader, so a list of
measures with their points costs one statement for all the points."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import strawberry

from api.graphql.charts import MeasureChart, resolve_chart
from api.graphql.errors import UserError, user_errors
from api.graphql.ids import from_global_id, to_global_id
from api.graphql.inputs import set_fields
from api.graphql.measure_inputs import (
    CreateMeasureInput,
    DeleteDataPointInput,
    DeleteMeasureInput,
    ImportDataPointsInput,
    UpdateMeasureInput,
    UpsertDataPointInput,
)
from api.graphql.permissions import requires
from api.graphql.resolvers import Work, optional_id, run_mutation, run_query
from api.graphql.types import ContextInfo, Node, Organisation, PageInfo, Programme
from domain.improvement.analysis import RunsRuleSet
from domain.improvement.charts import ChartType
from domain.improvement.measures import points, service
from domain.improvement.measures.models import DataPoint as DataPointRow
from domain.improvement.measures.models import Direction, MeasureKind, ReportingPeriod, ValueType
from domain.improvement.measures.models import Measure as MeasureRow
from domain.improvement.measures.schemas import (
    DataPointWrite,
    MeasureCreate,
    MeasureFilters,
    MeasureUpdate,
    RawRow,
    UpsertOutcome,
)
from domain.improvement.measures.schemas import (
    ImportSummary as ImportSummaryRead,
)
from domain.improvement.models import Visibility
from domain.shared.errors import DomainError
from domain.shared.pagination import DEFAULT_LIMIT, Page, encode_cursor, page_request
from domain.shared.principal import Principal, Scope
from domain.shared.uow import UnitOfWork

# The measure enums are registered under their GraphQL names in measure_inputs.
UpsertOutcomeEnum = strawberry.enum(UpsertOutcome, name="UpsertOutcome")


@strawberry.type(description="The value of a measure for one reporting period.")
class DataPoint:
    period: dt.date = strawberry.field(description="The first day of the reporting period.")
    value: float
    numerator: float | None
    denominator: float | None
    note: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = strawberry.field(
        description="Send it back as expectedVersion to delete or check the point."
    )

    @classmethod
    def from_row(cls, row: DataPointRow) -> DataPoint:
        return cls(
            period=row.period,
            value=row.value,
            numerator=row.numerator,
            denominator=row.denominator,
            note=row.note,
            created_at=row.created_at,
            updated_at=row.updated_at,
            version=row.version,
        )


@strawberry.type(description="An improvement measure with an operational definition.")
class Measure(Node):
    database_id: UUID
    name: str
    kind: MeasureKind
    operational_definition: str
    unit: str
    value_type: ValueType
    direction: Direction
    target: float | None
    reporting_period: ReportingPeriod
    visibility: Visibility
    created_at: dt.datetime
    updated_at: dt.datetime
    created_by: str
    version: int = strawberry.field(
        description="Send it back as expectedVersion to change the measure."
    )
    organisation_id: strawberry.Private[UUID]
    programme_id: strawberry.Private[UUID]

    @strawberry.field(description="Every data point, oldest period first.")
    async def points(self, info: ContextInfo) -> list[DataPoint]:
        rows = await info.context.loaders.measure_points.load(self.database_id)
        return [DataPoint.from_row(row) for row in rows or []]

    @strawberry.field(
        description="A run chart (or XmR, or P for proportions) of the points, with signals, "
        "rebased segments and the cycles tried in each period. baseline: all, first:N or "
        "between:YYYY-MM-DD,YYYY-MM-DD."
    )
    async def chart(
        self,
        info: ContextInfo,
        type: ChartType = ChartType.run,
        baseline: str | None = None,
        rules: RunsRuleSet = RunsRuleSet.PERLA,
    ) -> MeasureChart | None:
        return await resolve_chart(info, self.database_id, type, baseline, rules)

    @strawberry.field(description="The organisation that owns the measure.")
    async def organisation(self, info: ContextInfo) -> Organisation | None:
        row = await info.context.loaders.organisation.load(self.organisation_id)
        return Organisation.from_row(row) if row else None

    @strawberry.field
    async def programme(self, info: ContextInfo) -> Programme | None:
        row = await info.context.loaders.programme.load(self.programme_id)
        return Programme.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: MeasureRow) -> Measure:
        return cls(
            id=strawberry.ID(to_global_id("Measure", row.id)),
            database_id=row.id,
            name=row.name,
            kind=MeasureKind(row.kind),
            operational_definition=row.operational_definition,
            unit=row.unit,
            value_type=ValueType(row.value_type),
            direction=Direction(row.direction),
            target=row.target,
            reporting_period=ReportingPeriod(row.reporting_period),
            visibility=Visibility(row.visibility),
            created_at=row.created_at,
            updated_at=row.updated_at,
            created_by=row.created_by,
            version=row.version,
            organisation_id=row.organisation_id,
            programme_id=row.programme_id,
        )


@strawberry.type
class MeasureEdge:
    cursor: str
    node: Measure


@strawberry.type(description="A page of measures, newest first (keyset pagination).")
class MeasureConnection:
    edges: list[MeasureEdge]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[Measure]:
        return [edge.node for edge in self.edges]


@strawberry.type(name="ImportRowError")
class RowError:
    field: str | None
    message: str
    code: str


@strawberry.type(name="ImportRejectedRow")
class RejectedRow:
    row: int = strawberry.field(description="The index of the row in the input list.")
    errors: list[RowError]


@strawberry.type(description="What an import did, or would do (dryRun, or a refused import).")
class ImportSummary:
    applied: bool
    dry_run: bool
    atomic: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    rejected_rows: list[RejectedRow]

    @classmethod
    def from_read(cls, read: ImportSummaryRead) -> ImportSummary:
        return cls(
            applied=read.applied,
            dry_run=read.dry_run,
            atomic=read.atomic,
            rows=read.rows,
            created=read.created,
            updated=read.updated,
            unchanged=read.unchanged,
            rejected=read.rejected,
            rejected_rows=[
                RejectedRow(
                    row=bad.row,
                    errors=[
                        RowError(field=e.field, message=e.message, code=e.code) for e in bad.errors
                    ],
                )
                for bad in read.rejected_rows
            ],
        )


@strawberry.type
class MeasureQueries:
    @strawberry.field(
        extensions=[requires(Scope.cycles_read)],
        description="One measure, or null (with an error) if you may not see it.",
    )
    async def measure(self, info: ContextInfo, id: strawberry.ID) -> Measure | None:
        async def work(uow: UnitOfWork, principal: Principal) -> MeasureRow:
            return await service.get_measure(uow, principal, from_global_id(id, "Measure"))

        return Measure.from_row(await run_query(info, work))

    @strawberry.field(
        extensions=[requires(Scope.cycles_read)], description="Measures you may see, newest first."
    )
    async def measures(
        self,
        info: ContextInfo,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        programme_id: strawberry.ID | None = None,
        kind: MeasureKind | None = None,
        q: str | None = None,
    ) -> MeasureConnection:
        async def work(uow: UnitOfWork, principal: Principal) -> Page[MeasureRow]:
            filters = MeasureFilters(
                programme_id=optional_id(programme_id, "Programme", "programmeId"),
                kind=kind,
                q=q,
            )
            page = page_request(first, after, location="argument")
            return await service.list_measures(uow, principal, filters, page)

        result = await run_query(info, work)
        return MeasureConnection(
            edges=[
                MeasureEdge(cursor=encode_cursor(row.id), node=Measure.from_row(row))
                for row in result.items
            ],
            page_info=PageInfo(
                has_next_page=result.next_cursor is not None, end_cursor=result.next_cursor
            ),
        )


@strawberry.type
class CreateMeasurePayload:
    measure: Measure | None
    errors: list[UserError]


@strawberry.type
class UpdateMeasurePayload:
    measure: Measure | None
    errors: list[UserError]


@strawberry.type
class DeleteMeasurePayload:
    deleted_id: strawberry.ID | None
    errors: list[UserError]


@strawberry.type
class UpsertDataPointPayload:
    point: DataPoint | None
    outcome: UpsertOutcome | None
    errors: list[UserError]


@strawberry.type
class DeleteDataPointPayload:
    deleted_period: dt.date | None
    errors: list[UserError]


@strawberry.type
class ImportDataPointsPayload:
    summary: ImportSummary | None = strawberry.field(
        description="Also given when an atomic import is refused (then applied is false)."
    )
    errors: list[UserError]


def _point_fields(value: Any) -> dict[str, Any]:
    return {
        name: getattr(value, name)
        for name in ("value", "numerator", "denominator", "note")
        if getattr(value, name) is not None
    }


@strawberry.type
class MeasureMutations:
    @strawberry.mutation(extensions=[requires(Scope.cycles_write)])
    async def create_measure(
        self, info: ContextInfo, input: CreateMeasureInput
    ) -> CreateMeasurePayload:
        def prepare() -> Work[MeasureRow]:
            fields = set_fields(input)
            fields["programme_id"] = from_global_id(
                input.programme_id, "Programme", field="/input/programmeId"
            )
            data = MeasureCreate.model_validate(fields)
            return lambda uow, p: service.create_measure(uow, p, data)

        row, errors = await run_mutation(info, prepare)
        return CreateMeasurePayload(measure=Measure.from_row(row) if row else None, errors=errors)

    @strawberry.mutation(extensions=[requires(Scope.cycles_write)])
    async def update_measure(
        self, info: ContextInfo, input: UpdateMeasureInput
    ) -> UpdateMeasurePayload:
        def prepare() -> Work[MeasureRow]:
            measure_id = from_global_id(input.id, "Measure", field="/input/id")
            fields = set_fields(input, skip=frozenset({"id", "expected_version"}))
            data = MeasureUpdate.model_validate(fields)
            return lambda uow, p: service.update_measure(
                uow, p, measure_id, data, expected_version=input.expected_version
            )

        row, errors = await run_mutation(info, prepare)
        return UpdateMeasurePayload(measure=Measure.from_row(row) if row else None, errors=errors)

    @strawberry.mutation(extensions=[requires(Scope.cycles_write)])
    async def delete_measure(
        self, info: ContextInfo, input: DeleteMeasureInput
    ) -> DeleteMeasurePayload:
        def prepare() -> Work[None]:
            measure_id = from_global_id(input.id, "Measure", field="/input/id")
            return lambda uow, p: service.delete_measure(
                uow, p, measure_id, expected_version=input.expected_version
            )

        _, errors = await run_mutation(info, prepare)
        return DeleteMeasurePayload(deleted_id=None if errors else input.id, errors=errors)

    @strawberry.mutation(extensions=[requires(Scope.cycles_write)])
    async def upsert_data_point(
        self, info: ContextInfo, input: UpsertDataPointInput
    ) -> UpsertDataPointPayload:
        def prepare() -> Work[points.Upserted]:
            measure_id = from_global_id(input.measure_id, "Measure", field="/input/measureId")
            data = DataPointWrite.model_validate(_point_fields(input))
            return lambda uow, p: points.upsert_point(
                uow, p, measure_id, input.period, data, expected_version=input.expected_version
            )

        done, errors = await run_mutation(info, prepare)
        if done is None:
            return UpsertDataPointPayload(point=None, outcome=None, errors=errors)
        return UpsertDataPointPayload(
            point=DataPoint.from_row(done.point), outcome=done.outcome, errors=[]
        )

    @strawberry.mutation(extensions=[requires(Scope.cycles_write)])
    async def delete_data_point(
        self, info: ContextInfo, input: DeleteDataPointInput
    ) -> DeleteDataPointPayload:
        def prepare() -> Work[None]:
            measure_id = from_global_id(input.measure_id, "Measure", field="/input/measureId")
            return lambda uow, p: points.delete_point(
                uow, p, measure_id, input.period, expected_version=input.expected_version
            )

        _, errors = await run_mutation(info, prepare)
        return DeleteDataPointPayload(
            deleted_period=None if errors else input.period, errors=errors
        )

    @strawberry.mutation(
        extensions=[requires(Scope.cycles_write)],
        description="Imports rows given as JSON; see ImportDataPointsInput.",
    )
    async def import_data_points(
        self, info: ContextInfo, input: ImportDataPointsInput
    ) -> ImportDataPointsPayload:
        try:
            measure_id = from_global_id(input.measure_id, "Measure", field="/input/measureId")
            rows = [
                RawRow(row=index, fields={"period": row.period, **_point_fields(row)})
                for index, row in enumerate(input.points)
            ]
            async with info.context.uow() as uow:
                summary = await points.import_points(
                    uow,
                    info.context.principal,
                    measure_id,
                    rows,
                    dry_run=input.dry_run,
                    atomic=input.atomic,
                    pointer_prefix="/points",
                )
        except points.ImportRejected as exc:
            return ImportDataPointsPayload(
                summary=ImportSummary.from_read(exc.summary), errors=user_errors(exc)
            )
        except DomainError as exc:
            return ImportDataPointsPayload(summary=None, errors=user_errors(exc))
        return ImportDataPointsPayload(summary=ImportSummary.from_read(summary), errors=[])
