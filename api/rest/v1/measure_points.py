"""REST adapter for a measure's data points: upsert and delete one period, export the lot as
JSON or CSV, and import many from CSV or JSON."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.responses import Response

from api import openapi_docs as docs
from api.deps import State, UoW, expected_version, requires
from api.problems import problem
from api.rest.idempotent import idempotent
from api.rest.responses import PageOf, json_response
from api.rest.v1.headers import IdempotencyKey, IfMatch, IfNoneMatch, read_response
from domain.improvement.measures import points
from domain.improvement.measures.csv_format import (
    COLUMNS,
    MEDIA_TYPE,
    read_points_csv,
    write_points_csv,
)
from domain.improvement.measures.rules import MAX_IMPORT_ROWS
from domain.improvement.measures.schemas import (
    DataPointImportRow,
    DataPointRead,
    DataPointWrite,
    ImportSummary,
    PointsImport,
    RawRow,
    UpsertOutcome,
)
from domain.shared.errors import ValidationFailed
from domain.shared.principal import Principal, Scope

router = APIRouter(prefix="/v1/measures", tags=["data points"], responses=docs.COMMON)

Period = Annotated[
    date, Path(description="The first day of the reporting period, e.g. 2025-04-01.")
]


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


def _location(measure_id: UUID, period: date) -> str:
    return f"/v1/measures/{measure_id}/points/{period.isoformat()}"


def _period_in_path(exc: ValidationFailed) -> ValidationFailed:
    """The domain names the period as an input field; here it came in the path."""
    errors = [
        replace(e, pointer="period", location="path") if e.pointer == "/period" else e
        for e in exc.errors
    ]
    return ValidationFailed(errors, exc.detail)


@router.get(
    "/{measure_id}/points",
    response_model=PageOf[DataPointRead],
    summary="Every data point of a measure, oldest period first",
    description="Not paginated: a measure holds one point per week, month or quarter, a few "
    "hundred at most, so `next_cursor` is always null. `format=csv` answers text/csv with the "
    f"header `{','.join(COLUMNS)}`, ready to import again.",
    responses={
        **docs.READ_ONE,
        200: {"content": {MEDIA_TYPE: {"schema": {"type": "string"}}}},
    },
)
async def list_points(
    measure_id: UUID,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_read)],
    export_format: Annotated[
        ExportFormat, Query(alias="format", description="json (default) or csv.")
    ] = ExportFormat.json,
) -> Response:
    rows = await points.list_points(uow, principal, measure_id)
    if export_format is ExportFormat.csv:
        return Response(
            content=write_points_csv(rows),
            media_type=f"{MEDIA_TYPE}; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="measure-{measure_id}-points.csv"'
            },
        )
    items = [DataPointRead.model_validate(row) for row in rows]
    return json_response(PageOf[DataPointRead](items=items, next_cursor=None))


@router.get(
    "/{measure_id}/points/{period}",
    response_model=DataPointRead,
    summary="Get the data point for one period",
    responses=docs.READ_ONE,
)
async def get_point(
    measure_id: UUID,
    period: Period,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_read)],
    if_none_match: IfNoneMatch = None,
) -> Response:
    point = await points.get_point(uow, principal, measure_id, period)
    return read_response(DataPointRead.model_validate(point), point.version, if_none_match)


@router.put(
    "/{measure_id}/points/{period}",
    response_model=DataPointRead,
    summary="Create or replace the data point for one period",
    description="201 when the point is new, 200 when it was replaced or already held these "
    "values (then its version is unchanged). The period must start a reporting period: a "
    "Monday for weekly measures, the 1st for monthly ones, 1 January, April, July or October "
    "for quarterly ones. If-Match is optional here; when sent it must name the point's current "
    'version ("0": only if there is no point yet).',
    responses={201: {"model": DataPointRead, "description": "Created"}, **docs.WRITE_ONE},
)
async def put_point(
    measure_id: UUID,
    period: Period,
    body: DataPointWrite,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_write)],
    if_match: IfMatch = None,
) -> Response:
    version = expected_version(if_match) if if_match and if_match.strip() else None
    try:
        done = await points.upsert_point(
            uow, principal, measure_id, period, body, expected_version=version
        )
    except ValidationFailed as exc:
        raise _period_in_path(exc) from exc
    created = done.outcome is UpsertOutcome.created
    return json_response(
        DataPointRead.model_validate(done.point),
        status=201 if created else 200,
        version=done.point.version,
        headers={"Location": _location(measure_id, period)} if created else None,
    )


@router.delete(
    "/{measure_id}/points/{period}",
    status_code=204,
    summary="Delete the data point for one period",
    responses=docs.WRITE_ONE,
)
async def delete_point(
    measure_id: UUID,
    period: Period,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_write)],
    if_match: IfMatch = None,
) -> Response:
    await points.delete_point(
        uow, principal, measure_id, period, expected_version=expected_version(if_match)
    )
    return Response(status_code=204)


def _json_rows(body: bytes) -> list[RawRow]:
    try:
        parsed = PointsImport.model_validate_json(body)
    except ValidationError as exc:
        # The same problem answers as a JSON body FastAPI parsed itself (400 or 422).
        errors: list[Any] = [{**err, "loc": ("body", *err["loc"])} for err in exc.errors()]
        raise RequestValidationError(errors) from exc
    return [RawRow(row=index, fields=fields) for index, fields in enumerate(parsed.points)]


def _import_schema() -> dict[str, Any]:
    # Each row is checked on its own and a bad one is reported, not refused with the body
    # (unless atomic), so the document may not promise the row schema as a constraint: it
    # names the fields, and says what becomes of a row that does not match them.
    schema = PointsImport.model_json_schema()
    fields = ", ".join(DataPointImportRow.model_json_schema()["properties"])
    schema["properties"]["points"]["items"] = {
        "type": "object",
        "description": f"One data point: {fields}. A row that does not fit is listed as "
        "rejected in the summary, with each reason.",
    }
    return schema


_IMPORT_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {"schema": _import_schema()},
        MEDIA_TYPE: {
            "schema": {"type": "string"},
            "example": f"{','.join(COLUMNS)}\n2025-04-01,12,,,\n2025-05-01,9,,,after the "
            "new rota\n",
        },
    },
}


@router.post(
    "/{measure_id}/points:import",
    response_model=ImportSummary,
    summary="Import many data points from CSV or JSON",
    description=f"""Creates or replaces one point per row. Send `text/csv` with the header
`{",".join(COLUMNS)}` (period required; other columns optional, in any order; an empty cell
is no value) or JSON `{{"points": [...]}}`. At most {MAX_IMPORT_ROWS} rows.

Each row is checked on its own. Rejected rows are listed by number (the 1-based data row of
a CSV file, not counting the header; the index in the JSON list) with each reason.

- `dry_run=true`: nothing is written; 200 with what would happen (`applied: false`).
- `atomic=true` (the default): one rejected row refuses the whole import with 422; the
  problem's `summary` holds the same summary (`applied: false`) and `errors` point at each
  bad row (`/points/{{index}}/{{field}}` for JSON, `/{{row}}/{{column}}` for CSV).
- `atomic=false`: good rows are written and bad ones reported, 200 with `applied: true`.""",
    openapi_extra={"requestBody": _IMPORT_BODY},
    responses={
        **docs.READ_ONE,
        **docs.CREATE,
        422: {
            "model": docs.Problem,
            "description": "Validation failed; for an atomic import with rejected rows, "
            "`summary` holds the ImportSummary (nothing was written)",
        },
    },
)
async def import_points(
    measure_id: UUID,
    request: Request,
    state: State,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_write)],
    dry_run: Annotated[bool, Query(description="Report what would happen; write nothing.")] = False,
    atomic: Annotated[bool, Query(description="All rows or none.")] = True,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    body = await request.body()
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    is_csv = media == MEDIA_TYPE
    rows = read_points_csv(body) if is_csv else _json_rows(body)

    async def handle() -> Response:
        summary = await points.import_points(
            uow,
            principal,
            measure_id,
            rows,
            dry_run=dry_run,
            atomic=atomic,
            pointer_prefix="" if is_csv else "/points",
        )
        return json_response(summary)

    try:
        return await idempotent(request, state, principal, idempotency_key, handle)
    except points.ImportRejected as exc:
        return problem(
            422,
            exc.code,
            exc.title,
            exc.detail,
            exc.errors,
            summary=exc.summary.model_dump(mode="json"),
        )
