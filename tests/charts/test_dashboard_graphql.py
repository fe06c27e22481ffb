"""One GraphQL query for a programme dashboard: measures with points, chart signals and
annotations, and cycles by phase, in a bounded number of SQL statements."""

from __future__ import annotations

from typing import Any

import httpx

from api.graphql.ids import to_global_id
from tests.charts.test_charts_rest import AFTER, BEFORE, month
from tests.conftest import StatementCounter
from tests.factories import World, create_cycle, create_measure, create_point

DASHBOARD = """
query Dashboard($programme: ID!) {
  measures(first: 50, programmeId: $programme) {
    edges { node { name
      points { period value }
      chart(baseline: "first:12") {
        signals { rule direction periods }
        segments { centre periods }
        annotations { period cycles { title status } }
      }
      xmr: chart(type: xmr) { signals { rule } }
    } }
  }
  cyclesByPhase(programmeId: $programme, perPhase: 5) { status total cycles { title } }
}
"""


async def dashboard(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        json={
            "query": DASHBOARD,
            "variables": {"programme": to_global_id("Programme", world.programme.id)},
        },
        headers=world.a.headers,
    )
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def add_measures(world: World, count: int) -> None:
    for n in range(count):
        measure = await create_measure(
            world.state,
            world.a.organisation,
            world.programme,
            name=f"Measure {n}",
            value_type="measurement",
        )
        for index, value in enumerate(BEFORE + AFTER):
            await create_point(world.state, measure, month(index), value=float(value + n))


async def test_dashboard_in_a_bounded_number_of_statements(
    client: httpx.AsyncClient, world: World, count_statements: StatementCounter
) -> None:
    for status in ("plan", "do", "do", "study"):
        await create_cycle(world.state, world.a.organisation, world.programme, status=status)
    await add_measures(world, 2)
    count_statements.statements.clear()
    small = await dashboard(client, world)
    few = len(count_statements.statements)

    await add_measures(world, 6)
    count_statements.statements.clear()
    large = await dashboard(client, world)
    many = len(count_statements.statements)

    assert len(small["measures"]["edges"]) == 2
    assert len(large["measures"]["edges"]) == 8
    assert many == few, count_statements.statements
    node = large["measures"]["edges"][0]["node"]
    assert len(node["points"]) == 20
    assert ("shift", "down") in [(s["rule"], s["direction"]) for s in node["chart"]["signals"]]
    phases = {p["status"]: p["total"] for p in large["cyclesByPhase"]}
    assert phases == {"plan": 1, "do": 2, "study": 1, "act": 0, "completed": 0, "abandoned": 0}


async def test_outsiders_get_no_dashboard_data(client: httpx.AsyncClient, world: World) -> None:
    await add_measures(world, 1)
    await create_cycle(world.state, world.a.organisation, world.programme, visibility="programme")
    response = await client.post(
        "/graphql",
        json={"query": DASHBOARD, "variables": {"programme": str(world.programme.id)}},
        headers=world.c.headers,
    )
    data = response.json()["data"]
    assert data["measures"]["edges"] == []
    assert all(p["total"] == 0 for p in data["cyclesByPhase"])


async def test_node_resolves_measures(client: httpx.AsyncClient, world: World) -> None:
    measure = await create_measure(world.state, world.a.organisation, world.programme)
    query = "query($id: ID!) { node(id: $id) { __typename ... on Measure { name } } }"
    gid = to_global_id("Measure", measure.id)
    mine = await client.post(
        "/graphql", json={"query": query, "variables": {"id": gid}}, headers=world.a.headers
    )
    assert mine.json()["data"]["node"] == {"__typename": "Measure", "name": measure.name}
    theirs = await client.post(
        "/graphql", json={"query": query, "variables": {"id": gid}}, headers=world.c.headers
    )
    assert theirs.json()["data"]["node"] is None
