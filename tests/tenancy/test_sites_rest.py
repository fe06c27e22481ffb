"""Sites over REST: a tree of areas, localities and settings, written by admins and read by
the owning organisation and its programme partners."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import httpx
import pytest

from api.state import AppState
from domain.tenancy.models import Site
from domain.tenancy.repository import TenancyRepository
from tests.factories import Party, World, create_cycle, create_site
from tests.tenancy.helpers import audit_actions, audit_events, count, pointers, problem


async def _create(client: httpx.AsyncClient, admin: Party, **body: Any) -> dict[str, Any]:
    response = await client.post("/v1/sites", json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_admin_builds_reads_changes_and_prunes_a_tree(
    client: httpx.AsyncClient, app_state: AppState, admin: Party, world: World
) -> None:
    org = str(world.a.organisation.id)
    area = await _create(client, admin, organisation_id=org, name="Dundee", kind="area")
    east = await _create(
        client, admin, organisation_id=org, name="East", kind="locality", parent_id=area["id"]
    )
    school = await _create(
        client,
        admin,
        organisation_id=org,
        name="Craigie High",
        kind="setting",
        parent_id=east["id"],
    )
    nursery = await _create(
        client, admin, organisation_id=org, name="Nursery", kind="setting", parent_id=area["id"]
    )
    assert school["parent_id"] == east["id"]
    assert school["version"] == 1

    one = await client.get(f"/v1/sites/{school['id']}", headers=world.a.headers)
    assert one.json() == school
    assert one.headers["ETag"] == '"1"'

    under_area = await client.get(
        "/v1/sites", params={"parent_id": area["id"]}, headers=world.a.headers
    )
    assert {s["name"] for s in under_area.json()["items"]} == {"East", "Nursery"}
    settings = await client.get(
        "/v1/sites", params={"kind": "setting", "organisation_id": org}, headers=world.a.headers
    )
    assert {s["name"] for s in settings.json()["items"]} == {
        "Craigie High",
        "Nursery",
        "Longhaugh Primary",
    }

    moved = await client.patch(
        f"/v1/sites/{school['id']}",
        json={"name": "Craigie High School", "parent_id": area["id"]},
        headers={**admin.headers, "If-Match": '"1"'},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["parent_id"] == area["id"]
    assert moved.json()["version"] == 2

    deleted = await client.delete(
        f"/v1/sites/{nursery['id']}", headers={**admin.headers, "If-Match": '"1"'}
    )
    assert deleted.status_code == 204
    problem(await client.get(f"/v1/sites/{nursery['id']}", headers=admin.headers), 404, "not_found")
    assert await audit_actions(app_state, school["id"]) == ["create", "update"]
    assert await audit_actions(app_state, nursery["id"]) == ["create", "delete"]
    events = await audit_events(app_state, school["id"])
    assert events[1].changes == {
        "name": ["Craigie High", "Craigie High School"],
        "parent_id": [east["id"], area["id"]],
    }


async def test_partners_see_sites_and_outsiders_do_not(
    client: httpx.AsyncClient, admin: Party, world: World
) -> None:
    site = world.site_a.id
    assert (await client.get(f"/v1/sites/{site}", headers=world.a.headers)).status_code == 200
    assert (await client.get(f"/v1/sites/{site}", headers=world.b.headers)).status_code == 200
    problem(await client.get(f"/v1/sites/{site}", headers=world.c.headers), 404, "not_found")

    assert [
        s["id"] for s in (await client.get("/v1/sites", headers=world.b.headers)).json()["items"]
    ] == [str(site)]
    assert (await client.get("/v1/sites", headers=world.c.headers)).json()["items"] == []
    filtered = await client.get(
        "/v1/sites",
        params={"organisation_id": str(world.a.organisation.id)},
        headers=world.c.headers,
    )
    assert filtered.json()["items"] == []
    assert len((await client.get("/v1/sites", headers=admin.headers)).json()["items"]) == 1

    # Writes from the outsider are 404 too: it cannot learn the site exists.
    outsider = await client.patch(
        f"/v1/sites/{site}", json={"name": "X"}, headers={**world.c.headers, "If-Match": '"1"'}
    )
    problem(outsider, 404, "not_found")
    owner = await client.patch(
        f"/v1/sites/{site}", json={"name": "X"}, headers={**world.a.headers, "If-Match": '"1"'}
    )
    problem(owner, 403, "forbidden")
    create = await client.post(
        "/v1/sites",
        json={"organisation_id": str(world.a.organisation.id), "name": "Y", "kind": "area"},
        headers=world.a.headers,
    )
    problem(create, 403, "forbidden")


async def test_tree_rules_are_enforced_and_nothing_is_written(
    client: httpx.AsyncClient, app_state: AppState, admin: Party, world: World
) -> None:
    a, c = str(world.a.organisation.id), str(world.c.organisation.id)
    area = await _create(client, admin, organisation_id=a, name="Dundee", kind="area")
    east = await _create(
        client, admin, organisation_id=a, name="East", kind="locality", parent_id=area["id"]
    )
    school = await _create(
        client, admin, organisation_id=a, name="School", kind="setting", parent_id=east["id"]
    )
    other_area = await _create(client, admin, organisation_id=c, name="Elsewhere", kind="area")
    before = await count(app_state, Site)

    async def refused(body: dict[str, Any]) -> dict[str, str]:
        response = await client.post("/v1/sites", json=body, headers=admin.headers)
        return pointers(problem(response, 422, "validation_failed"))

    base = {"organisation_id": a, "name": "New"}
    assert await refused({**base, "kind": "area", "parent_id": area["id"]}) == {
        "/parent_id": "site_tree"
    }
    assert await refused({**base, "kind": "locality", "parent_id": school["id"]}) == {
        "/parent_id": "site_tree"
    }
    assert await refused({**base, "kind": "locality", "parent_id": east["id"]}) == {
        "/parent_id": "site_tree"
    }
    assert await refused({**base, "kind": "setting", "parent_id": school["id"]}) == {
        "/parent_id": "site_tree"
    }
    assert await refused({**base, "kind": "locality", "parent_id": other_area["id"]}) == {
        "/parent_id": "site_tree"
    }
    ghost = "0190a000-0000-7000-8000-000000000000"
    assert await refused({**base, "kind": "setting", "parent_id": ghost}) == {
        "/parent_id": "not_found"
    }
    assert await refused({**base, "organisation_id": ghost, "kind": "area"}) == {
        "/organisation_id": "not_found"
    }
    shape = await refused({**base, "kind": "castle", "id": ghost, "colour": "red"})
    assert shape["/id"] == "server_owned"
    assert shape["/colour"] == "unknown_field"
    assert "/kind" in shape
    assert await count(app_state, Site) == before

    async def refused_patch(site: dict[str, Any], body: dict[str, Any]) -> dict[str, str]:
        response = await client.patch(
            f"/v1/sites/{site['id']}", json=body, headers={**admin.headers, "If-Match": '"1"'}
        )
        return pointers(problem(response, 422, "validation_failed"))

    # No cycles: a site cannot sit under itself or under its own descendant.
    assert await refused_patch(east, {"parent_id": east["id"]}) == {"/parent_id": "cycle"}
    assert await refused_patch(area, {"kind": "locality", "parent_id": east["id"]}) == {
        "/parent_id": "cycle",
        "/kind": "site_tree",  # and its locality child could not sit under a locality
    }
    # A kind change must keep the children valid.
    assert await refused_patch(east, {"kind": "setting"}) == {"/kind": "site_tree"}
    assert await refused_patch(area, {"parent_id": other_area["id"]}) == {"/parent_id": "site_tree"}
    assert await refused_patch(area, {"name": None}) == {"/name": "null_not_allowed"}
    assert await refused_patch(area, {"organisation_id": c}) == {"/organisation_id": "server_owned"}
    for site in (area, east, school):
        read = await client.get(f"/v1/sites/{site['id']}", headers=admin.headers)
        assert read.json() == site
        assert await audit_actions(app_state, site["id"]) == ["create"]


async def test_duplicate_sibling_names_conflict(
    client: httpx.AsyncClient, app_state: AppState, admin: Party, world: World
) -> None:
    a = str(world.a.organisation.id)
    area = await _create(client, admin, organisation_id=a, name="Dundee", kind="area")
    await _create(
        client, admin, organisation_id=a, name="East", kind="locality", parent_id=area["id"]
    )
    before = await count(app_state, Site)
    root = await client.post(
        "/v1/sites",
        json={"organisation_id": a, "name": "Dundee", "kind": "area"},
        headers=admin.headers,
    )
    problem(root, 409, "conflict")
    child = await client.post(
        "/v1/sites",
        json={"organisation_id": a, "name": "East", "kind": "locality", "parent_id": area["id"]},
        headers=admin.headers,
    )
    problem(child, 409, "conflict")
    assert await count(app_state, Site) == before
    # The same name in another organisation's tree is fine.
    await _create(
        client, admin, organisation_id=str(world.c.organisation.id), name="Dundee", kind="area"
    )
    rename = await client.patch(
        f"/v1/sites/{world.site_a.id}",
        json={"name": "Dundee"},
        headers={**admin.headers, "If-Match": '"1"'},
    )
    problem(rename, 409, "conflict")


async def test_root_names_are_unique_in_the_database_too(
    client: httpx.AsyncClient, app_state: AppState, admin: Party, world: World
) -> None:
    # As if another writer had passed the service's check at the same moment: the unique
    # constraint (NULLS NOT DISTINCT, so roots count as siblings) refuses it, still a 409.
    async def nothing_taken(*args: Any, **kwargs: Any) -> bool:
        return False

    a = str(world.a.organisation.id)
    await _create(client, admin, organisation_id=a, name="Dundee", kind="area")
    before = await count(app_state, Site)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TenancyRepository, "sibling_name_taken", nothing_taken)
        again = await client.post(
            "/v1/sites",
            json={"organisation_id": a, "name": "Dundee", "kind": "area"},
            headers=admin.headers,
        )
    assert "already exists" in problem(again, 409, "conflict")["detail"]
    assert await count(app_state, Site) == before


async def test_concurrent_creates_of_one_root_name_let_exactly_one_win(
    client: httpx.AsyncClient, app_state: AppState, admin: Party, world: World
) -> None:
    # Both requests pass the service's name check before either inserts, as they can in
    # production; the database must still keep exactly one.
    both_checked = asyncio.Barrier(2)
    check = TenancyRepository.sibling_name_taken

    async def racing_check(
        repo: TenancyRepository,
        organisation_id: UUID,
        parent_id: UUID | None,
        name: str,
        *,
        except_id: UUID | None,
    ) -> bool:
        taken = await check(repo, organisation_id, parent_id, name, except_id=except_id)
        await asyncio.wait_for(both_checked.wait(), timeout=10)
        return taken

    body = {"organisation_id": str(world.a.organisation.id), "name": "Dundee", "kind": "area"}
    before = await count(app_state, Site)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TenancyRepository, "sibling_name_taken", racing_check)
        responses = await asyncio.gather(
            *(client.post("/v1/sites", json=body, headers=admin.headers) for _ in range(2))
        )
    assert sorted(r.status_code for r in responses) == [201, 409], [r.text for r in responses]
    winner, loser = sorted(responses, key=lambda r: r.status_code)
    problem(loser, 409, "conflict")
    assert await count(app_state, Site) == before + 1
    assert await audit_actions(app_state, winner.json()["id"]) == ["create"]


async def test_deleting_a_site_in_use_conflicts(
    client: httpx.AsyncClient, app_state: AppState, admin: Party, world: World
) -> None:
    area = await create_site(app_state, world.a.organisation, "Dundee", "area")
    await create_site(app_state, world.a.organisation, "East", "locality", area)
    with_children = await client.delete(
        f"/v1/sites/{area.id}", headers={**admin.headers, "If-Match": '"1"'}
    )
    assert "1 child sites" in problem(with_children, 409, "conflict")["detail"]
    await create_cycle(app_state, world.a.organisation, world.programme, site_id=world.site_a.id)
    with_cycles = await client.delete(
        f"/v1/sites/{world.site_a.id}", headers={**admin.headers, "If-Match": '"1"'}
    )
    assert "1 cycles" in problem(with_cycles, 409, "conflict")["detail"]
    assert await count(app_state, Site) == 3
    problem(
        await client.delete(f"/v1/sites/{area.id}", headers=admin.headers),
        428,
        "precondition_required",
    )
    problem(
        await client.delete(f"/v1/sites/{area.id}", headers={**admin.headers, "If-Match": '"5"'}),
        412,
        "precondition_failed",
    )
