"""Data points over REST: upsert by period, delete, export as JSON and CSV, and who may do
what."""

from __future__ import annotations

from datetime import date

import httpx

from tests.factories import World, create_measure, create_point
from tests.measures.helpers import PROBLEM, audit_rows, count_points, stored_points


async def test_put_creates_then_replaces_then_changes_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    measure = await create_measure(world.state, world.a.organisation, world.programme)
    url = f"/v1/measures/{measure.id}/points/2025-04-01"

    created = await client.put(url, json={"value": 12, "note": "first"}, headers=world.a.headers)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == url
    assert created.headers["etag"] == '"1"'
    assert created.json()["value"] == 12
    assert created.json()["period"] == "2025-04-01"

    replaced = await client.put(url, json={"value": 14}, headers=world.a.headers)
    assert replaced.status_code == 200
    assert replaced.headers["etag"] == '"2"'
    assert "location" not in replaced.headers
    assert replaced.json()["note"] == ""  # a replacement, not a merge

    unchanged = await client.put(url, json={"value": 14}, headers=world.a.headers)
    assert unchanged.status_code == 200
    assert unchanged.headers["etag"] == '"2"'

    assert await stored_points(world, measure.id) == {"2025-04-01": (14.0, None, None, "", 2)}
    point_id = created.json()["id"]
    assert [a for a, e in await audit_rows(world, "data_point") if str(e) == point_id] == [
        "create",
        "update",
    ]

    read = await client.get(url, headers=world.a.headers)
    assert read.json() == replaced.json()
    assert (
        await client.get(url, headers={**world.a.headers, "If-None-Match": '"2"'})
    ).status_code == 304


async def test_put_with_if_match(client: httpx.AsyncClient, world: World) -> None:
    measure = await create_measure(world.state, world.a.organisation, world.programme)
    url = f"/v1/measures/{measure.id}/points/2025-04-01"
    stale_create = await client.put(
        url, json={"value": 1}, headers={**world.a.headers, "If-Match": '"3"'}
    )
    assert stale_create.status_code == 412
    assert stale_create.json()["current_version"] == 0
    only_if_new = await client.put(
        url, json={"value": 1}, headers={**world.a.headers, "If-Match": '"0"'}
    )
    assert only_if_new.status_code == 201
    again = await client.put(url, json={"value": 2}, headers={**world.a.headers, "If-Match": '"0"'})
    assert again.status_code == 412
    ok = await client.put(url, json={"value": 2}, headers={**world.a.headers, "If-Match": '"1"'})
    assert ok.status_code == 200
    assert (await stored_points(world, measure.id))["2025-04-01"][0] == 2.0


async def test_periods_must_start_a_reporting_period(
    client: httpx.AsyncClient, world: World
) -> None:
    cases = {
        "week": ("2025-03-31", "2025-04-01"),  # a Monday; a Tuesday
        "month": ("2025-04-01", "2025-04-07"),
        "quarter": ("2025-07-01", "2025-08-01"),
    }
    for reporting, (good, bad) in cases.items():
        measure = await create_measure(
            world.state, world.a.organisation, world.programme, reporting_period=reporting
        )
        base = f"/v1/measures/{measure.id}/points"
        refused = await client.put(f"{base}/{bad}", json={"value": 1}, headers=world.a.headers)
        assert refused.status_code == 422, reporting
        assert refused.headers["content-type"] == PROBLEM
        [error] = refused.json()["errors"]
        assert error == {
            "parameter": "period",
            "in": "path",
            "detail": error["detail"],
            "code": "not_period_start",
        }
        accepted = await client.put(f"{base}/{good}", json={"value": 1}, headers=world.a.headers)
        assert accepted.status_code == 201, (reporting, accepted.text)
        assert await count_points(world, measure.id) == 1
    not_a_date = await client.put(
        f"/v1/measures/{measure.id}/points/April", json={"value": 1}, headers=world.a.headers
    )
    assert not_a_date.status_code == 422
    assert not_a_date.json()["errors"][0]["parameter"] == "period"


async def test_proportions_take_numerator_and_denominator(
    client: httpx.AsyncClient, world: World
) -> None:
    measure = await create_measure(
        world.state, world.a.organisation, world.programme, value_type="proportion"
    )
    url = f"/v1/measures/{measure.id}/points/2025-04-01"
    for body, pointer in (
        ({"value": 0.5}, "/numerator"),
        ({"numerator": 3}, "/denominator"),
        ({"numerator": 0, "denominator": 0}, "/denominator"),
        ({"numerator": 5, "denominator": 4}, "/numerator"),
        ({"numerator": 1, "denominator": 4, "value": 0.3}, "/value"),
        ({"numerator": 1, "denominator": 4, "period": "2025-04-01"}, "/period"),
        ({"numerator": 1, "denominator": 4, "version": 2}, "/version"),
    ):
        refused = await client.put(url, json=body, headers=world.a.headers)
        assert refused.status_code == 422, body
        assert refused.json()["errors"][0]["pointer"] == pointer, refused.json()
    assert await count_points(world) == 0
    zero = await client.put(url, json={"numerator": 0, "denominator": 0}, headers=world.a.headers)
    assert "above 0" in zero.json()["errors"][0]["detail"]

    created = await client.put(
        url, json={"numerator": 3, "denominator": 4}, headers=world.a.headers
    )
    assert created.status_code == 201
    assert created.json()["value"] == 0.75
    agreeing = await client.put(
        url, json={"numerator": 3, "denominator": 4, "value": 0.75}, headers=world.a.headers
    )
    assert agreeing.status_code == 200
    assert agreeing.json()["version"] == 1  # the same point: unchanged


async def test_delete_needs_if_match(client: httpx.AsyncClient, world: World) -> None:
    measure = await create_measure(world.state, world.a.organisation, world.programme)
    point = await create_point(world.state, measure, date(2025, 4, 1), value=3.0)
    url = f"/v1/measures/{measure.id}/points/2025-04-01"
    assert (await client.delete(url, headers=world.a.headers)).status_code == 428
    stale = await client.delete(url, headers={**world.a.headers, "If-Match": '"2"'})
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 1
    assert await count_points(world) == 1
    deleted = await client.delete(url, headers={**world.a.headers, "If-Match": '"1"'})
    assert deleted.status_code == 204
    assert await count_points(world) == 0
    assert (await client.get(url, headers=world.a.headers)).status_code == 404
    again = await client.delete(url, headers={**world.a.headers, "If-Match": '"1"'})
    assert again.status_code == 404
    assert await audit_rows(world, "data_point") == [("delete", point.id)]


async def test_export_json_and_csv(client: httpx.AsyncClient, world: World) -> None:
    measure = await create_measure(
        world.state, world.a.organisation, world.programme, value_type="proportion"
    )
    await create_point(
        world.state, measure, date(2025, 5, 1), value=0.5, numerator=1.0, denominator=2.0
    )
    await create_point(
        world.state,
        measure,
        date(2025, 4, 1),
        value=2 / 3,
        numerator=2.0,
        denominator=3.0,
        note="new rota, started late",
    )
    base = f"/v1/measures/{measure.id}/points"
    listed = await client.get(base, headers=world.a.headers)
    assert listed.status_code == 200
    body = listed.json()
    assert [p["period"] for p in body["items"]] == ["2025-04-01", "2025-05-01"]
    assert body["next_cursor"] is None
    assert body["items"][0]["value"] == 2 / 3

    exported = await client.get(base, params={"format": "csv"}, headers=world.a.headers)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    assert exported.text.splitlines() == [
        "period,value,numerator,denominator,note",
        f'2025-04-01,{2 / 3!r},2,3,"new rota, started late"',
        "2025-05-01,0.5,1,2,",
    ]
    bad = await client.get(base, params={"format": "xml"}, headers=world.a.headers)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["parameter"] == "format"


async def test_points_follow_the_measure_visibility_and_only_the_owner_writes(
    client: httpx.AsyncClient, world: World
) -> None:
    private = await create_measure(world.state, world.a.organisation, world.programme)
    shared = await create_measure(
        world.state, world.a.organisation, world.programme, visibility="programme"
    )
    for measure in (private, shared):
        await create_point(world.state, measure, date(2025, 4, 1), value=5.0)
    for party, sees_shared in ((world.b, True), (world.c, False)):
        for measure in (private, shared):
            visible = sees_shared and measure is shared
            base = f"/v1/measures/{measure.id}/points"
            expected = 200 if visible else 404
            assert (await client.get(base, headers=party.headers)).status_code == expected
            csv = await client.get(base, params={"format": "csv"}, headers=party.headers)
            assert csv.status_code == expected
            one = await client.get(f"{base}/2025-04-01", headers=party.headers)
            assert one.status_code == expected
            put = await client.put(f"{base}/2025-04-01", json={"value": 9}, headers=party.headers)
            assert put.status_code == 404
            new = await client.put(f"{base}/2025-05-01", json={"value": 9}, headers=party.headers)
            assert new.status_code == 404
            delete = await client.delete(
                f"{base}/2025-04-01", headers={**party.headers, "If-Match": '"1"'}
            )
            assert delete.status_code == 404
    for measure in (private, shared):
        assert await stored_points(world, measure.id) == {"2025-04-01": (5.0, None, None, "", 1)}
    assert await audit_rows(world, "data_point") == []
    reader = {"Authorization": f"Bearer {await world.token(world.a, ['cycles:read'])}"}
    refused = await client.put(
        f"/v1/measures/{private.id}/points/2025-05-01", json={"value": 1}, headers=reader
    )
    assert refused.status_code == 403
