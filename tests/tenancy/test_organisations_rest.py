"""Organisations over REST: platform admins write, every partner with tenancy:read reads."""

from __future__ import annotations

import httpx

from api.state import AppState
from domain.tenancy.models import Organisation
from tests.factories import Party, World
from tests.tenancy.helpers import audit_actions, audit_events, bearer, count, problem


async def test_admin_creates_reads_updates_and_deletes(
    client: httpx.AsyncClient, app_state: AppState, admin: Party
) -> None:
    created = await client.post(
        "/v1/organisations",
        json={"name": "Angus Council", "kind": "local_authority"},
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    org_id = body["id"]
    assert body["name"] == "Angus Council"
    assert body["kind"] == "local_authority"
    assert body["version"] == 1
    assert body["created_by"] == f"client:{admin.client.client_id}"
    assert created.headers["ETag"] == '"1"'
    assert created.headers["Location"] == f"/v1/organisations/{org_id}"

    read = await client.get(f"/v1/organisations/{org_id}", headers=admin.headers)
    assert read.status_code == 200
    assert read.headers["ETag"] == '"1"'
    assert read.json() == body
    unchanged = await client.get(
        f"/v1/organisations/{org_id}", headers={**admin.headers, "If-None-Match": '"1"'}
    )
    assert unchanged.status_code == 304

    updated = await client.patch(
        f"/v1/organisations/{org_id}",
        json={"name": "Angus Council (renamed)", "kind": "third_sector"},
        headers={**admin.headers, "If-Match": '"1"'},
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2
    assert updated.json()["kind"] == "third_sector"
    assert updated.headers["ETag"] == '"2"'

    same = await client.patch(
        f"/v1/organisations/{org_id}",
        json={"kind": "third_sector"},
        headers={**admin.headers, "If-Match": '"2"'},
    )
    assert same.json()["version"] == 2  # nothing changed, no new version, no audit row

    deleted = await client.delete(
        f"/v1/organisations/{org_id}", headers={**admin.headers, "If-Match": '"2"'}
    )
    assert deleted.status_code == 204, deleted.text
    gone = await client.get(f"/v1/organisations/{org_id}", headers=admin.headers)
    problem(gone, 404, "not_found")

    assert await audit_actions(app_state, org_id) == ["create", "update", "delete"]
    events = await audit_events(app_state, org_id)
    assert events[0].actor == f"client:{admin.client.client_id}"
    assert events[0].client_id == admin.client.client_id
    assert events[1].changes == {
        "name": ["Angus Council", "Angus Council (renamed)"],
        "kind": ["local_authority", "third_sector"],
    }
    assert events[2].changes["name"] == "Angus Council (renamed)"


async def test_members_read_the_directory(
    client: httpx.AsyncClient, app_state: AppState, world: World
) -> None:
    # C is in no programme with A, yet organisations are a public directory.
    headers = await bearer(app_state, world.c, ["tenancy:read"])
    one = await client.get(f"/v1/organisations/{world.a.organisation.id}", headers=headers)
    assert one.status_code == 200
    assert one.json()["name"] == world.a.organisation.name

    listed = await client.get("/v1/organisations", headers=headers)
    assert listed.status_code == 200
    names = {o["name"] for o in listed.json()["items"]}
    assert names == {"Dundee City Council", "NHS Tayside", "Outsider Council"}

    boards = await client.get("/v1/organisations?kind=health_board", headers=headers)
    assert [o["name"] for o in boards.json()["items"]] == ["NHS Tayside"]
    bad_kind = await client.get("/v1/organisations?kind=castle", headers=headers)
    problem(bad_kind, 422, "validation_failed")


async def test_list_pages_with_a_keyset_cursor(
    client: httpx.AsyncClient, admin: Party, world: World
) -> None:
    for n in range(4):
        response = await client.post(
            "/v1/organisations",
            json={"name": f"School {n}", "kind": "school"},
            headers=admin.headers,
        )
        assert response.status_code == 201
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 3, "kind": "school"}
        if cursor:
            params["cursor"] = cursor
        page = (
            await client.get("/v1/organisations", params=params, headers=world.a.headers)
        ).json()
        seen += [o["name"] for o in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["School 3", "School 2", "School 1", "School 0"]  # newest first, no repeats


async def test_reads_need_the_scope_and_a_token(
    client: httpx.AsyncClient, app_state: AppState, world: World
) -> None:
    headers = await bearer(app_state, world.a, ["cycles:read"])
    body = problem(
        await client.get("/v1/organisations", headers=headers), 403, "insufficient_scope"
    )
    assert body["scope"] == "tenancy:read"
    problem(await client.get("/v1/organisations"), 401, "unauthenticated")


async def test_non_admin_writes_are_refused(
    client: httpx.AsyncClient, app_state: AppState, world: World
) -> None:
    before = await count(app_state, Organisation)
    # World parties hold every scope, admin included, but not the platform_admin role.
    refused = await client.post(
        "/v1/organisations", json={"name": "Sneaky", "kind": "school"}, headers=world.a.headers
    )
    problem(refused, 403, "forbidden")
    patch = await client.patch(
        f"/v1/organisations/{world.a.organisation.id}",
        json={"name": "Renamed"},
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    problem(patch, 403, "forbidden")
    delete = await client.delete(
        f"/v1/organisations/{world.c.organisation.id}",
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    problem(delete, 403, "forbidden")

    read_only = await bearer(app_state, world.a, ["tenancy:read"])
    no_scope = await client.post(
        "/v1/organisations", json={"name": "Sneaky", "kind": "school"}, headers=read_only
    )
    body = problem(no_scope, 403, "insufficient_scope")
    assert body["scope"] == "admin"
    assert await count(app_state, Organisation) == before
    again = await client.get(f"/v1/organisations/{world.a.organisation.id}", headers=read_only)
    assert again.json()["name"] == world.a.organisation.name


async def test_admin_without_write_scope_is_refused(
    client: httpx.AsyncClient, app_state: AppState, admin: Party
) -> None:
    headers = await bearer(app_state, admin, ["tenancy:read"])
    refused = await client.post(
        "/v1/organisations", json={"name": "X", "kind": "school"}, headers=headers
    )
    problem(refused, 403, "insufficient_scope")


async def test_validation_names_each_field_and_writes_nothing(
    client: httpx.AsyncClient, app_state: AppState, admin: Party
) -> None:
    before = await count(app_state, Organisation)
    response = await client.post(
        "/v1/organisations",
        json={
            "id": "0190a000-0000-7000-8000-000000000000",
            "name": "  ",
            "kind": "castle",
            "colour": "blue",
        },
        headers=admin.headers,
    )
    body = problem(response, 422, "validation_failed")
    assert body["errors"]
    found = {e["pointer"]: e["code"] for e in body["errors"]}
    assert found["/id"] == "server_owned"
    assert found["/colour"] == "unknown_field"
    assert "/kind" in found
    assert "/name" in found
    assert await count(app_state, Organisation) == before

    target = admin.organisation.id
    null_name = await client.patch(
        f"/v1/organisations/{target}",
        json={"name": None},
        headers={**admin.headers, "If-Match": '"1"'},
    )
    assert problem(null_name, 422, "validation_failed")["errors"][0]["pointer"] == "/name"
    version = await client.patch(
        f"/v1/organisations/{target}",
        json={"version": 7},
        headers={**admin.headers, "If-Match": '"1"'},
    )
    assert problem(version, 422, "validation_failed")["errors"][0]["code"] == "server_owned"


async def test_if_match_is_required_and_checked(
    client: httpx.AsyncClient, app_state: AppState, admin: Party, world: World
) -> None:
    url = f"/v1/organisations/{world.c.organisation.id}"
    problem(
        await client.patch(url, json={"name": "New"}, headers=admin.headers),
        428,
        "precondition_required",
    )
    problem(await client.delete(url, headers=admin.headers), 428, "precondition_required")
    stale = await client.patch(
        url, json={"name": "New"}, headers={**admin.headers, "If-Match": '"9"'}
    )
    body = problem(stale, 412, "precondition_failed")
    assert body["current_version"] == 1
    assert stale.headers["ETag"] == '"1"'
    after = await client.get(url, headers=admin.headers)
    assert after.json()["name"] == "Outsider Council"
    assert await audit_actions(app_state, world.c.organisation.id) == []


async def test_duplicate_names_conflict(
    client: httpx.AsyncClient, app_state: AppState, admin: Party, world: World
) -> None:
    before = await count(app_state, Organisation)
    duplicate = await client.post(
        "/v1/organisations",
        json={"name": "NHS Tayside", "kind": "health_board"},
        headers=admin.headers,
    )
    assert "NHS Tayside" in problem(duplicate, 409, "conflict")["detail"]
    assert await count(app_state, Organisation) == before
    rename = await client.patch(
        f"/v1/organisations/{world.c.organisation.id}",
        json={"name": "NHS Tayside"},
        headers={**admin.headers, "If-Match": '"1"'},
    )
    problem(rename, 409, "conflict")
    still = await client.get(f"/v1/organisations/{world.c.organisation.id}", headers=admin.headers)
    assert still.json()["name"] == "Outsider Council"
    assert still.json()["version"] == 1


async def test_deleting_an_organisation_in_use_conflicts(
    client: httpx.AsyncClient, app_state: AppState, admin: Party, world: World
) -> None:
    response = await client.delete(
        f"/v1/organisations/{world.a.organisation.id}",
        headers={**admin.headers, "If-Match": '"1"'},
    )
    detail = problem(response, 409, "conflict")["detail"]
    assert "1 clients" in detail
    assert "1 sites" in detail
    assert "1 programmes led" in detail
    still = await client.get(f"/v1/organisations/{world.a.organisation.id}", headers=admin.headers)
    assert still.status_code == 200
    assert await audit_actions(app_state, world.a.organisation.id) == []


async def test_idempotency_key_replays_the_first_answer(
    client: httpx.AsyncClient, app_state: AppState, admin: Party
) -> None:
    headers = {**admin.headers, "Idempotency-Key": "org-1"}
    body = {"name": "Fife Council", "kind": "local_authority"}
    first = await client.post("/v1/organisations", json=body, headers=headers)
    second = await client.post("/v1/organisations", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert first.json() == second.json()
    other = await client.post("/v1/organisations", json={**body, "name": "Other"}, headers=headers)
    assert other.status_code == 422
    listed = await client.get("/v1/organisations?kind=local_authority", headers=admin.headers)
    assert [o["name"] for o in listed.json()["items"]].count("Fife Council") == 1
