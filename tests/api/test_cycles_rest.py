"""Cycles over REST: the happy path and every convention's failure answer."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import func, select
from sqlmodel import col

from domain.audit.models import AuditEvent
from domain.improvement.models import Cycle
from tests.factories import World, create_cycle, create_site

PROBLEM = "application/problem+json"


def new_cycle(world: World, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "programme_id": str(world.programme.id),
        "site_id": str(world.site_a.id),
        "title": "Team Around the Child within ten days",
        "aim": "Meet within ten school days of a concern",
        "change_idea": "A standing weekly slot",
        "questions": ["Can the slot be filled?"],
        "prediction": "8 of 10 concerns met in time",
        "visibility": "programme",
    }
    body.update(fields)
    return body


async def count_cycles(world: World) -> int:
    async with world.state.database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Cycle)) or 0)


async def audit_actions(world: World, entity_id: str) -> list[str]:
    async with world.state.database.sessionmaker() as session:
        rows = await session.scalars(
            select(col(AuditEvent.action))
            .where(col(AuditEvent.entity_id) == UUID(entity_id))
            .order_by(col(AuditEvent.occurred_at))
        )
        return list(rows.all())


async def test_create_read_update_delete(client: httpx.AsyncClient, world: World) -> None:
    created = await client.post("/v1/cycles", json=new_cycle(world), headers=world.a.headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"] == f"/v1/cycles/{body['id']}"
    assert created.headers["etag"] == '"1"'
    assert body["organisation_id"] == str(world.a.organisation.id)
    assert body["status"] == "plan"
    assert body["created_by"] == f"client:{world.a.client.client_id}"

    read = await client.get(f"/v1/cycles/{body['id']}", headers=world.a.headers)
    assert read.status_code == 200
    assert read.json() == body
    not_modified = await client.get(
        f"/v1/cycles/{body['id']}", headers={**world.a.headers, "If-None-Match": '"1"'}
    )
    assert not_modified.status_code == 304

    patched = await client.patch(
        f"/v1/cycles/{body['id']}",
        json={"data_collection_plan": "Days to meeting", "site_id": None},
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    assert patched.status_code == 200, patched.text
    assert patched.headers["etag"] == '"2"'
    assert patched.json()["data_collection_plan"] == "Days to meeting"
    assert patched.json()["site_id"] is None
    assert patched.json()["title"] == body["title"]

    deleted = await client.delete(
        f"/v1/cycles/{body['id']}", headers={**world.a.headers, "If-Match": '"2"'}
    )
    assert deleted.status_code == 204
    gone = await client.get(f"/v1/cycles/{body['id']}", headers=world.a.headers)
    assert gone.status_code == 404
    assert gone.headers["content-type"] == PROBLEM
    listed = await client.get("/v1/cycles", headers=world.a.headers)
    assert listed.json()["items"] == []
    # Soft delete: the row is kept for history, and each write left one audit row.
    assert await count_cycles(world) == 1
    assert await audit_actions(world, body["id"]) == ["create", "update", "delete"]


async def test_list_filters_and_search(client: httpx.AsyncClient, world: World) -> None:
    other_site = await create_site(world.state, world.a.organisation, "Another school")
    await create_cycle(world.state, world.a.organisation, world.programme, title="Buddy support")
    await create_cycle(
        world.state,
        world.a.organisation,
        world.programme,
        title="Family learning sessions",
        site_id=other_site.id,
        status="study",
        aim="Parents join fortnightly play sessions",
    )
    await create_cycle(world.state, world.c.organisation, world.other_programme, title="Elsewhere")

    async def titles(**params: str) -> list[str]:
        response = await client.get("/v1/cycles", params=params, headers=world.a.headers)
        assert response.status_code == 200, response.text
        return [item["title"] for item in response.json()["items"]]

    assert await titles() == ["Family learning sessions", "Buddy support"]
    assert await titles(status="study") == ["Family learning sessions"]
    assert await titles(site_id=str(other_site.id)) == ["Family learning sessions"]
    assert await titles(programme_id=str(world.other_programme.id)) == []
    assert await titles(q="parents play") == ["Family learning sessions"]
    assert await titles(q="buddy") == ["Buddy support"]


async def test_keyset_pagination_is_stable_under_inserts(
    client: httpx.AsyncClient, world: World
) -> None:
    for n in range(5):
        await create_cycle(world.state, world.a.organisation, world.programme, title=f"c{n}")
    first = await client.get("/v1/cycles", params={"limit": 2}, headers=world.a.headers)
    page = first.json()
    assert [i["title"] for i in page["items"]] == ["c4", "c3"]
    # A record created between page reads does not shift or repeat the later pages.
    await create_cycle(world.state, world.a.organisation, world.programme, title="newer")
    seen = [i["title"] for i in page["items"]]
    cursor = page["next_cursor"]
    while cursor:
        response = await client.get(
            "/v1/cycles", params={"limit": 2, "cursor": cursor}, headers=world.a.headers
        )
        seen += [i["title"] for i in response.json()["items"]]
        cursor = response.json()["next_cursor"]
    assert seen == ["c4", "c3", "c2", "c1", "c0"]


async def test_bad_pagination_parameters(client: httpx.AsyncClient, world: World) -> None:
    for params, name in (
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"cursor": "x!"}, "cursor"),
    ):
        response = await client.get("/v1/cycles", params=params, headers=world.a.headers)
        assert response.status_code == 422, params
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["errors"][0]["parameter"] == name


async def test_a_nul_in_the_search_is_a_parameter_error(
    client: httpx.AsyncClient, world: World
) -> None:
    # PostgreSQL text cannot hold NUL: the search used to reach the database and fail (500).
    response = await client.get("/v1/cycles", params={"q": "a\x00b"}, headers=world.a.headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"][0]["parameter"] == "q"


async def test_validation_errors_name_the_field_and_save_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    cases: list[tuple[dict[str, Any], str, str]] = [
        (new_cycle(world, id="00000000-0000-0000-0000-000000000001"), "/id", "server_owned"),
        (
            new_cycle(world, organisation_id=str(world.c.organisation.id)),
            "/organisation_id",
            "server_owned",
        ),
        (new_cycle(world, created_by="someone"), "/created_by", "server_owned"),
        (new_cycle(world, colour="blue"), "/colour", "unknown_field"),
        (new_cycle(world, title=""), "/title", "string_too_short"),
        (new_cycle(world, status="finished"), "/status", "enum"),
        (new_cycle(world, act_decision="maybe"), "/act_decision", "enum"),
        (new_cycle(world, visibility="public"), "/visibility", "enum"),
        (new_cycle(world, aim="nul\x00byte"), "/aim", "value_error"),
        (new_cycle(world, questions="not a list"), "/questions", "list_type"),
        (new_cycle(world, programme_id=str(world.other_programme.id)), "/programme_id", "invalid"),
        (
            new_cycle(world, start_date="2020-02-01", end_date="2020-01-01"),
            "/end_date",
            "date_order",
        ),
    ]
    for body, pointer, code in cases:
        response = await client.post("/v1/cycles", json=body, headers=world.a.headers)
        assert response.status_code == 422, (pointer, response.text)
        assert response.headers["content-type"] == PROBLEM
        problem = response.json()
        assert problem["status"] == 422
        assert problem["type"].endswith("validation_failed")
        assert {"pointer": pointer, "code": code} in [
            {"pointer": e["pointer"], "code": e["code"]} for e in problem["errors"]
        ], problem
    missing = await client.post("/v1/cycles", json={"title": "x"}, headers=world.a.headers)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["pointer"] == "/programme_id"
    assert await count_cycles(world) == 0


async def test_site_must_belong_to_the_programme(client: httpx.AsyncClient, world: World) -> None:
    outsider_site = await create_site(world.state, world.c.organisation, "Outsider school")
    response = await client.post(
        "/v1/cycles", json=new_cycle(world, site_id=str(outsider_site.id)), headers=world.a.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/site_id"
    assert await count_cycles(world) == 0


async def test_malformed_and_oversized_bodies(client: httpx.AsyncClient, world: World) -> None:
    headers = {**world.a.headers, "Content-Type": "application/json"}
    malformed = await client.post("/v1/cycles", content=b'{"title": ', headers=headers)
    assert malformed.status_code == 400
    assert malformed.headers["content-type"] == PROBLEM

    as_text = await client.post(
        "/v1/cycles", content=b"{}", headers={**world.a.headers, "Content-Type": "text/plain"}
    )
    assert as_text.status_code == 415
    assert as_text.headers["content-type"] == PROBLEM
    not_an_object = await client.post("/v1/cycles", content=b"[1, 2]", headers=headers)
    assert not_an_object.status_code == 422
    assert not_an_object.json()["errors"][0]["pointer"] == "/"

    big = new_cycle(world, aim="x" * (70 * 1024))
    too_large = await client.post("/v1/cycles", json=big, headers=world.a.headers)
    assert too_large.status_code == 413
    assert too_large.json()["type"].endswith("payload_too_large")

    async def chunks() -> Any:
        # No Content-Length: the limit is enforced on the bytes as they arrive.
        for _ in range(80):
            yield b"x" * 1024

    streamed = await client.post("/v1/cycles", content=chunks(), headers=headers)
    assert streamed.status_code == 413
    assert await count_cycles(world) == 0


async def test_patch_and_delete_need_a_current_if_match(
    client: httpx.AsyncClient, world: World
) -> None:
    cycle = await create_cycle(world.state, world.a.organisation, world.programme)
    url = f"/v1/cycles/{cycle.id}"
    missing = await client.patch(url, json={"title": "New"}, headers=world.a.headers)
    assert missing.status_code == 428
    assert missing.headers["content-type"] == PROBLEM
    missing_delete = await client.delete(url, headers=world.a.headers)
    assert missing_delete.status_code == 428

    stale_headers = {**world.a.headers, "If-Match": '"7"'}
    stale = await client.patch(url, json={"title": "New"}, headers=stale_headers)
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 1
    assert stale.headers["etag"] == '"1"'
    assert (await client.delete(url, headers=stale_headers)).status_code == 412

    garbage = await client.patch(
        url, json={"title": "New"}, headers={**world.a.headers, "If-Match": "*"}
    )
    assert garbage.status_code == 422
    assert garbage.json()["errors"][0]["parameter"] == "If-Match"

    unchanged = await client.get(url, headers=world.a.headers)
    assert unchanged.json()["title"] == "A cycle"
    assert unchanged.json()["version"] == 1


async def test_patch_refuses_nulls_unknown_and_server_owned_fields(
    client: httpx.AsyncClient, world: World
) -> None:
    cycle = await create_cycle(world.state, world.a.organisation, world.programme)
    url = f"/v1/cycles/{cycle.id}"
    headers = {**world.a.headers, "If-Match": '"1"'}
    for body, pointer in (
        ({"title": None}, "/title"),
        ({"version": 5}, "/version"),
        ({"programme_id": str(world.other_programme.id)}, "/programme_id"),
        ({"end_date": "2000-01-01", "start_date": "2001-01-01"}, "/end_date"),
    ):
        response = await client.patch(url, json=body, headers=headers)
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["pointer"] == pointer
    after = await client.get(url, headers=world.a.headers)
    assert after.json()["version"] == 1
    assert await audit_actions(world, str(cycle.id)) == []


async def test_idempotency_key_replays_the_first_response(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = {**world.a.headers, "Idempotency-Key": "create-tac-1"}
    first = await client.post("/v1/cycles", json=new_cycle(world), headers=headers)
    assert first.status_code == 201
    again = await client.post("/v1/cycles", json=new_cycle(world), headers=headers)
    assert again.status_code == 201
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["idempotent-replayed"] == "true"
    assert await count_cycles(world) == 1

    other_body = await client.post(
        "/v1/cycles", json=new_cycle(world, title="Other"), headers=headers
    )
    assert other_body.status_code == 422
    assert other_body.json()["type"].endswith("idempotency_key_reused")

    # Keys belong to a caller: another partner's identical key is a different request.
    theirs = await client.post(
        "/v1/cycles",
        json={**new_cycle(world), "site_id": None},
        headers={**world.b.headers, "Idempotency-Key": "create-tac-1"},
    )
    assert theirs.status_code == 201
    assert await count_cycles(world) == 2


async def test_idempotency_key_in_flight_is_409_and_failures_release_it(
    client: httpx.AsyncClient, world: World
) -> None:
    from api.rest.idempotent import _fingerprint  # the same fingerprint the route computes
    from domain.shared import idempotency

    body = new_cycle(world)
    request = client.build_request("POST", "/v1/cycles", json=body)
    fake = httpx.Request("POST", request.url, content=request.content)
    await idempotency.claim(
        world.state.database.sessionmaker,
        owner=f"client:{world.a.client.client_id}",
        key="busy",
        request_hash=_fingerprint(fake, request.content),  # type: ignore[arg-type]
        ttl_seconds=60,
    )
    busy = await client.post(
        "/v1/cycles", json=body, headers={**world.a.headers, "Idempotency-Key": "busy"}
    )
    assert busy.status_code == 409
    assert busy.headers["content-type"] == PROBLEM

    failing = {**world.a.headers, "Idempotency-Key": "fails-first"}
    rejected = await client.post(
        "/v1/cycles",
        json=new_cycle(world, programme_id=str(world.other_programme.id)),
        headers=failing,
    )
    assert rejected.status_code == 422
    # The rejected request left nothing behind, so a corrected retry with the same key works.
    retried = await client.post(
        "/v1/cycles",
        json=new_cycle(world, programme_id=str(world.other_programme.id)),
        headers=failing,
    )
    assert retried.status_code == 422
    assert await count_cycles(world) == 0


async def test_idempotency_key_must_be_sane(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        "/v1/cycles",
        json=new_cycle(world),
        headers={**world.a.headers, "Idempotency-Key": "k" * 300},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == "Idempotency-Key"
    assert await count_cycles(world) == 0


async def test_another_organisation_cannot_see_or_change_private_cycles(
    client: httpx.AsyncClient, world: World
) -> None:
    private = await create_cycle(
        world.state, world.a.organisation, world.programme, title="Private"
    )
    shared = await create_cycle(
        world.state, world.a.organisation, world.programme, title="Shared", visibility="programme"
    )
    for party, sees_shared in ((world.b, True), (world.c, False)):
        listed = await client.get("/v1/cycles", headers=party.headers)
        titles = [i["title"] for i in listed.json()["items"]]
        assert titles == (["Shared"] if sees_shared else [])
        searched = await client.get("/v1/cycles", params={"q": "private"}, headers=party.headers)
        assert searched.json()["items"] == []
        read_private = await client.get(f"/v1/cycles/{private.id}", headers=party.headers)
        assert read_private.status_code == 404
        read_shared = await client.get(f"/v1/cycles/{shared.id}", headers=party.headers)
        assert read_shared.status_code == (200 if sees_shared else 404)
        for cycle in (private, shared):
            write = {**party.headers, "If-Match": '"1"'}
            patched = await client.patch(
                f"/v1/cycles/{cycle.id}", json={"title": "Mine"}, headers=write
            )
            assert patched.status_code == 404
            deleted = await client.delete(f"/v1/cycles/{cycle.id}", headers=write)
            assert deleted.status_code == 404
    for cycle in (private, shared):
        still = await client.get(f"/v1/cycles/{cycle.id}", headers=world.a.headers)
        assert still.json()["version"] == 1
        assert await audit_actions(world, str(cycle.id)) == []


async def test_scopes_gate_reads_and_writes(client: httpx.AsyncClient, world: World) -> None:
    read_only = await world.token(world.a, ["cycles:read"])
    headers = {"Authorization": f"Bearer {read_only}"}
    assert (await client.get("/v1/cycles", headers=headers)).status_code == 200
    refused = await client.post("/v1/cycles", json=new_cycle(world), headers=headers)
    assert refused.status_code == 403
    assert refused.json()["scope"] == "cycles:write"
    assert 'error="insufficient_scope"' in refused.headers["www-authenticate"]
    no_read = {"Authorization": f"Bearer {await world.token(world.a, ['tenancy:read'])}"}
    assert (await client.get("/v1/cycles", headers=no_read)).status_code == 403
    assert await count_cycles(world) == 0


async def test_request_id_is_taken_or_made(client: httpx.AsyncClient) -> None:
    given = await client.get("/healthz", headers={"X-Request-ID": "partner-123"})
    assert given.headers["x-request-id"] == "partner-123"
    unsafe = await client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert unsafe.headers["x-request-id"] != "bad id\twith spaces"
    assert len(unsafe.headers["x-request-id"]) == 32


async def test_unknown_routes_and_methods_are_problems(client: httpx.AsyncClient) -> None:
    missing = await client.get("/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM
    wrong = await client.put("/v1/cycles")
    assert wrong.status_code == 405
    assert wrong.headers["content-type"] == PROBLEM


async def test_bad_path_id_is_a_parameter_error(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get("/v1/cycles/not-a-uuid", headers=world.a.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == "cycle_id"
