"""Programmes and their members over REST: admins write; members of a programme read it;
everyone else gets 404."""

from __future__ import annotations

import httpx

from api.state import AppState
from domain.tenancy.models import Programme, ProgrammeMember
from tests.factories import Party, World, create_cycle, create_organisation, create_site
from tests.tenancy.helpers import audit_actions, audit_events, count, pointers, problem


async def test_admin_creates_reads_updates_and_deletes(
    client: httpx.AsyncClient, app_state: AppState, admin: Party, world: World
) -> None:
    a, b = world.a.organisation.id, world.b.organisation.id
    created = await client.post(
        "/v1/programmes",
        json={
            "name": "Safe and Together",
            "description": "Domestic abuse informed practice.",
            "lead_organisation_id": str(a),
            "member_organisation_ids": [str(b)],
        },
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    programme_id = body["id"]
    assert created.headers["Location"] == f"/v1/programmes/{programme_id}"
    assert created.headers["ETag"] == '"1"'
    assert sorted(body["member_organisation_ids"]) == sorted([str(a), str(b)])  # lead added

    read = await client.get(f"/v1/programmes/{programme_id}", headers=admin.headers)
    assert read.json() == body

    # A member reads it at once: membership is looked up on every request.
    as_member = await client.get(f"/v1/programmes/{programme_id}", headers=world.b.headers)
    assert as_member.status_code == 200

    updated = await client.patch(
        f"/v1/programmes/{programme_id}",
        json={"description": "Revised.", "lead_organisation_id": str(b)},
        headers={**admin.headers, "If-Match": '"1"'},
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["lead_organisation_id"] == str(b)
    assert updated.json()["version"] == 2

    deleted = await client.delete(
        f"/v1/programmes/{programme_id}", headers={**admin.headers, "If-Match": '"2"'}
    )
    assert deleted.status_code == 204, deleted.text
    problem(
        await client.get(f"/v1/programmes/{programme_id}", headers=admin.headers), 404, "not_found"
    )
    assert await audit_actions(app_state, programme_id) == ["create", "update", "delete"]
    events = await audit_events(app_state, programme_id)
    assert events[1].changes == {
        "description": ["Domestic abuse informed practice.", "Revised."],
        "lead_organisation_id": [str(a), str(b)],
    }
    # Memberships went with the programme.
    assert await count(app_state, ProgrammeMember) == 3  # ANEW's two and Elsewhere's one


async def test_members_see_their_programmes_and_others_get_404(
    client: httpx.AsyncClient, world: World, admin: Party
) -> None:
    anew, elsewhere = world.programme.id, world.other_programme.id
    mine = await client.get("/v1/programmes", headers=world.a.headers)
    assert [p["name"] for p in mine.json()["items"]] == ["ANEW"]
    theirs = await client.get("/v1/programmes", headers=world.c.headers)
    assert [p["name"] for p in theirs.json()["items"]] == ["Elsewhere"]
    everything = await client.get("/v1/programmes", headers=admin.headers)
    assert {p["name"] for p in everything.json()["items"]} == {"ANEW", "Elsewhere"}

    problem(await client.get(f"/v1/programmes/{anew}", headers=world.c.headers), 404, "not_found")
    problem(
        await client.get(f"/v1/programmes/{anew}/members", headers=world.c.headers),
        404,
        "not_found",
    )
    problem(
        await client.get(f"/v1/programmes/{elsewhere}", headers=world.a.headers), 404, "not_found"
    )

    members = await client.get(f"/v1/programmes/{anew}/members", headers=world.b.headers)
    assert members.status_code == 200
    assert {m["name"] for m in members.json()["items"]} == {"Dundee City Council", "NHS Tayside"}
    assert {m["kind"] for m in members.json()["items"]} == {"local_authority", "health_board"}


async def test_non_admins_cannot_write_and_cannot_learn_what_they_cannot_see(
    client: httpx.AsyncClient, app_state: AppState, world: World
) -> None:
    anew = world.programme.id
    before = await count(app_state, Programme)
    create = await client.post(
        "/v1/programmes",
        json={"name": "Mine", "lead_organisation_id": str(world.a.organisation.id)},
        headers=world.a.headers,
    )
    problem(create, 403, "forbidden")
    # A can see ANEW, so is told it may not change it; C cannot see it, so hears 404.
    as_member = await client.patch(
        f"/v1/programmes/{anew}", json={"name": "X"}, headers={**world.a.headers, "If-Match": '"1"'}
    )
    problem(as_member, 403, "forbidden")
    as_outsider = await client.patch(
        f"/v1/programmes/{anew}", json={"name": "X"}, headers={**world.c.headers, "If-Match": '"1"'}
    )
    problem(as_outsider, 404, "not_found")
    join = await client.put(
        f"/v1/programmes/{anew}/members/{world.c.organisation.id}", headers=world.c.headers
    )
    problem(join, 404, "not_found")
    join_as_member = await client.put(
        f"/v1/programmes/{anew}/members/{world.c.organisation.id}", headers=world.a.headers
    )
    problem(join_as_member, 403, "forbidden")
    assert await count(app_state, Programme) == before
    assert await count(app_state, ProgrammeMember) == 3


async def test_membership_changes_bump_the_version(
    client: httpx.AsyncClient, app_state: AppState, admin: Party, world: World
) -> None:
    anew, c = world.programme.id, world.c.organisation.id
    url = f"/v1/programmes/{anew}/members/{c}"
    added = await client.put(url, headers=admin.headers)
    assert added.status_code == 200, added.text
    assert added.json()["version"] == 2
    assert added.headers["ETag"] == '"2"'
    assert str(c) in added.json()["member_organisation_ids"]
    again = await client.put(url, headers={**admin.headers, "If-Match": '"2"'})
    assert again.json()["version"] == 2  # already a member: nothing changes
    stale_put = await client.put(url, headers={**admin.headers, "If-Match": '"1"'})
    problem(stale_put, 412, "precondition_failed")

    # C now sees ANEW, and B (a partner) sees C among the members.
    assert (await client.get(f"/v1/programmes/{anew}", headers=world.c.headers)).status_code == 200
    members = await client.get(f"/v1/programmes/{anew}/members?limit=2", headers=world.b.headers)
    first_page = members.json()
    assert len(first_page["items"]) == 2
    assert first_page["next_cursor"]
    rest = await client.get(
        f"/v1/programmes/{anew}/members",
        params={"limit": 2, "cursor": first_page["next_cursor"]},
        headers=world.b.headers,
    )
    assert len(rest.json()["items"]) == 1
    assert rest.json()["next_cursor"] is None

    problem(await client.delete(url, headers=admin.headers), 428, "precondition_required")
    problem(
        await client.delete(url, headers={**admin.headers, "If-Match": '"1"'}),
        412,
        "precondition_failed",
    )
    removed = await client.delete(url, headers={**admin.headers, "If-Match": '"2"'})
    assert removed.status_code == 200, removed.text
    assert removed.json()["version"] == 3
    assert str(c) not in removed.json()["member_organisation_ids"]
    problem(await client.get(f"/v1/programmes/{anew}", headers=world.c.headers), 404, "not_found")
    problem(
        await client.delete(url, headers={**admin.headers, "If-Match": '"3"'}), 404, "not_found"
    )

    assert await audit_actions(app_state, anew) == ["add_member", "remove_member"]
    events = await audit_events(app_state, anew)
    assert events[0].changes == {"organisation_id": str(c), "version": [1, 2]}

    ghost = await client.put(
        f"/v1/programmes/{anew}/members/0190a000-0000-7000-8000-000000000000",
        headers=admin.headers,
    )
    problem(ghost, 404, "not_found")


async def test_the_lead_and_members_with_cycles_cannot_leave(
    client: httpx.AsyncClient, app_state: AppState, admin: Party, world: World
) -> None:
    anew = world.programme.id
    lead = await client.delete(
        f"/v1/programmes/{anew}/members/{world.a.organisation.id}",
        headers={**admin.headers, "If-Match": '"1"'},
    )
    assert "lead" in problem(lead, 409, "conflict")["detail"]
    await create_cycle(app_state, world.b.organisation, world.programme)
    busy = await client.delete(
        f"/v1/programmes/{anew}/members/{world.b.organisation.id}",
        headers={**admin.headers, "If-Match": '"1"'},
    )
    assert "1 cycle" in problem(busy, 409, "conflict")["detail"]
    # A's cycle placed at one of B's sites would lose sight of its site if B left.
    other = await create_organisation(app_state, "Perth & Kinross Council")
    await client.put(f"/v1/programmes/{anew}/members/{other.id}", headers=admin.headers)
    site = await create_site(app_state, other, "Perth Academy")
    await create_cycle(app_state, world.a.organisation, world.programme, site_id=site.id)
    at_site = await client.delete(
        f"/v1/programmes/{anew}/members/{other.id}", headers={**admin.headers, "If-Match": '"2"'}
    )
    problem(at_site, 409, "conflict")
    assert await count(app_state, ProgrammeMember) == 4


async def test_deleting_a_programme_with_cycles_conflicts(
    client: httpx.AsyncClient, app_state: AppState, admin: Party, world: World
) -> None:
    await create_cycle(app_state, world.c.organisation, world.other_programme, deleted_at=None)
    response = await client.delete(
        f"/v1/programmes/{world.other_programme.id}",
        headers={**admin.headers, "If-Match": '"1"'},
    )
    assert "1 cycles" in problem(response, 409, "conflict")["detail"]
    assert await count(app_state, Programme) == 2
    assert await count(app_state, ProgrammeMember) == 3


async def test_validation_and_conflicts_write_nothing(
    client: httpx.AsyncClient, app_state: AppState, admin: Party, world: World
) -> None:
    ghost = "0190a000-0000-7000-8000-000000000000"
    bad = await client.post(
        "/v1/programmes",
        json={
            "name": "Ghosts",
            "lead_organisation_id": ghost,
            "member_organisation_ids": [str(world.b.organisation.id), ghost],
        },
        headers=admin.headers,
    )
    found = pointers(problem(bad, 422, "validation_failed"))
    assert found == {
        "/lead_organisation_id": "not_found",
        "/member_organisation_ids/1": "not_found",
    }
    shape = await client.post(
        "/v1/programmes",
        json={"name": "X", "lead_organisation_id": "nope", "version": 3, "members": []},
        headers=admin.headers,
    )
    found = pointers(problem(shape, 422, "validation_failed"))
    assert found["/version"] == "server_owned"
    assert found["/members"] == "unknown_field"
    assert "/lead_organisation_id" in found

    duplicate = await client.post(
        "/v1/programmes",
        json={"name": "ANEW", "lead_organisation_id": str(world.a.organisation.id)},
        headers=admin.headers,
    )
    problem(duplicate, 409, "conflict")
    assert await count(app_state, Programme) == 2
    assert await count(app_state, ProgrammeMember) == 3

    not_member = await client.patch(
        f"/v1/programmes/{world.programme.id}",
        json={"lead_organisation_id": str(world.c.organisation.id)},
        headers={**admin.headers, "If-Match": '"1"'},
    )
    assert pointers(problem(not_member, 422, "validation_failed")) == {
        "/lead_organisation_id": "not_a_member"
    }
    rename = await client.patch(
        f"/v1/programmes/{world.other_programme.id}",
        json={"name": "ANEW"},
        headers={**admin.headers, "If-Match": '"1"'},
    )
    problem(rename, 409, "conflict")
    problem(
        await client.patch(
            f"/v1/programmes/{world.programme.id}", json={"name": "Y"}, headers=admin.headers
        ),
        428,
        "precondition_required",
    )
    read = await client.get(f"/v1/programmes/{world.other_programme.id}", headers=admin.headers)
    assert read.json()["name"] == "Elsewhere"
    assert read.json()["version"] == 1
    assert await audit_actions(app_state, world.programme.id) == []
