"""Measures and data points over GraphQL: each mutation against its REST twin, access rules,
and a bounded number of statements for a list of measures with their points."""

from __future__ import annotations

from datetime import date

import httpx

from api.graphql.ids import to_global_id
from tests.conftest import StatementCounter
from tests.factories import World, create_measure, create_point
from tests.measures.helpers import audit_rows, count_measures, count_points, gql, stored_points

CREATE = """
mutation($input: CreateMeasureInput!) {
  createMeasure(input: $input) {
    measure { id databaseId name valueType reportingPeriod target version
      organisation { name } programme { name } points { period } }
    errors { code message field }
  }
}
"""
UPDATE = """
mutation($input: UpdateMeasureInput!) {
  updateMeasure(input: $input) { measure { name target version } errors { code field } }
}
"""
DELETE = """
mutation($input: DeleteMeasureInput!) {
  deleteMeasure(input: $input) { deletedId errors { code field } }
}
"""
UPSERT = """
mutation($input: UpsertDataPointInput!) {
  upsertDataPoint(input: $input) {
    point { period value numerator denominator note version } outcome
    errors { code message field }
  }
}
"""
DELETE_POINT = """
mutation($input: DeleteDataPointInput!) {
  deleteDataPoint(input: $input) { deletedPeriod errors { code field } }
}
"""
IMPORT = """
mutation($input: ImportDataPointsInput!) {
  importDataPoints(input: $input) {
    summary { applied dryRun atomic rows created updated unchanged rejected
      rejectedRows { row errors { field code message } } }
    errors { code field }
  }
}
"""
LIST = """
query($first: Int!) {
  measures(first: $first) { edges { node { name points { period value } } } }
}
"""
ONE = "query($id: ID!) { measure(id: $id) { name points { period value } } }"


async def test_create_update_delete_measure(client: httpx.AsyncClient, world: World) -> None:
    created = await gql(
        client,
        world.a.headers,
        CREATE,
        input={
            "programmeId": to_global_id("Programme", world.programme.id),
            "name": "Exclusions",
            "kind": "outcome",
            "operationalDefinition": "Fixed-term exclusions in the month, from the MIS",
            "unit": "exclusions",
            "valueType": "count",
            "direction": "decrease",
            "target": 2,
            "reportingPeriod": "month",
        },
    )
    payload = created["data"]["createMeasure"]
    assert payload["errors"] == []
    measure = payload["measure"]
    assert measure["organisation"]["name"] == world.a.organisation.name
    assert measure["programme"]["name"] == world.programme.name
    assert measure["points"] == []
    rest = await client.get(f"/v1/measures/{measure['databaseId']}", headers=world.a.headers)
    assert rest.json()["name"] == "Exclusions"  # one domain behind both doors

    updated = await gql(
        client,
        world.a.headers,
        UPDATE,
        input={
            "id": measure["id"],
            "expectedVersion": 1,
            "name": "Exclusions (days)",
            "target": None,
        },
    )
    assert updated["data"]["updateMeasure"] == {
        "measure": {"name": "Exclusions (days)", "target": None, "version": 2},
        "errors": [],
    }
    stale = await gql(
        client,
        world.a.headers,
        UPDATE,
        input={"id": measure["id"], "expectedVersion": 1, "name": "x"},
    )
    assert stale["data"]["updateMeasure"]["errors"][0]["code"] == "precondition_failed"
    refused = await gql(
        client,
        world.a.headers,
        UPDATE,
        input={"id": measure["id"], "expectedVersion": 2, "name": ""},
    )
    assert refused["data"]["updateMeasure"]["errors"][0]["field"] == "/input/name"

    deleted = await gql(
        client, world.a.headers, DELETE, input={"id": measure["id"], "expectedVersion": 2}
    )
    assert deleted["data"]["deleteMeasure"] == {"deletedId": measure["id"], "errors": []}
    gone = await gql(client, world.a.headers, ONE, id=measure["id"])
    assert gone["data"]["measure"] is None
    assert gone["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert [a for a, _ in await audit_rows(world, "measure")] == ["create", "update", "delete"]


async def test_create_refusals_point_at_the_input(client: httpx.AsyncClient, world: World) -> None:
    base = {
        "programmeId": str(world.programme.id),
        "name": "N",
        "kind": "process",
        "operationalDefinition": "D",
        "unit": "u",
        "valueType": "count",
        "direction": "increase",
        "reportingPeriod": "week",
    }
    for extra, field in (
        ({"name": ""}, "/input/name"),
        ({"operationalDefinition": " "}, "/input/operationalDefinition"),
        ({"programmeId": str(world.other_programme.id)}, "/input/programmeId"),
        ({"programmeId": "bm90LWEtcHJvZ3JhbW1l"}, "/input/programmeId"),
    ):
        result = await gql(client, world.a.headers, CREATE, input={**base, **extra})
        payload = result["data"]["createMeasure"]
        assert payload["measure"] is None
        assert field in [e["field"] for e in payload["errors"]], payload
    assert await count_measures(world) == 0


async def test_upsert_and_delete_data_point(client: httpx.AsyncClient, world: World) -> None:
    measure = await create_measure(
        world.state, world.a.organisation, world.programme, value_type="proportion"
    )
    measure_id = to_global_id("Measure", measure.id)
    point = {"measureId": measure_id, "period": "2025-04-01", "numerator": 3, "denominator": 4}
    created = await gql(client, world.a.headers, UPSERT, input=point)
    assert created["data"]["upsertDataPoint"] == {
        "point": {
            "period": "2025-04-01",
            "value": 0.75,
            "numerator": 3.0,
            "denominator": 4.0,
            "note": "",
            "version": 1,
        },
        "outcome": "created",
        "errors": [],
    }
    same = await gql(client, world.a.headers, UPSERT, input=point)
    assert same["data"]["upsertDataPoint"]["outcome"] == "unchanged"
    replaced = await gql(client, world.a.headers, UPSERT, input={**point, "numerator": 1})
    assert replaced["data"]["upsertDataPoint"]["outcome"] == "updated"
    assert replaced["data"]["upsertDataPoint"]["point"]["version"] == 2
    rest = await client.get(f"/v1/measures/{measure.id}/points/2025-04-01", headers=world.a.headers)
    assert rest.json()["value"] == 0.25

    for bad, field in (
        ({"period": "2025-04-02"}, "/input/period"),
        ({"denominator": 0}, "/input/denominator"),
        ({"value": 0.9}, "/input/value"),
        ({"expectedVersion": 1}, None),
    ):
        refused = await gql(client, world.a.headers, UPSERT, input={**point, **bad})
        payload = refused["data"]["upsertDataPoint"]
        assert payload["point"] is None
        assert payload["errors"][0]["field"] == field, payload
    assert await stored_points(world, measure.id) == {"2025-04-01": (0.25, 1.0, 4.0, "", 2)}

    removal = {"measureId": measure_id, "period": "2025-04-01"}
    stale = await gql(
        client, world.a.headers, DELETE_POINT, input={**removal, "expectedVersion": 1}
    )
    assert stale["data"]["deleteDataPoint"]["errors"][0]["code"] == "precondition_failed"
    deleted = await gql(
        client, world.a.headers, DELETE_POINT, input={**removal, "expectedVersion": 2}
    )
    assert deleted["data"]["deleteDataPoint"] == {"deletedPeriod": "2025-04-01", "errors": []}
    assert await count_points(world) == 0
    assert [a for a, _ in await audit_rows(world, "data_point")] == ["create", "update", "delete"]


async def test_import_data_points(client: httpx.AsyncClient, world: World) -> None:
    measure = await create_measure(world.state, world.a.organisation, world.programme)
    await create_point(world.state, measure, date(2025, 2, 1), value=4.0)
    rows = [
        {"period": "2025-01-01", "value": 3},
        {"period": "2025-02-01", "value": 4},
        {"period": "2025-03-02", "value": 5},
        {"period": "2025-04-01", "value": 1.5},
    ]
    measure_id = str(measure.id)
    dry = await gql(
        client,
        world.a.headers,
        IMPORT,
        input={"measureId": measure_id, "points": rows, "dryRun": True},
    )
    summary = dry["data"]["importDataPoints"]["summary"]
    assert (summary["applied"], summary["created"], summary["unchanged"]) == (False, 1, 1)
    assert [(r["row"], r["errors"][0]["field"]) for r in summary["rejectedRows"]] == [
        (2, "period"),
        (3, "value"),
    ]

    atomic = await gql(
        client, world.a.headers, IMPORT, input={"measureId": measure_id, "points": rows}
    )
    payload = atomic["data"]["importDataPoints"]
    assert payload["summary"]["applied"] is False
    assert {e["field"] for e in payload["errors"]} == {
        "/input/points/2/period",
        "/input/points/3/value",
    }
    assert {e["code"] for e in payload["errors"]} == {"not_period_start", "invalid"}
    assert await count_points(world) == 1

    partial = await gql(
        client,
        world.a.headers,
        IMPORT,
        input={"measureId": measure_id, "points": rows, "atomic": False},
    )
    assert partial["data"]["importDataPoints"]["errors"] == []
    assert partial["data"]["importDataPoints"]["summary"]["applied"] is True
    assert await count_points(world) == 2

    outsider = await gql(
        client, world.c.headers, IMPORT, input={"measureId": measure_id, "points": rows[:1]}
    )
    assert outsider["data"]["importDataPoints"] == {
        "summary": None,
        "errors": [{"code": "not_found", "field": None}],
    }


async def test_partners_read_shared_measures_and_change_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    private = await create_measure(world.state, world.a.organisation, world.programme, name="P")
    shared = await create_measure(
        world.state, world.a.organisation, world.programme, name="S", visibility="programme"
    )
    for measure in (private, shared):
        await create_point(world.state, measure, date(2025, 1, 1), value=2.0)
    for party, visible in ((world.b, {"S"}), (world.c, set())):
        listed = await gql(client, party.headers, LIST, first=50)
        nodes = [e["node"] for e in listed["data"]["measures"]["edges"]]
        assert {n["name"] for n in nodes} == visible
        assert all(n["points"] == [{"period": "2025-01-01", "value": 2.0}] for n in nodes)
        for measure in (private, shared):
            gid = to_global_id("Measure", measure.id)
            one = await gql(client, party.headers, ONE, id=gid)
            assert (one["data"]["measure"] is not None) is (measure.name in visible)
            upsert = await gql(
                client,
                party.headers,
                UPSERT,
                input={"measureId": gid, "period": "2025-01-01", "value": 9},
            )
            assert upsert["data"]["upsertDataPoint"]["errors"][0]["code"] == "not_found"
            update = await gql(
                client, party.headers, UPDATE, input={"id": gid, "expectedVersion": 1, "name": "X"}
            )
            assert update["data"]["updateMeasure"]["errors"][0]["code"] == "not_found"
    assert await audit_rows(world, "measure") == []
    assert await audit_rows(world, "data_point") == []


async def test_measures_with_points_cost_the_same_statements_for_2_and_20(
    client: httpx.AsyncClient, world: World, count_statements: StatementCounter
) -> None:
    for n in range(20):
        measure = await create_measure(
            world.state,
            world.a.organisation if n % 2 else world.b.organisation,
            world.programme,
            name=f"m{n}",
            visibility="programme",
        )
        for month in range(1, 4):
            await create_point(world.state, measure, date(2025, month, 1), value=float(n))

    async def statements_for(first: int) -> int:
        count_statements.statements.clear()
        result = await gql(client, world.a.headers, LIST, first=first)
        assert "errors" not in result, result
        edges = result["data"]["measures"]["edges"]
        assert len(edges) == first
        assert all(len(e["node"]["points"]) == 3 for e in edges)
        return len(count_statements.statements)

    small, large = await statements_for(2), await statements_for(20)
    assert small == large
    # The caller, the page of measures, and one batch for all their points.
    assert large <= 3, count_statements.statements
