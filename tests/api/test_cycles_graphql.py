"""Cycles over GraphQL: parity with REST, access rules, and a bounded number of SQL
statements for a dashboard-sized list."""

from __future__ import annotations

from typing import Any

import httpx

from api.graphql.ids import to_global_id
from tests.conftest import StatementCounter
from tests.factories import World, create_cycle, create_site

LIST = """
query List($first: Int!, $after: String) {
  cycles(first: $first, after: $after) {
    edges { cursor node { id databaseId title status version
      organisation { name } programme { name leadOrganisation { name } }
      site { name parent { name } } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

CREATE = """
mutation Create($input: CreateCycleInput!) {
  createCycle(input: $input) { cycle { id databaseId title version organisation { name } }
    errors { code message field } }
}
"""

UPDATE = """
mutation Update($input: UpdateCycleInput!) {
  updateCycle(input: $input) { cycle { title status version siteId: site { name } }
    errors { code message field } }
}
"""

DELETE = """
mutation Delete($input: DeleteCycleInput!) {
  deleteCycle(input: $input) { deletedId errors { code message field } }
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


async def test_create_update_delete(client: httpx.AsyncClient, world: World) -> None:
    created = await gql(
        client,
        world.a.headers,
        CREATE,
        input={
            "programmeId": to_global_id("Programme", world.programme.id),
            "siteId": str(world.site_a.id),
            "title": "Buddy support",
            "visibility": "programme",
            "questions": ["Will children accept a buddy?"],
        },
    )
    payload = created["data"]["createCycle"]
    assert payload["errors"] == []
    cycle = payload["cycle"]
    assert cycle["organisation"]["name"] == world.a.organisation.name
    assert cycle["version"] == 1

    rest = await client.get(f"/v1/cycles/{cycle['databaseId']}", headers=world.a.headers)
    assert rest.json()["title"] == "Buddy support"  # one domain behind both doors

    updated = await gql(
        client,
        world.a.headers,
        UPDATE,
        input={"id": cycle["id"], "expectedVersion": 1, "aim": "A buddy for all", "siteId": None},
    )
    assert updated["data"]["updateCycle"]["errors"] == []
    assert updated["data"]["updateCycle"]["cycle"]["status"] == "plan"
    assert updated["data"]["updateCycle"]["cycle"]["siteId"] is None

    stale = await gql(
        client,
        world.a.headers,
        UPDATE,
        input={"id": cycle["id"], "expectedVersion": 1, "title": "x"},
    )
    assert stale["data"]["updateCycle"]["cycle"] is None
    assert stale["data"]["updateCycle"]["errors"][0]["code"] == "precondition_failed"

    deleted = await gql(
        client, world.a.headers, DELETE, input={"id": cycle["id"], "expectedVersion": 2}
    )
    assert deleted["data"]["deleteCycle"] == {"deletedId": cycle["id"], "errors": []}
    gone = await gql(
        client, world.a.headers, "query($id: ID!) { cycle(id: $id) { id } }", id=cycle["id"]
    )
    assert gone["data"]["cycle"] is None
    assert gone["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_mutation_validation_errors_change_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    base = {"programmeId": str(world.programme.id), "title": "T"}
    for extra, field in (
        ({"title": ""}, "/input/title"),
        ({"aim": "nul\x00"}, "/input/aim"),
        ({"programmeId": str(world.other_programme.id)}, "/input/programmeId"),
        ({"startDate": "2021-01-02", "endDate": "2021-01-01"}, "/input/endDate"),
        ({"dataCollectionPlan": "x" * 20_001}, "/input/dataCollectionPlan"),
        ({"programmeId": "bm90LWEtcHJvZ3JhbW1l"}, "/input/programmeId"),
    ):
        result = await gql(client, world.a.headers, CREATE, input={**base, **extra})
        payload = result["data"]["createCycle"]
        assert payload["cycle"] is None
        assert field in [e["field"] for e in payload["errors"]], payload
    listed = await gql(client, world.a.headers, LIST, first=10)
    assert listed["data"]["cycles"]["edges"] == []


async def test_outsiders_get_null_and_an_error(client: httpx.AsyncClient, world: World) -> None:
    private = await create_cycle(
        world.state, world.a.organisation, world.programme, title="Private"
    )
    shared = await create_cycle(
        world.state, world.a.organisation, world.programme, title="Shared", visibility="programme"
    )
    one = "query($id: ID!) { cycle(id: $id) { title } node(id: $id) { id } }"
    for party, visible in ((world.b, {"Shared"}), (world.c, set())):
        for cycle in (private, shared):
            result = await gql(client, party.headers, one, id=to_global_id("Cycle", cycle.id))
            if cycle.title in visible:
                assert result["data"]["cycle"] == {"title": cycle.title}
            else:
                assert result["data"]["cycle"] is None
                assert result["data"]["node"] is None
                assert result["errors"][0]["extensions"]["code"] == "NOT_FOUND"
            changed = await gql(
                client,
                party.headers,
                UPDATE,
                input={"id": str(cycle.id), "expectedVersion": 1, "title": "Mine"},
            )
            assert changed["data"]["updateCycle"]["errors"][0]["code"] == "not_found"
            removed = await gql(
                client, party.headers, DELETE, input={"id": str(cycle.id), "expectedVersion": 1}
            )
            assert removed["data"]["deleteCycle"]["errors"][0]["code"] == "not_found"
        listed = await gql(client, party.headers, LIST, first=50)
        assert {e["node"]["title"] for e in listed["data"]["cycles"]["edges"]} == visible
    mine = await gql(client, world.a.headers, LIST, first=50)
    assert {e["node"]["version"] for e in mine["data"]["cycles"]["edges"]} == {1}


async def test_anonymous_and_scope_errors(client: httpx.AsyncClient, world: World) -> None:
    anonymous = await gql(client, {}, LIST, first=5)
    assert anonymous["data"] is None
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    reader = {"Authorization": f"Bearer {await world.token(world.a, ['cycles:read'])}"}
    refused = await gql(
        client, reader, CREATE, input={"programmeId": str(world.programme.id), "title": "T"}
    )
    # A missing scope is refused at the field's declaration, before the mutation runs.
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "INSUFFICIENT_SCOPE"
    assert refused["errors"][0]["extensions"]["status"] == 403


async def test_pagination_and_limits(client: httpx.AsyncClient, world: World) -> None:
    for n in range(3):
        await create_cycle(world.state, world.a.organisation, world.programme, title=f"c{n}")
    first = await gql(client, world.a.headers, LIST, first=2)
    page = first["data"]["cycles"]
    assert [e["node"]["title"] for e in page["edges"]] == ["c2", "c1"]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = await gql(client, world.a.headers, LIST, first=2, after=page["pageInfo"]["endCursor"])
    assert [e["node"]["title"] for e in rest["data"]["cycles"]["edges"]] == ["c0"]
    too_many = await gql(client, world.a.headers, LIST, first=500)
    assert too_many["errors"][0]["extensions"]["code"] == "VALIDATION_FAILED"
    nested = "name"
    for _ in range(8):
        nested = f"parent {{ {nested} }}"
    deep = f"{{ cycles {{ edges {{ node {{ site {{ {nested} }} }} }} }} }}"
    too_deep = await gql(client, world.a.headers, deep)
    assert "exceeds maximum operation depth" in too_deep["errors"][0]["message"]


async def test_dashboard_list_runs_a_bounded_number_of_statements(
    client: httpx.AsyncClient, world: World, count_statements: StatementCounter
) -> None:
    sites = [await create_site(world.state, world.a.organisation, f"School {n}") for n in range(5)]
    for n in range(60):
        await create_cycle(
            world.state,
            world.a.organisation if n % 2 else world.b.organisation,
            world.programme,
            title=f"c{n}",
            visibility="programme",
            site_id=sites[n % 5].id,
        )

    async def statements_for(first: int) -> int:
        count_statements.statements.clear()
        result = await gql(client, world.a.headers, LIST, first=first)
        assert "errors" not in result, result
        assert len(result["data"]["cycles"]["edges"]) == first
        return len(count_statements.statements)

    small, large = await statements_for(5), await statements_for(50)
    # The caller (1) + the page (1) + one batch per nested kind: organisations, programmes,
    # sites, then the sites' parents and the programmes' lead organisations.
    assert large == small
    assert large <= 7, count_statements.statements


async def test_node_resolves_every_kind_with_the_same_rules(
    client: httpx.AsyncClient, world: World
) -> None:
    cycle = await create_cycle(world.state, world.a.organisation, world.programme, title="Mine")
    query = "query($id: ID!) { node(id: $id) { __typename id } }"
    for kind, value in (
        ("Cycle", cycle.id),
        ("Organisation", world.a.organisation.id),
        ("Programme", world.programme.id),
        ("Site", world.site_a.id),
    ):
        global_id = to_global_id(kind, value)
        result = await gql(client, world.a.headers, query, id=global_id)
        assert result["data"]["node"] == {"__typename": kind, "id": global_id}, result
    hidden = await gql(
        client, world.c.headers, query, id=to_global_id("Programme", world.programme.id)
    )
    assert hidden["data"]["node"] is None
    assert hidden["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    garbage = await gql(client, world.a.headers, query, id="not-an-id")
    assert garbage["data"]["node"] is None
    assert garbage["errors"][0]["extensions"]["code"] == "VALIDATION_FAILED"
