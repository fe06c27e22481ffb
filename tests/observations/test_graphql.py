"""Observations over GraphQL: the same use cases as REST, the same isolation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from api.graphql.ids import to_global_id
from domain.shared.ids import new_id
from tests.conftest import StatementCounter
from tests.factories import World, create_cycle
from tests.observations.helpers import count_observations, when

SUBMIT = """
mutation Submit($input: SubmitObservationInput!) {
  submitObservation(input: $input) {
    outcome observation { id databaseId kind text version cycle { title } }
    errors { code message field }
  }
}
"""
SUBMIT_MANY = """
mutation SubmitMany($input: SubmitObservationsInput!) {
  submitObservations(input: $input) {
    results { index outcome observation { databaseId } errors { code field } }
    errors { code message }
  }
}
"""
LIST = """
query List($first: Int!) {
  observations(first: $first) {
    edges { node { databaseId kind text cycle { title } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
READ = "query Read($id: ID!) { observation(id: $id) { databaseId text } }"
UPDATE = """
mutation Update($input: UpdateObservationInput!) {
  updateObservation(input: $input) {
    observation { text version } current { text version } errors { code field }
  }
}
"""
DELETE = """
mutation Delete($input: DeleteObservationInput!) {
  deleteObservation(input: $input) { deletedId errors { code } }
}
"""


async def gql(
    client: httpx.AsyncClient, headers: dict[str, str], query: str, **variables: Any
) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _general(world: World, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(new_id()),
        "kind": "general",
        "observedAt": when(1),
        "programmeId": to_global_id("Programme", world.programme.id),
        "text": "Coaching session went well",
        "tags": ["coaching"],
    }
    body.update(fields)
    return body


async def test_submit_read_list_update_delete(client: httpx.AsyncClient, world: World) -> None:
    cycle = await create_cycle(world.state, world.a.organisation, world.programme, title="Buddy")
    note = {
        **_general(world),
        "kind": "cycle_note",
        "cycleId": to_global_id("Cycle", cycle.id),
        "programmeId": None,
    }
    raw = await gql(client, world.a.headers, SUBMIT, input=note)
    assert "errors" not in raw, raw
    first = raw["data"]["submitObservation"]
    assert first["errors"] == []
    assert first["outcome"] == "created"
    assert first["observation"]["cycle"] == {"title": "Buddy"}
    again = (await gql(client, world.a.headers, SUBMIT, input=note))["data"]["submitObservation"]
    assert again["outcome"] == "duplicate"

    # One domain behind both doors.
    rest = await client.get(f"/v1/observations/{note['id']}", headers=world.a.headers)
    assert rest.json()["text"] == note["text"]

    listed = (await gql(client, world.a.headers, LIST, first=10))["data"]["observations"]
    assert [e["node"]["databaseId"] for e in listed["edges"]] == [note["id"]]
    global_id = first["observation"]["id"]
    read = (await gql(client, world.a.headers, READ, id=global_id))["data"]["observation"]
    assert read["databaseId"] == note["id"]

    updated = await gql(
        client, world.a.headers, UPDATE, input={"id": global_id, "expectedVersion": 1, "text": "B"}
    )
    assert updated["data"]["updateObservation"]["observation"] == {"text": "B", "version": 2}
    stale = await gql(
        client, world.a.headers, UPDATE, input={"id": global_id, "expectedVersion": 1, "text": "C"}
    )
    payload = stale["data"]["updateObservation"]
    assert payload["errors"][0]["code"] == "precondition_failed"
    assert payload["current"] == {"text": "B", "version": 2}

    deleted = await gql(
        client, world.a.headers, DELETE, input={"id": global_id, "expectedVersion": 2}
    )
    assert deleted["data"]["deleteObservation"] == {"deletedId": global_id, "errors": []}
    gone = await gql(client, world.a.headers, READ, id=global_id)
    assert gone["data"]["observation"] is None
    assert gone["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_refusals_point_at_the_input(client: httpx.AsyncClient, world: World) -> None:
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    hidden = await create_cycle(world.state, world.b.organisation, world.programme)
    result = await gql(
        client,
        world.a.headers,
        SUBMIT_MANY,
        input={
            "items": [
                _general(world),
                _general(world, observedAt=future),
                _general(world, text="CHI 0101011237"),
                {
                    **_general(world),
                    "kind": "cycle_note",
                    "cycleId": str(hidden.id),
                    "programmeId": None,
                },
            ]
        },
    )
    results = result["data"]["submitObservations"]["results"]
    assert [r["outcome"] for r in results] == ["created", "rejected", "rejected", "rejected"]
    assert results[1]["errors"] == [{"code": "in_future", "field": "/input/items/1/observedAt"}]
    assert results[2]["errors"] == [{"code": "chi_number", "field": "/input/items/2/text"}]
    assert results[3]["errors"][0]["code"] == "not_found"
    assert await count_observations(world) == 1


async def test_other_organisations_see_nothing(
    client: httpx.AsyncClient, world: World, count_statements: StatementCounter
) -> None:
    note = _general(world)
    submitted = await gql(client, world.a.headers, SUBMIT, input=note)
    global_id = submitted["data"]["submitObservation"]["observation"]["id"]
    for party in (world.b, world.c):
        read = await gql(client, party.headers, READ, id=global_id)
        assert read["data"]["observation"] is None
        assert read["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        listed = await gql(client, party.headers, LIST, first=10)
        assert listed["data"]["observations"]["edges"] == []
        changed = await gql(
            client,
            party.headers,
            UPDATE,
            input={"id": global_id, "expectedVersion": 1, "text": "x"},
        )
        assert changed["data"]["updateObservation"]["errors"][0]["code"] == "not_found"
    # A token without observations:write is refused at the front door.
    token = await world.token(world.a, ["cycles:read"])
    refused = await gql(client, {"Authorization": f"Bearer {token}"}, LIST, first=5)
    assert refused["data"] is None or refused["data"]["observations"] is None


async def test_listing_with_cycles_is_batched(
    client: httpx.AsyncClient, world: World, count_statements: StatementCounter
) -> None:
    async def statements_for(n: int) -> int:
        for _ in range(n):
            cycle = await create_cycle(world.state, world.a.organisation, world.programme)
            note = {
                **_general(world),
                "kind": "cycle_note",
                "cycleId": str(cycle.id),
                "programmeId": None,
            }
            await gql(client, world.a.headers, SUBMIT, input=note)
        count_statements.statements.clear()
        result = await gql(client, world.a.headers, LIST, first=50)
        assert "errors" not in result
        return len(count_statements.statements)

    few = await statements_for(2)
    many = await statements_for(10)
    assert few == many


async def test_node_resolves_an_observation_for_its_author_only(
    client: httpx.AsyncClient, world: World
) -> None:
    submitted = await gql(client, world.a.headers, SUBMIT, input=_general(world))
    global_id = submitted["data"]["submitObservation"]["observation"]["id"]
    query = "query N($id: ID!) { node(id: $id) { id ... on Observation { text } } }"
    mine = await gql(client, world.a.headers, query, id=global_id)
    assert mine["data"]["node"] == {"id": global_id, "text": "Coaching session went well"}
    theirs = await gql(client, world.b.headers, query, id=global_id)
    assert theirs["data"]["node"] is None
    assert theirs["errors"][0]["extensions"]["code"] == "NOT_FOUND"
