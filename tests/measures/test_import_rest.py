"""Importing data points from CSV and JSON: dry runs, atomic and non-atomic imports, what
is written (counted in the table), malformed files, the size limit and round trips."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from domain.improvement.measures.models import Measure
from tests.factories import World, create_measure, create_point
from tests.measures.helpers import PROBLEM, audit_rows, count_points, stored_points

CSV = {"Content-Type": "text/csv"}

# Row 2 has a period that is not the 1st; row 4 is not a number; row 5 repeats row 1.
MIXED_CSV = (
    "period,value,note\n"
    "2025-01-01,3,first\n"
    "2025-02-02,4,\n"
    "2025-03-01,5,\n"
    "2025-04-01,lots,\n"
    "2025-01-01,6,\n"
)


def _url(measure: Measure, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/v1/measures/{measure.id}/points:import" + (f"?{query}" if query else "")


async def _count_measure(world: World) -> Measure:
    return await create_measure(world.state, world.a.organisation, world.programme)


def _rejected(summary: dict[str, Any]) -> dict[int, list[str | None]]:
    return {r["row"]: [e["field"] for e in r["errors"]] for r in summary["rejected_rows"]}


async def test_csv_dry_run_reports_and_writes_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    measure = await _count_measure(world)
    await create_point(world.state, measure, date(2025, 3, 1), value=5.0)
    response = await client.post(
        _url(measure, dry_run="true"), content=MIXED_CSV, headers={**world.a.headers, **CSV}
    )
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary == {
        "applied": False,
        "dry_run": True,
        "atomic": True,
        "rows": 5,
        "created": 1,
        "updated": 0,
        "unchanged": 1,
        "rejected": 3,
        "rejected_rows": summary["rejected_rows"],
    }
    assert _rejected(summary) == {2: ["period"], 4: ["value"], 5: ["period"]}
    assert "repeats the period of row 1" in summary["rejected_rows"][2]["errors"][0]["message"]
    assert await count_points(world) == 1
    assert await audit_rows(world, "data_point") == []


async def test_csv_atomic_import_with_a_bad_row_writes_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    measure = await _count_measure(world)
    response = await client.post(
        _url(measure), content=MIXED_CSV, headers={**world.a.headers, **CSV}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["type"].endswith("import_rejected")
    assert problem["summary"]["applied"] is False
    assert problem["summary"]["created"] == 2
    assert problem["summary"]["rejected"] == 3
    assert {e["pointer"] for e in problem["errors"]} == {"/2/period", "/4/value", "/5/period"}
    assert await count_points(world) == 0
    assert await audit_rows(world, "data_point") == []


async def test_csv_non_atomic_import_writes_the_good_rows(
    client: httpx.AsyncClient, world: World
) -> None:
    measure = await _count_measure(world)
    await create_point(world.state, measure, date(2025, 3, 1), value=1.0)
    response = await client.post(
        _url(measure, atomic="false"), content=MIXED_CSV, headers={**world.a.headers, **CSV}
    )
    assert response.status_code == 200, response.text
    summary = response.json()
    assert (summary["applied"], summary["created"], summary["updated"]) == (True, 1, 1)
    assert (summary["unchanged"], summary["rejected"]) == (0, 3)
    assert await stored_points(world, measure.id) == {
        "2025-01-01": (3.0, None, None, "first", 1),
        "2025-03-01": (5.0, None, None, "", 2),
    }
    assert sorted(a for a, _ in await audit_rows(world, "data_point")) == ["create", "update"]


async def test_json_import_under_each_mode(client: httpx.AsyncClient, world: World) -> None:
    measure = await create_measure(
        world.state, world.a.organisation, world.programme, value_type="proportion"
    )
    rows: list[dict[str, Any]] = [
        {"period": "2025-01-01", "numerator": 1, "denominator": 4},
        {"period": "2025-02-01", "numerator": 2, "denominator": 0},
        {"period": "2025-03-01", "numerator": 3, "denominator": 4, "value": 0.75, "note": "x"},
        {"period": "2025-04-01", "numerator": 1, "denominator": 2, "colour": "red"},
        {"period": "not a date", "value": 1},
    ]
    dry = await client.post(
        _url(measure, dry_run="true", atomic="false"),
        json={"points": rows},
        headers=world.a.headers,
    )
    assert dry.status_code == 200
    assert dry.json()["applied"] is False
    assert _rejected(dry.json()) == {1: ["denominator"], 3: ["colour"], 4: ["period"]}
    assert await count_points(world) == 0

    atomic = await client.post(_url(measure), json={"points": rows}, headers=world.a.headers)
    assert atomic.status_code == 422
    pointers = {e["pointer"] for e in atomic.json()["errors"]}
    assert pointers == {"/points/1/denominator", "/points/3/colour", "/points/4/period"}
    assert await count_points(world) == 0

    partial = await client.post(
        _url(measure, atomic="false"), json={"points": rows}, headers=world.a.headers
    )
    assert partial.status_code == 200
    assert partial.json()["created"] == 2
    assert await stored_points(world, measure.id) == {
        "2025-01-01": (0.25, 1.0, 4.0, "", 1),
        "2025-03-01": (0.75, 3.0, 4.0, "x", 1),
    }

    good = await client.post(
        _url(measure), json={"points": [rows[0], rows[2]]}, headers=world.a.headers
    )
    assert good.status_code == 200
    assert (good.json()["applied"], good.json()["unchanged"]) == (True, 2)
    assert await count_points(world) == 2


async def test_malformed_bodies_are_refused_whole(client: httpx.AsyncClient, world: World) -> None:
    measure = await _count_measure(world)
    headers = {**world.a.headers, **CSV}
    for content in (
        "when,value\n2025-01-01,1\n",
        "value,note\n1,x\n",
        "",
        'period,note\n2025-01-01,"never closed\n',
    ):
        response = await client.post(_url(measure), content=content, headers=headers)
        assert response.status_code == 422, content
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["errors"][0]["code"] in ("invalid_header", "malformed_csv")
    not_json = await client.post(
        _url(measure),
        content=b'{"points": [',
        headers={**world.a.headers, "Content-Type": "application/json"},
    )
    assert not_json.status_code == 400
    wrong_shape = await client.post(_url(measure), json={"rows": []}, headers=world.a.headers)
    assert wrong_shape.status_code == 422
    assert {e["pointer"] for e in wrong_shape.json()["errors"]} == {"/points", "/rows"}
    plain = await client.post(
        _url(measure), content="period\n", headers={**world.a.headers, "Content-Type": "text/plain"}
    )
    assert plain.status_code == 415
    assert await count_points(world) == 0


async def test_csv_is_only_taken_by_the_import_route(
    client: httpx.AsyncClient, world: World
) -> None:
    measure = await _count_measure(world)
    put = await client.put(
        f"/v1/measures/{measure.id}/points/2025-01-01",
        content="value\n1\n",
        headers={**world.a.headers, **CSV},
    )
    assert put.status_code == 415
    create = await client.post("/v1/measures", content="name\n", headers={**world.a.headers, **CSV})
    assert create.status_code == 415


async def test_more_than_5000_rows_is_refused(client: httpx.AsyncClient, world: World) -> None:
    measure = await _count_measure(world)
    # The shortest rows there are, so 5,001 of them fit the test app's 64 KiB body limit.
    too_many = "period\n" + "2025-01-01\n" * 5001
    refused = await client.post(
        _url(measure, dry_run="true"), content=too_many, headers={**world.a.headers, **CSV}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["code"] == "too_many_rows"
    assert await count_points(world) == 0


async def test_export_then_import_as_dry_run_changes_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    cases: list[tuple[str, list[dict[str, float]]]] = [
        ("proportion", [{"numerator": n, "denominator": 7} for n in range(1, 7)]),
        ("measurement", [{"value": v} for v in (0.1, 1e-7, -3.5, 12.0, 2 / 3, 1e20)]),
        ("rate", [{"value": v, "numerator": v, "denominator": 9} for v in (0.2, 3.0, 7.7)]),
    ]
    for value_type, fields in cases:
        measure = await create_measure(
            world.state, world.a.organisation, world.programme, value_type=value_type
        )
        for n, extra in enumerate(fields):
            put = await client.put(
                f"/v1/measures/{measure.id}/points/2024-{n + 1:02d}-01",
                json={**extra, "note": '=SUM(A1:A2), "quoted"\nline two' if n == 0 else ""},
                headers=world.a.headers,
            )
            assert put.status_code == 201, put.text
        exported = await client.get(
            f"/v1/measures/{measure.id}/points", params={"format": "csv"}, headers=world.a.headers
        )
        again = await client.post(
            _url(measure, dry_run="true"),
            content=exported.content,
            headers={**world.a.headers, **CSV},
        )
        summary = again.json()
        assert (summary["rows"], summary["unchanged"]) == (len(fields), len(fields)), summary
        as_json = await client.get(f"/v1/measures/{measure.id}/points", headers=world.a.headers)
        rows = [
            {k: p[k] for k in ("period", "value", "numerator", "denominator", "note")}
            for p in as_json.json()["items"]
        ]
        json_again = await client.post(
            _url(measure, dry_run="true"), json={"points": rows}, headers=world.a.headers
        )
        assert json_again.json()["unchanged"] == len(fields), json_again.json()


async def test_only_the_owner_imports(client: httpx.AsyncClient, world: World) -> None:
    private = await _count_measure(world)
    shared = await create_measure(
        world.state, world.a.organisation, world.programme, visibility="programme"
    )
    for party in (world.b, world.c):
        for measure in (private, shared):
            for params in ({}, {"dry_run": "true"}):
                refused = await client.post(
                    _url(measure, **params),
                    content="period,value\n2025-01-01,1\n",
                    headers={**party.headers, **CSV},
                )
                assert refused.status_code == 404
    assert await count_points(world) == 0


async def test_idempotency_key_covers_the_query(client: httpx.AsyncClient, world: World) -> None:
    measure = await _count_measure(world)
    body = "period,value\n2025-01-01,1\n"
    headers = {**world.a.headers, **CSV, "Idempotency-Key": "import-jan"}
    dry = await client.post(_url(measure, dry_run="true"), content=body, headers=headers)
    assert dry.json()["applied"] is False
    # The same key for the real run is another request, not a replay of the dry run.
    real = await client.post(_url(measure), content=body, headers=headers)
    assert real.status_code == 422
    assert real.json()["type"].endswith("idempotency_key_reused")
    real = await client.post(
        _url(measure), content=body, headers={**headers, "Idempotency-Key": "import-jan-2"}
    )
    assert real.json()["applied"] is True
    replay = await client.post(
        _url(measure), content=body, headers={**headers, "Idempotency-Key": "import-jan-2"}
    )
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == real.json()
    assert await count_points(world) == 1
