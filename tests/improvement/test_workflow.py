"""The cycle workflow: phases move only forward, each needs what it needs, every move is
dated, audited and kept; kinds, and cycles chained in ramps."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import select
from sqlmodel import col

from api.graphql.ids import to_global_id
from domain.audit.models import AuditEvent
from domain.improvement.models import Ramp
from tests.conftest import StatementCounter
from tests.factories import World, add, create_cycle

READY_TO_LEAVE_PLAN = {
    "aim": "Every concern met within ten days",
    "change_idea": "A standing weekly slot",
    "prediction": "8 of 10 met",
    "data_collection_plan": "Days from concern to meeting",
}


async def move(
    client: httpx.AsyncClient, world: World, cycle_id: Any, to: str, version: int, **extra: Any
) -> httpx.Response:
    return await client.post(
        f"/v1/cycles/{cycle_id}/transitions",
        json={"to": to, **extra},
        headers={**world.a.headers, "If-Match": f'"{version}"'},
    )


async def patch(
    client: httpx.AsyncClient, world: World, cycle_id: Any, version: int, **fields: Any
) -> httpx.Response:
    return await client.patch(
        f"/v1/cycles/{cycle_id}",
        json=fields,
        headers={**world.a.headers, "If-Match": f'"{version}"'},
    )


async def new_cycle(client: httpx.AsyncClient, world: World, **fields: Any) -> dict[str, Any]:
    body = {"programme_id": str(world.programme.id), "title": "TAC meetings", **fields}
    response = await client.post("/v1/cycles", json=body, headers=world.a.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_a_cycle_runs_plan_do_study_act_completed(
    client: httpx.AsyncClient, world: World
) -> None:
    cycle = await new_cycle(client, world, **READY_TO_LEAVE_PLAN)
    cid, version = cycle["id"], 1
    steps: list[tuple[str, dict[str, Any]]] = [
        ("do", {}),
        ("study", {"do_notes": "Nine concerns raised; two meetings moved"}),
        ("act", {"study_results": "7 of 9 in time, nearly as predicted"}),
        ("completed", {"act_decision": "adapt", "act_notes": "Try two slots a week"}),
    ]
    for to, fields in steps:
        if fields:
            patched = await patch(client, world, cid, version, **fields)
            assert patched.status_code == 200, patched.text
            version += 1
        moved = await move(client, world, cid, to, version)
        assert moved.status_code == 200, moved.text
        version += 1
        assert moved.json()["status"] == to
        assert moved.headers["etag"] == f'"{version}"'

    history = await client.get(f"/v1/cycles/{cid}/history", headers=world.a.headers)
    assert history.status_code == 200
    body = history.json()
    assert [t["to_status"] for t in body["transitions"]] == [
        "plan",
        "do",
        "study",
        "act",
        "completed",
    ]
    assert body["transitions"][0]["from_status"] is None
    phases = body["phases"]
    assert [p["status"] for p in phases] == ["plan", "do", "study", "act", "completed"]
    assert all(p["ended_at"] is not None for p in phases[:-1])
    assert phases[-1]["ended_at"] is None
    assert all(p["seconds"] >= 0 for p in phases)

    async with world.state.database.sessionmaker() as session:
        actions = (
            await session.scalars(
                select(col(AuditEvent.action)).where(col(AuditEvent.entity_id) == UUID(cid))
            )
        ).all()
    assert sorted(actions).count("transition") == 4


async def test_a_refused_move_names_every_missing_field(
    client: httpx.AsyncClient, world: World
) -> None:
    cycle = await new_cycle(client, world, aim="Only an aim")
    refused = await move(client, world, cycle["id"], "do", 1)
    assert refused.status_code == 422
    pointers = [e["pointer"] for e in refused.json()["errors"]]
    assert pointers == ["/change_idea", "/prediction", "/data_collection_plan"]
    assert {e["code"] for e in refused.json()["errors"]} == {"required_to_leave"}
    assert "change_idea, prediction, data_collection_plan" in refused.json()["detail"]
    unchanged = await client.get(f"/v1/cycles/{cycle['id']}", headers=world.a.headers)
    assert unchanged.json()["status"] == "plan"
    assert unchanged.json()["version"] == 1


async def test_phases_cannot_be_skipped_or_reopened(
    client: httpx.AsyncClient, world: World
) -> None:
    cycle = await new_cycle(client, world, **READY_TO_LEAVE_PLAN)
    skipped = await move(client, world, cycle["id"], "study", 1)
    assert skipped.status_code == 409
    assert skipped.json()["type"].endswith("invalid_transition")
    backwards = await move(client, world, cycle["id"], "plan", 1)
    assert backwards.status_code == 409

    no_reason = await move(client, world, cycle["id"], "abandoned", 1)
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["pointer"] == "/reason"
    abandoned = await move(client, world, cycle["id"], "abandoned", 1, reason="Staff redeployed")
    assert abandoned.status_code == 200
    assert abandoned.json()["abandon_reason"] == "Staff redeployed"
    finished = await move(client, world, cycle["id"], "do", 2)
    assert finished.status_code == 409
    assert "finished" in finished.json()["detail"]


async def test_status_changes_only_through_transitions(
    client: httpx.AsyncClient, world: World
) -> None:
    created = await client.post(
        "/v1/cycles",
        json={"programme_id": str(world.programme.id), "title": "T", "status": "study"},
        headers=world.a.headers,
    )
    assert created.status_code == 422
    assert created.json()["errors"][0] == {
        "pointer": "/status",
        "detail": "changes only through POST /v1/cycles/{id}/transitions",
        "code": "use_transition",
    }
    cycle = await new_cycle(client, world)
    patched = await patch(client, world, cycle["id"], 1, status="completed")
    assert patched.status_code == 422
    assert patched.json()["errors"][0]["code"] == "use_transition"


async def test_transitions_need_if_match_and_the_owner(
    client: httpx.AsyncClient, world: World
) -> None:
    cycle = await new_cycle(client, world, visibility="programme", **READY_TO_LEAVE_PLAN)
    url = f"/v1/cycles/{cycle['id']}/transitions"
    missing = await client.post(url, json={"to": "do"}, headers=world.a.headers)
    assert missing.status_code == 428
    stale = await move(client, world, cycle["id"], "do", 9)
    assert stale.status_code == 412
    for party in (world.b, world.c):  # a partner who can read it, and an outsider
        other = await client.post(
            url, json={"to": "do"}, headers={**party.headers, "If-Match": '"1"'}
        )
        assert other.status_code == 404
        history = await client.get(f"/v1/cycles/{cycle['id']}/history", headers=party.headers)
        assert history.status_code == (200 if party is world.b else 404)
    bad = await client.post(
        url, json={"to": "sideways"}, headers={**world.a.headers, "If-Match": '"1"'}
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["pointer"] == "/to"


async def test_usability_tests_record_participants_and_changes(
    client: httpx.AsyncClient, world: World
) -> None:
    ramp = Ramp(
        organisation_id=world.a.organisation.id,
        programme_id=world.programme.id,
        title="Buddy support rounds",
        created_by="test",
    )
    await add(world.state, ramp)
    first = await new_cycle(
        client, world, kind="usability_test", ramp_id=str(ramp.id), **READY_TO_LEAVE_PLAN
    )
    assert (await move(client, world, first["id"], "do", 1)).status_code == 200
    await patch(client, world, first["id"], 2, do_notes="Five children tried it")
    needs_count = await move(client, world, first["id"], "study", 3)
    assert needs_count.status_code == 422
    assert needs_count.json()["errors"][0]["pointer"] == "/participants_tested"

    follow = {"kind": "usability_test", "ramp_id": str(ramp.id), "previous_cycle_id": first["id"]}
    undecided = await client.post(
        "/v1/cycles",
        json={"programme_id": str(world.programme.id), "title": "Round 2", **follow},
        headers=world.a.headers,
    )
    assert undecided.status_code == 422
    assert undecided.json()["errors"][0]["code"] == "not_decided"

    await patch(client, world, first["id"], 3, act_decision="adapt", participants_tested=5)
    second = await new_cycle(client, world, **follow, **READY_TO_LEAVE_PLAN)
    needs_changes = await move(client, world, second["id"], "do", 1)
    assert needs_changes.status_code == 422
    assert needs_changes.json()["errors"][0]["pointer"] == "/changes_from_previous"
    branch = await client.post(
        "/v1/cycles",
        json={"programme_id": str(world.programme.id), "title": "A branch", **follow},
        headers=world.a.headers,
    )
    assert branch.status_code == 409  # a ramp is a chain: one cycle follows another
    listed = await client.get(
        "/v1/cycles", params={"ramp_id": str(ramp.id)}, headers=world.a.headers
    )
    assert [c["title"] for c in listed.json()["items"]] == ["TAC meetings", "TAC meetings"]

    others_ramp = Ramp(
        organisation_id=world.c.organisation.id,
        programme_id=world.other_programme.id,
        title="Theirs",
        created_by="test",
    )
    await add(world.state, others_ramp)
    foreign = await client.post(
        "/v1/cycles",
        json={
            "programme_id": str(world.programme.id),
            "title": "T",
            "ramp_id": str(others_ramp.id),
        },
        headers=world.a.headers,
    )
    assert foreign.status_code == 422
    assert foreign.json()["errors"][0]["pointer"] == "/ramp_id"


TRANSITION = """
mutation Move($input: TransitionCycleInput!) {
  transitionCycle(input: $input) { cycle { status version } errors { code message field } }
}
"""
HISTORY = """
query { cycles(first: 50) { edges { node { title history {
  transitions { fromStatus toStatus } phases { status seconds } } } } } }
"""


async def test_graphql_transitions_and_history(
    client: httpx.AsyncClient, world: World, count_statements: StatementCounter
) -> None:
    cycle = await create_cycle(
        world.state, world.a.organisation, world.programme, **READY_TO_LEAVE_PLAN
    )
    gid = to_global_id("Cycle", cycle.id)

    async def gql(query: str, **variables: Any) -> dict[str, Any]:
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=world.a.headers
        )
        assert response.status_code == 200
        result: dict[str, Any] = response.json()
        return result

    skipped = await gql(TRANSITION, input={"id": gid, "expectedVersion": 1, "to": "act"})
    assert skipped["data"]["transitionCycle"]["errors"][0]["code"] == "invalid_transition"
    moved = await gql(TRANSITION, input={"id": gid, "expectedVersion": 1, "to": "do"})
    assert moved["data"]["transitionCycle"] == {
        "cycle": {"status": "do", "version": 2},
        "errors": [],
    }
    missing = await gql(TRANSITION, input={"id": gid, "expectedVersion": 2, "to": "study"})
    assert missing["data"]["transitionCycle"]["errors"][0]["field"] == "/input/doNotes"

    for n in range(20):
        await create_cycle(world.state, world.a.organisation, world.programme, title=f"c{n}")
    count_statements.statements.clear()
    listed = await gql(HISTORY)
    edges = listed["data"]["cycles"]["edges"]
    assert len(edges) == 21
    mine = next(e["node"] for e in edges if e["node"]["title"] == "A cycle")
    # Made by a factory, so no creation entry; the move to do was recorded.
    assert mine["history"]["transitions"] == [{"fromStatus": "plan", "toStatus": "do"}]
    # The caller, the page, and one batch for every history on it.
    assert len(count_statements.statements) <= 4, count_statements.statements


async def test_ramp_links_cannot_loop_or_strand_a_follower(
    client: httpx.AsyncClient, world: World
) -> None:
    ramp = Ramp(
        organisation_id=world.a.organisation.id,
        programme_id=world.programme.id,
        title="Loops",
        created_by="test",
    )
    other = Ramp(
        organisation_id=world.a.organisation.id,
        programme_id=world.programme.id,
        title="Elsewhere",
        created_by="test",
    )
    await add(world.state, ramp, other)
    first = await new_cycle(client, world, ramp_id=str(ramp.id), act_decision="adapt")
    second = await new_cycle(
        client, world, ramp_id=str(ramp.id), previous_cycle_id=first["id"], act_decision="adopt"
    )
    loop = await patch(client, world, first["id"], 1, previous_cycle_id=second["id"])
    assert loop.status_code == 422
    assert loop.json()["errors"][0]["code"] == "loop"
    stranded = await patch(client, world, first["id"], 1, ramp_id=str(other.id))
    assert stranded.status_code == 409
    # The follower can leave, and then the first cycle may move.
    assert (await patch(client, world, second["id"], 1, previous_cycle_id=None)).status_code == 200
    assert (await patch(client, world, first["id"], 1, ramp_id=str(other.id))).status_code == 200
