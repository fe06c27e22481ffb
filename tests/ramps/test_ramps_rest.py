"""Ramps over REST: the ramp read in order with what was learned at each step, and every
convention's failure answer."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import func, select
from sqlmodel import col

from domain.audit.models import AuditEvent
from domain.improvement.models import Ramp
from tests.factories import World, create_cycle, create_ramp

PROBLEM = "application/problem+json"


def new_ramp(world: World, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "programme_id": str(world.programme.id),
        "title": "Buddy support in P1",
        "change_idea": "Pair each new P1 child with a P6 buddy",
        "visibility": "programme",
    }
    body.update(fields)
    return body


def if_match(world: World, version: int) -> dict[str, str]:
    return {**world.a.headers, "If-Match": f'"{version}"'}


async def count_ramps(world: World) -> int:
    async with world.state.database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Ramp)) or 0)


async def audit_actions(world: World, entity_id: str | UUID) -> list[str]:
    async with world.state.database.sessionmaker() as session:
        rows = await session.scalars(
            select(col(AuditEvent.action))
            .where(
                col(AuditEvent.entity_id) == UUID(str(entity_id)),
                col(AuditEvent.entity_type) == "ramp",
            )
            .order_by(col(AuditEvent.occurred_at))
        )
        return list(rows.all())


async def test_create_read_update_delete(client: httpx.AsyncClient, world: World) -> None:
    created = await client.post("/v1/ramps", json=new_ramp(world), headers=world.a.headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"] == f"/v1/ramps/{body['id']}"
    assert created.headers["etag"] == '"1"'
    assert body["organisation_id"] == str(world.a.organisation.id)
    assert body["created_by"] == f"client:{world.a.client.client_id}"
    assert body["cycles"] == []

    read = await client.get(f"/v1/ramps/{body['id']}", headers=world.a.headers)
    assert read.status_code == 200
    assert read.headers["etag"] == '"1"'
    assert read.json() == body
    listed = await client.get("/v1/ramps", headers=world.a.headers)
    assert [item["id"] for item in listed.json()["items"]] == [body["id"]]
    assert "cycles" not in listed.json()["items"][0]

    patched = await client.patch(
        f"/v1/ramps/{body['id']}",
        json={"title": "Buddy support, P1 and P2", "visibility": "private"},
        headers=if_match(world, 1),
    )
    assert patched.status_code == 200, patched.text
    assert patched.headers["etag"] == '"2"'
    assert patched.json()["title"] == "Buddy support, P1 and P2"
    assert patched.json()["visibility"] == "private"
    assert patched.json()["change_idea"] == body["change_idea"]
    assert patched.json()["cycles"] == []

    deleted = await client.delete(f"/v1/ramps/{body['id']}", headers=if_match(world, 2))
    assert deleted.status_code == 204
    gone = await client.get(f"/v1/ramps/{body['id']}", headers=world.a.headers)
    assert gone.status_code == 404
    assert gone.headers["content-type"] == PROBLEM
    assert (await client.get("/v1/ramps", headers=world.a.headers)).json()["items"] == []
    # Soft delete: the row is kept for history, and each write left one audit row.
    assert await count_ramps(world) == 1
    assert await audit_actions(world, body["id"]) == ["create", "update", "delete"]


async def test_the_ramp_reads_in_order_with_what_was_learned_at_each_step(
    client: httpx.AsyncClient, world: World
) -> None:
    ramp = await create_ramp(
        world.state, world.a.organisation, world.programme, visibility="programme"
    )
    a, programme = world.a.organisation, world.programme
    on_ramp = {"ramp_id": ramp.id, "kind": "usability_test", "visibility": "programme"}
    # Made before the chain's first cycle, and never linked into it.
    stray = await create_cycle(world.state, a, programme, title="Stray", **on_ramp)
    first = await create_cycle(
        world.state,
        a,
        programme,
        title="Round 1",
        study_learning="Children wanted to choose their buddy",
        act_decision="adapt",
        participants_tested=5,
        **on_ramp,
    )
    second = await create_cycle(
        world.state,
        a,
        programme,
        title="Round 2",
        previous_cycle_id=first.id,
        changes_from_previous="Children choose from three buddies",
        study_learning="Choice helped; playtime is too short",
        act_decision="adapt",
        participants_tested=8,
        **on_ramp,
    )
    # Another organisation's private cycle in the chain: left out, the chain goes on past it.
    hidden = await create_cycle(
        world.state,
        world.c.organisation,
        world.other_programme,
        title="Hidden",
        ramp_id=ramp.id,
        previous_cycle_id=second.id,
    )
    # A's own private cycle: A sees it, the programme partner does not.
    third = await create_cycle(
        world.state,
        a,
        programme,
        title="Round 3",
        previous_cycle_id=hidden.id,
        changes_from_previous="Buddies meet at lunch too",
        study_learning="Ready to adopt",
        act_decision="adopt",
        **{**on_ramp, "visibility": "private"},
    )
    await create_cycle(world.state, a, programme, title="Not in the ramp")

    read = await client.get(f"/v1/ramps/{ramp.id}", headers=world.a.headers)
    assert read.status_code == 200, read.text
    steps = read.json()["cycles"]
    assert [(s["title"], s["linked"]) for s in steps] == [
        ("Round 1", True),
        ("Round 2", True),
        ("Round 3", True),
        ("Stray", False),
    ]
    assert [s["study_learning"] for s in steps[:3]] == [
        "Children wanted to choose their buddy",
        "Choice helped; playtime is too short",
        "Ready to adopt",
    ]
    assert steps[1] == {
        "id": str(second.id),
        "title": "Round 2",
        "status": "plan",
        "kind": "usability_test",
        "start_date": None,
        "end_date": None,
        "act_decision": "adapt",
        "study_learning": "Choice helped; playtime is too short",
        "changes_from_previous": "Children choose from three buddies",
        "participants_tested": 8,
        "linked": True,
    }
    assert str(hidden.id) not in {s["id"] for s in steps}
    assert str(stray.id) == steps[-1]["id"]

    partner = await client.get(f"/v1/ramps/{ramp.id}", headers=world.b.headers)
    assert partner.status_code == 200
    assert [(s["title"], s["linked"]) for s in partner.json()["cycles"]] == [
        ("Round 1", True),
        ("Round 2", True),
        ("Stray", False),
    ]
    assert str(third.id) not in partner.text


async def test_a_ramp_with_live_cycles_is_not_deleted(
    client: httpx.AsyncClient, world: World
) -> None:
    ramp = await create_ramp(world.state, world.a.organisation, world.programme)
    cycle = await create_cycle(world.state, world.a.organisation, world.programme, ramp_id=ramp.id)
    refused = await client.delete(f"/v1/ramps/{ramp.id}", headers=if_match(world, 1))
    assert refused.status_code == 409
    assert refused.headers["content-type"] == PROBLEM
    assert "1 live cycle" in refused.json()["detail"]
    assert (await client.get(f"/v1/ramps/{ramp.id}", headers=world.a.headers)).status_code == 200
    assert await audit_actions(world, ramp.id) == []

    removed = await client.delete(f"/v1/cycles/{cycle.id}", headers=if_match(world, 1))
    assert removed.status_code == 204
    deleted = await client.delete(f"/v1/ramps/{ramp.id}", headers=if_match(world, 1))
    assert deleted.status_code == 204
    assert await audit_actions(world, ramp.id) == ["delete"]


async def test_validation_names_the_field_and_saves_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    for body, pointer, code in (
        (new_ramp(world, programme_id=str(world.other_programme.id)), "/programme_id", "invalid"),
        (new_ramp(world, title=""), "/title", "string_too_short"),
        (new_ramp(world, visibility="public"), "/visibility", "enum"),
        (
            new_ramp(world, organisation_id=str(world.b.organisation.id)),
            "/organisation_id",
            "server_owned",
        ),
        (new_ramp(world, version=3), "/version", "server_owned"),
    ):
        response = await client.post("/v1/ramps", json=body, headers=world.a.headers)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == PROBLEM
        error = response.json()["errors"][0]
        assert error["pointer"] == pointer
        if code is not None:
            assert error["code"] == code
    assert await count_ramps(world) == 0

    ramp = await create_ramp(world.state, world.a.organisation, world.programme)
    for body, pointer in (
        ({"title": None}, "/title"),
        ({"change_idea": None}, "/change_idea"),
        ({"programme_id": str(world.programme.id)}, "/programme_id"),
        ({"cycles": []}, "/cycles"),
    ):
        response = await client.patch(f"/v1/ramps/{ramp.id}", json=body, headers=if_match(world, 1))
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["pointer"] == pointer
    unchanged = await client.get(f"/v1/ramps/{ramp.id}", headers=world.a.headers)
    assert unchanged.json()["version"] == 1
    assert await audit_actions(world, ramp.id) == []


async def test_patch_and_delete_need_a_current_if_match(
    client: httpx.AsyncClient, world: World
) -> None:
    ramp = await create_ramp(world.state, world.a.organisation, world.programme)
    url = f"/v1/ramps/{ramp.id}"
    missing = await client.patch(url, json={"title": "New"}, headers=world.a.headers)
    assert missing.status_code == 428
    assert missing.headers["content-type"] == PROBLEM
    assert (await client.delete(url, headers=world.a.headers)).status_code == 428

    stale = await client.patch(url, json={"title": "New"}, headers=if_match(world, 4))
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 1
    assert stale.headers["etag"] == '"1"'
    assert (await client.delete(url, headers=if_match(world, 4))).status_code == 412
    unchanged = await client.get(url, headers=world.a.headers)
    assert unchanged.json()["title"] == "Buddy support rounds"
    assert unchanged.json()["version"] == 1


async def test_idempotency_key_replays_the_first_response(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = {**world.a.headers, "Idempotency-Key": "ramp-buddy-1"}
    first = await client.post("/v1/ramps", json=new_ramp(world), headers=headers)
    assert first.status_code == 201
    again = await client.post("/v1/ramps", json=new_ramp(world), headers=headers)
    assert again.status_code == 201
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["idempotent-replayed"] == "true"
    assert await count_ramps(world) == 1
    assert await audit_actions(world, first.json()["id"]) == ["create"]

    other = await client.post("/v1/ramps", json=new_ramp(world, title="Other"), headers=headers)
    assert other.status_code == 422
    assert other.json()["type"].endswith("idempotency_key_reused")
    assert await count_ramps(world) == 1


async def test_another_organisation_sees_nothing_and_a_partner_only_reads(
    client: httpx.AsyncClient, world: World
) -> None:
    private = await create_ramp(world.state, world.a.organisation, world.programme, title="Mine")
    shared = await create_ramp(
        world.state, world.a.organisation, world.programme, title="Ours", visibility="programme"
    )
    for party, sees_shared in ((world.b, True), (world.c, False)):
        listed = await client.get("/v1/ramps", headers=party.headers)
        assert [i["title"] for i in listed.json()["items"]] == (["Ours"] if sees_shared else [])
        by_programme = await client.get(
            "/v1/ramps", params={"programme_id": str(world.programme.id)}, headers=party.headers
        )
        assert len(by_programme.json()["items"]) == (1 if sees_shared else 0)
        read_private = await client.get(f"/v1/ramps/{private.id}", headers=party.headers)
        assert read_private.status_code == 404
        read_shared = await client.get(f"/v1/ramps/{shared.id}", headers=party.headers)
        assert read_shared.status_code == (200 if sees_shared else 404)
        for ramp in (private, shared):
            write = {**party.headers, "If-Match": '"1"'}
            patched = await client.patch(
                f"/v1/ramps/{ramp.id}", json={"title": "Taken"}, headers=write
            )
            assert patched.status_code == 404
            assert (await client.delete(f"/v1/ramps/{ramp.id}", headers=write)).status_code == 404
    for ramp in (private, shared):
        still = await client.get(f"/v1/ramps/{ramp.id}", headers=world.a.headers)
        assert still.json()["version"] == 1
        assert await audit_actions(world, ramp.id) == []


async def test_list_filters_and_pages(client: httpx.AsyncClient, world: World) -> None:
    for n in range(3):
        await create_ramp(world.state, world.a.organisation, world.programme, title=f"r{n}")
    await create_ramp(world.state, world.c.organisation, world.other_programme, title="Theirs")
    first = await client.get("/v1/ramps", params={"limit": 2}, headers=world.a.headers)
    assert [i["title"] for i in first.json()["items"]] == ["r2", "r1"]
    cursor = first.json()["next_cursor"]
    rest = await client.get(
        "/v1/ramps", params={"limit": 2, "cursor": cursor}, headers=world.a.headers
    )
    assert [i["title"] for i in rest.json()["items"]] == ["r0"]
    assert rest.json()["next_cursor"] is None
    elsewhere = await client.get(
        "/v1/ramps",
        params={"programme_id": str(world.other_programme.id)},
        headers=world.a.headers,
    )
    assert elsewhere.json()["items"] == []
    bad = await client.get("/v1/ramps", params={"limit": 0}, headers=world.a.headers)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["parameter"] == "limit"


async def test_scopes_gate_reads_and_writes(client: httpx.AsyncClient, world: World) -> None:
    reader = {"Authorization": f"Bearer {await world.token(world.a, ['cycles:read'])}"}
    assert (await client.get("/v1/ramps", headers=reader)).status_code == 200
    assert (await client.post("/v1/ramps", json=new_ramp(world), headers=reader)).status_code == 403
    assert (await client.get("/v1/ramps")).status_code == 401
