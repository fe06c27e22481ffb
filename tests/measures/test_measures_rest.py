"""Measures over REST: the happy path and every convention's failure answer."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from tests.factories import World, create_measure, create_point
from tests.measures.helpers import PROBLEM, audit_actions, count_measures, new_measure


async def test_create_read_update_delete(client: httpx.AsyncClient, world: World) -> None:
    created = await client.post("/v1/measures", json=new_measure(world), headers=world.a.headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"] == f"/v1/measures/{body['id']}"
    assert created.headers["etag"] == '"1"'
    assert body["organisation_id"] == str(world.a.organisation.id)
    assert body["value_type"] == "proportion"
    assert body["target"] == 0.8
    assert body["created_by"] == f"client:{world.a.client.client_id}"

    url = f"/v1/measures/{body['id']}"
    read = await client.get(url, headers=world.a.headers)
    assert read.status_code == 200
    assert read.json() == body
    cached = await client.get(url, headers={**world.a.headers, "If-None-Match": '"1"'})
    assert cached.status_code == 304

    patched = await client.patch(
        url,
        json={"name": "TAC within ten days", "target": None, "reporting_period": "quarter"},
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    assert patched.status_code == 200, patched.text
    assert patched.headers["etag"] == '"2"'
    assert patched.json()["target"] is None
    assert patched.json()["reporting_period"] == "quarter"
    assert patched.json()["operational_definition"] == body["operational_definition"]

    same = await client.patch(
        url, json={"name": "TAC within ten days"}, headers={**world.a.headers, "If-Match": '"2"'}
    )
    assert same.headers["etag"] == '"2"'  # nothing changed: no new version, no audit row

    deleted = await client.delete(url, headers={**world.a.headers, "If-Match": '"2"'})
    assert deleted.status_code == 204
    gone = await client.get(url, headers=world.a.headers)
    assert gone.status_code == 404
    assert gone.headers["content-type"] == PROBLEM
    assert (await client.get(f"{url}/points", headers=world.a.headers)).status_code == 404
    listed = await client.get("/v1/measures", headers=world.a.headers)
    assert listed.json() == {"items": [], "next_cursor": None}
    assert await count_measures(world) == 1  # soft delete
    assert await audit_actions(world, body["id"]) == ["create", "update", "delete"]


async def test_list_filters_search_and_pages(client: httpx.AsyncClient, world: World) -> None:
    await create_measure(world.state, world.a.organisation, world.programme, name="Exclusions")
    await create_measure(
        world.state, world.a.organisation, world.programme, name="Attendance 100%", kind="outcome"
    )
    await create_measure(world.state, world.a.organisation, world.programme, name="Staff_leave")
    await create_measure(world.state, world.c.organisation, world.other_programme, name="Else")

    async def names(**params: Any) -> list[str]:
        response = await client.get("/v1/measures", params=params, headers=world.a.headers)
        assert response.status_code == 200, response.text
        return [item["name"] for item in response.json()["items"]]

    assert await names() == ["Staff_leave", "Attendance 100%", "Exclusions"]
    assert await names(kind="outcome") == ["Attendance 100%"]
    assert await names(q="ATTEND") == ["Attendance 100%"]
    assert await names(q="100%") == ["Attendance 100%"]  # % and _ are literal
    assert await names(q="f_l") == ["Staff_leave"]
    assert await names(q="%") == ["Attendance 100%"]
    assert await names(programme_id=str(world.other_programme.id)) == []

    first = await client.get("/v1/measures", params={"limit": 2}, headers=world.a.headers)
    assert [i["name"] for i in first.json()["items"]] == ["Staff_leave", "Attendance 100%"]
    rest = await client.get(
        "/v1/measures",
        params={"limit": 2, "cursor": first.json()["next_cursor"]},
        headers=world.a.headers,
    )
    assert [i["name"] for i in rest.json()["items"]] == ["Exclusions"]
    assert rest.json()["next_cursor"] is None
    bad = await client.get("/v1/measures", params={"kind": "vanity"}, headers=world.a.headers)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["parameter"] == "kind"


async def test_a_nul_in_the_search_is_a_parameter_error(
    client: httpx.AsyncClient, world: World
) -> None:
    # PostgreSQL text cannot hold NUL: the search used to reach the database and fail (500).
    response = await client.get("/v1/measures", params={"q": "a\x00b"}, headers=world.a.headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"][0]["parameter"] == "q"


async def test_validation_errors_name_the_field_and_save_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    cases: list[tuple[dict[str, Any], str, str]] = [
        (new_measure(world, id="00000000-0000-0000-0000-000000000001"), "/id", "server_owned"),
        (new_measure(world, version=3), "/version", "server_owned"),
        (new_measure(world, implementation_id=None), "/implementation_id", "unknown_field"),
        (new_measure(world, name=""), "/name", "string_too_short"),
        (new_measure(world, kind="vanity"), "/kind", "enum"),
        (new_measure(world, value_type="ratio"), "/value_type", "enum"),
        (new_measure(world, direction="up"), "/direction", "enum"),
        (new_measure(world, reporting_period="day"), "/reporting_period", "enum"),
        (new_measure(world, visibility="public"), "/visibility", "enum"),
        (new_measure(world, operational_definition="  "), "/operational_definition", "value_error"),
        (new_measure(world, unit="u" * 201), "/unit", "string_too_long"),
        (new_measure(world, target="lots"), "/target", "float_parsing"),
        (
            new_measure(world, programme_id=str(world.other_programme.id)),
            "/programme_id",
            "invalid",
        ),
    ]
    for body, pointer, code in cases:
        response = await client.post("/v1/measures", json=body, headers=world.a.headers)
        assert response.status_code == 422, (pointer, response.text)
        assert response.headers["content-type"] == PROBLEM
        assert {"pointer": pointer, "code": code} in [
            {"pointer": e["pointer"], "code": e["code"]} for e in response.json()["errors"]
        ], response.json()
    missing = await client.post("/v1/measures", json={"name": "x"}, headers=world.a.headers)
    assert missing.status_code == 422
    pointers = {e["pointer"] for e in missing.json()["errors"]}
    assert {"/programme_id", "/kind", "/value_type", "/reporting_period"} <= pointers
    not_finite = await client.post(
        "/v1/measures",
        content=b'{"target": NaN}',
        headers={**world.a.headers, "Content-Type": "application/json"},
    )
    assert not_finite.status_code in (400, 422)
    assert await count_measures(world) == 0


async def test_value_type_and_period_are_fixed_once_points_exist(
    client: httpx.AsyncClient, world: World
) -> None:
    measure = await create_measure(world.state, world.a.organisation, world.programme)
    url = f"/v1/measures/{measure.id}"
    headers = {**world.a.headers, "If-Match": '"1"'}
    # No points yet: both may change.
    free = await client.patch(url, json={"reporting_period": "week"}, headers=headers)
    assert free.status_code == 200, free.text
    await create_point(world.state, measure, date(2025, 3, 31))
    headers = {**world.a.headers, "If-Match": '"2"'}
    for body, pointer in (
        ({"reporting_period": "month"}, "/reporting_period"),
        ({"value_type": "measurement"}, "/value_type"),
        ({"name": None}, "/name"),
    ):
        refused = await client.patch(url, json=body, headers=headers)
        assert refused.status_code == 422, body
        assert refused.json()["errors"][0]["pointer"] == pointer
    # Sending the current value is not a change.
    same = await client.patch(
        url, json={"reporting_period": "week", "unit": "meetings"}, headers=headers
    )
    assert same.status_code == 200, same.text
    assert same.json()["version"] == 3


async def test_patch_and_delete_need_a_current_if_match(
    client: httpx.AsyncClient, world: World
) -> None:
    measure = await create_measure(world.state, world.a.organisation, world.programme)
    url = f"/v1/measures/{measure.id}"
    assert (await client.patch(url, json={"name": "N"}, headers=world.a.headers)).status_code == 428
    assert (await client.delete(url, headers=world.a.headers)).status_code == 428
    stale = {**world.a.headers, "If-Match": '"4"'}
    refused = await client.patch(url, json={"name": "N"}, headers=stale)
    assert refused.status_code == 412
    assert refused.json()["current_version"] == 1
    assert refused.headers["etag"] == '"1"'
    assert (await client.delete(url, headers=stale)).status_code == 412
    after = await client.get(url, headers=world.a.headers)
    assert after.json()["version"] == 1
    assert await audit_actions(world, measure.id) == []


async def test_idempotency_key_replays_the_first_response(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = {**world.a.headers, "Idempotency-Key": "measure-1"}
    first = await client.post("/v1/measures", json=new_measure(world), headers=headers)
    assert first.status_code == 201
    again = await client.post("/v1/measures", json=new_measure(world), headers=headers)
    assert again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    other = await client.post("/v1/measures", json=new_measure(world, name="B"), headers=headers)
    assert other.status_code == 422
    assert other.json()["type"].endswith("idempotency_key_reused")
    assert await count_measures(world) == 1
    assert len(await audit_actions(world, first.json()["id"])) == 1


async def test_other_organisations_see_only_what_is_shared_and_change_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    private = await create_measure(
        world.state, world.a.organisation, world.programme, name="Private"
    )
    shared = await create_measure(
        world.state, world.a.organisation, world.programme, name="Shared", visibility="programme"
    )
    for party, visible in ((world.b, {"Shared"}), (world.c, set())):
        listed = await client.get("/v1/measures", headers=party.headers)
        assert {i["name"] for i in listed.json()["items"]} == visible
        searched = await client.get("/v1/measures", params={"q": "Priv"}, headers=party.headers)
        assert searched.json()["items"] == []
        for measure in (private, shared):
            url = f"/v1/measures/{measure.id}"
            read = await client.get(url, headers=party.headers)
            assert read.status_code == (200 if measure.name in visible else 404)
            write = {**party.headers, "If-Match": '"1"'}
            assert (
                await client.patch(url, json={"name": "Mine"}, headers=write)
            ).status_code == 404
            assert (await client.delete(url, headers=write)).status_code == 404
    for measure in (private, shared):
        still = await client.get(f"/v1/measures/{measure.id}", headers=world.a.headers)
        assert still.json()["version"] == 1
        assert await audit_actions(world, measure.id) == []


async def test_measures_use_the_cycles_scopes(client: httpx.AsyncClient, world: World) -> None:
    reader = {"Authorization": f"Bearer {await world.token(world.a, ['cycles:read'])}"}
    assert (await client.get("/v1/measures", headers=reader)).status_code == 200
    refused = await client.post("/v1/measures", json=new_measure(world), headers=reader)
    assert refused.status_code == 403
    assert refused.json()["scope"] == "cycles:write"
    other = {"Authorization": f"Bearer {await world.token(world.a, ['tenancy:read'])}"}
    assert (await client.get("/v1/measures", headers=other)).status_code == 403
    anonymous = await client.get("/v1/measures")
    assert anonymous.status_code == 401
    assert await count_measures(world) == 0
