"""Ramps over GraphQL: parity with REST for each mutation, the same access rules, and a
page of ramps with their cycles in a bounded number of SQL statements."""

from __future__ import annotations

from typing import Any

import httpx

from api.graphql.ids import to_global_id
from tests.conftest import StatementCounter
from tests.factories import World, create_cycle, create_ramp

CREATE = """
mutation Create($input: CreateRampInput!) {
  createRamp(input: $input) {
    ramp { id databaseId title changeIdea visibility version cycles { title }
      organisation { name } programme { name } }
    errors { code message field }
  }
}
"""
UPDATE = """
mutation Update($input: UpdateRampInput!) {
  updateRamp(input: $input) {
    ramp { title visibility version cycles { title linked } }
    errors { code message field }
  }
}
"""
DELETE = """
mutation Delete($input: DeleteRampInput!) {
  deleteRamp(input: $input) { deletedId errors { code message field } }
}
"""
ONE = """
query One($id: ID!) {
  ramp(id: $id) { title cycles { id title studyLearning changesFromPrevious linked
    cycle { title rampId } } }
}
"""
LIST = """
query List($first: Int!, $after: String, $programmeId: ID) {
  ramps(first: $first, after: $after, programmeId: $programmeId) {
    edges { cursor node { title } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
DASHBOARD = "{ ramps(first: 10) { edges { node { title cycles { title studyLearning } } } } }"


async def gql(
    client: httpx.AsyncClient, headers: dict[str, str], query: str, **variables: Any
) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_create_update_delete_match_rest(client: httpx.AsyncClient, world: World) -> None:
    created = await gql(
        client,
        world.a.headers,
        CREATE,
        input={
            "programmeId": to_global_id("Programme", world.programme.id),
            "title": "Buddy support",
            "changeIdea": "A P6 buddy for each P1 child",
            "visibility": "programme",
        },
    )
    payload = created["data"]["createRamp"]
    assert payload["errors"] == []
    ramp = payload["ramp"]
    assert ramp["version"] == 1
    assert ramp["cycles"] == []
    assert ramp["organisation"]["name"] == world.a.organisation.name
    assert ramp["programme"]["name"] == world.programme.name

    rest = await client.get(f"/v1/ramps/{ramp['databaseId']}", headers=world.a.headers)
    assert rest.json()["title"] == "Buddy support"  # one domain behind both doors
    assert rest.json()["change_idea"] == "A P6 buddy for each P1 child"

    await create_cycle(
        world.state,
        world.a.organisation,
        world.programme,
        title="Round 1",
        ramp_id=ramp["databaseId"],
    )
    updated = await gql(
        client,
        world.a.headers,
        UPDATE,
        input={"id": ramp["id"], "expectedVersion": 1, "visibility": "private"},
    )
    assert updated["data"]["updateRamp"] == {
        "ramp": {
            "title": "Buddy support",
            "visibility": "private",
            "version": 2,
            "cycles": [{"title": "Round 1", "linked": True}],
        },
        "errors": [],
    }
    rest = await client.get(f"/v1/ramps/{ramp['databaseId']}", headers=world.a.headers)
    assert rest.json()["visibility"] == "private"
    assert rest.headers["etag"] == '"2"'

    stale = await gql(
        client,
        world.a.headers,
        UPDATE,
        input={"id": ramp["id"], "expectedVersion": 1, "title": "x"},
    )
    assert stale["data"]["updateRamp"]["ramp"] is None
    assert stale["data"]["updateRamp"]["errors"][0]["code"] == "precondition_failed"
    null_title = await gql(
        client,
        world.a.headers,
        UPDATE,
        input={"id": ramp["id"], "expectedVersion": 2, "title": None},
    )
    assert null_title["data"]["updateRamp"]["errors"][0]["field"] == "/input/title"

    in_use = await gql(
        client, world.a.headers, DELETE, input={"id": ramp["id"], "expectedVersion": 2}
    )
    assert in_use["data"]["deleteRamp"]["deletedId"] is None
    assert in_use["data"]["deleteRamp"]["errors"][0]["code"] == "conflict"

    empty = await create_ramp(world.state, world.a.organisation, world.programme)
    empty_id = to_global_id("Ramp", empty.id)
    deleted = await gql(
        client, world.a.headers, DELETE, input={"id": empty_id, "expectedVersion": 1}
    )
    assert deleted["data"]["deleteRamp"] == {"deletedId": empty_id, "errors": []}
    assert (await client.get(f"/v1/ramps/{empty.id}", headers=world.a.headers)).status_code == 404
    gone = await gql(client, world.a.headers, ONE, id=empty_id)
    assert gone["data"]["ramp"] is None
    assert gone["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_mutation_validation_errors_point_at_the_input(
    client: httpx.AsyncClient, world: World
) -> None:
    base = {"programmeId": str(world.programme.id), "title": "T"}
    for extra, field in (
        ({"title": ""}, "/input/title"),
        ({"changeIdea": "nul\x00"}, "/input/changeIdea"),
        ({"programmeId": str(world.other_programme.id)}, "/input/programmeId"),
        ({"programmeId": "bm90LWEtcHJvZ3JhbW1l"}, "/input/programmeId"),
    ):
        result = await gql(client, world.a.headers, CREATE, input={**base, **extra})
        payload = result["data"]["createRamp"]
        assert payload["ramp"] is None
        assert field in [e["field"] for e in payload["errors"]], payload
    listed = await gql(client, world.a.headers, LIST, first=10)
    assert listed["data"]["ramps"]["edges"] == []


async def test_one_ramp_in_order(client: httpx.AsyncClient, world: World) -> None:
    ramp = await create_ramp(world.state, world.a.organisation, world.programme)
    stray = await create_cycle(
        world.state, world.a.organisation, world.programme, title="Stray", ramp_id=ramp.id
    )
    first = await create_cycle(
        world.state,
        world.a.organisation,
        world.programme,
        title="Round 1",
        ramp_id=ramp.id,
        study_learning="Wanted a choice",
        act_decision="adapt",
    )
    await create_cycle(
        world.state,
        world.a.organisation,
        world.programme,
        title="Round 2",
        ramp_id=ramp.id,
        previous_cycle_id=first.id,
        study_learning="Choice helped",
        changes_from_previous="A choice of three",
    )
    result = await gql(client, world.a.headers, ONE, id=to_global_id("Ramp", ramp.id))
    assert "errors" not in result, result
    cycles = result["data"]["ramp"]["cycles"]
    assert [(c["title"], c["studyLearning"], c["linked"]) for c in cycles] == [
        ("Round 1", "Wanted a choice", True),
        ("Round 2", "Choice helped", True),
        ("Stray", "", False),
    ]
    assert cycles[1]["changesFromPrevious"] == "A choice of three"
    assert cycles[2]["id"] == to_global_id("Cycle", stray.id)
    assert cycles[0]["cycle"] == {"title": "Round 1", "rampId": str(ramp.id)}


async def test_outsiders_get_null_and_partners_cannot_change(
    client: httpx.AsyncClient, world: World
) -> None:
    private = await create_ramp(world.state, world.a.organisation, world.programme, title="Mine")
    shared = await create_ramp(
        world.state, world.a.organisation, world.programme, title="Ours", visibility="programme"
    )
    for party, visible in ((world.b, {"Ours"}), (world.c, set())):
        for ramp in (private, shared):
            gid = to_global_id("Ramp", ramp.id)
            result = await gql(client, party.headers, ONE, id=gid)
            if ramp.title in visible:
                assert result["data"]["ramp"]["title"] == ramp.title
            else:
                assert result["data"]["ramp"] is None
                assert result["errors"][0]["extensions"]["code"] == "NOT_FOUND"
            changed = await gql(
                client,
                party.headers,
                UPDATE,
                input={"id": gid, "expectedVersion": 1, "title": "Taken"},
            )
            assert changed["data"]["updateRamp"]["errors"][0]["code"] == "not_found"
            removed = await gql(
                client, party.headers, DELETE, input={"id": gid, "expectedVersion": 1}
            )
            assert removed["data"]["deleteRamp"]["errors"][0]["code"] == "not_found"
        listed = await gql(client, party.headers, LIST, first=50)
        assert {e["node"]["title"] for e in listed["data"]["ramps"]["edges"]} == visible


async def test_pages_and_filters(client: httpx.AsyncClient, world: World) -> None:
    for n in range(3):
        await create_ramp(world.state, world.a.organisation, world.programme, title=f"r{n}")
    page = (await gql(client, world.a.headers, LIST, first=2))["data"]["ramps"]
    assert [e["node"]["title"] for e in page["edges"]] == ["r2", "r1"]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = await gql(client, world.a.headers, LIST, first=2, after=page["pageInfo"]["endCursor"])
    assert [e["node"]["title"] for e in rest["data"]["ramps"]["edges"]] == ["r0"]
    other = await gql(
        client,
        world.a.headers,
        LIST,
        first=5,
        programmeId=to_global_id("Programme", world.other_programme.id),
    )
    assert other["data"]["ramps"]["edges"] == []
    too_many = await gql(client, world.a.headers, LIST, first=500)
    assert too_many["errors"][0]["extensions"]["code"] == "VALIDATION_FAILED"


async def test_ramps_with_their_cycles_cost_the_same_for_2_and_10_ramps(
    client: httpx.AsyncClient, world: World, count_statements: StatementCounter
) -> None:
    async def ramps_with_cycles(count: int) -> None:
        for n in range(count):
            ramp = await create_ramp(
                world.state, world.a.organisation, world.programme, title=f"ramp {n}"
            )
            previous = None
            for step in range(3):
                cycle = await create_cycle(
                    world.state,
                    world.a.organisation,
                    world.programme,
                    title=f"ramp {n} round {step}",
                    ramp_id=ramp.id,
                    previous_cycle_id=previous,
                    study_learning=f"learned {step}",
                    act_decision="adapt",
                )
                previous = cycle.id

    async def statements() -> tuple[int, list[dict[str, Any]]]:
        count_statements.statements.clear()
        result = await gql(client, world.a.headers, DASHBOARD)
        assert "errors" not in result, result
        return len(count_statements.statements), result["data"]["ramps"]["edges"]

    await ramps_with_cycles(2)
    small, edges = await statements()
    assert len(edges) == 2
    await ramps_with_cycles(8)
    large, edges = await statements()
    assert len(edges) == 10
    assert all(
        [c["studyLearning"] for c in e["node"]["cycles"]] == ["learned 0", "learned 1", "learned 2"]
        for e in edges
    )
    # The caller, the page of ramps, then the ramps' links and visible cycles in one batch.
    assert large == small
    assert large <= 4, count_statements.statements
