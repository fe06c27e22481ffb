"""Implementation tracking over GraphQL: the same use cases as REST; a dashboard reads the
programme's stage summary and implementations in a bounded number of SQL statements."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from api.graphql.ids import to_global_id
from domain.implementation.models import Implementation, StageTransition
from tests.conftest import StatementCounter
from tests.factories import World, add
from tests.implementation.factories import (
    load_instruments,
    make_implementation,
    make_innovation,
    make_team,
)


async def gql(
    client: httpx.AsyncClient, headers: dict[str, str], query: str, **variables: Any
) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


TRANSITION = """
mutation Move($input: TransitionImplementationInput!) {
  transitionImplementation(input: $input) {
    implementation { stage stageSince version timeline { periods { stage days } } }
    errors { code message field }
  }
}
"""


async def test_transition_parity_with_rest(client: httpx.AsyncClient, world: World) -> None:
    innovation = await make_innovation(world)
    team = await make_team(world)
    view = await make_implementation(world, innovation, team.team.id)
    gid = to_global_id("Implementation", view.implementation.id)
    refused = await gql(
        client,
        world.a.headers,
        TRANSITION,
        input={
            "id": gid,
            "expectedVersion": 1,
            "to": "initial_implementation",
            "effectiveOn": "2024-02-01",
        },
    )
    assert refused.get("data"), refused
    payload = refused["data"]["transitionImplementation"]
    assert payload["implementation"] is None
    assert [e["field"] for e in payload["errors"]] == ["/input/skipReason"]
    moved = await gql(
        client,
        world.a.headers,
        TRANSITION,
        input={"id": gid, "expectedVersion": 1, "to": "installation", "effectiveOn": "2024-02-01"},
    )
    implementation = moved["data"]["transitionImplementation"]["implementation"]
    assert implementation["stage"] == "installation"
    assert implementation["version"] == 2
    assert [p["stage"] for p in implementation["timeline"]["periods"]] == [
        "exploration",
        "installation",
    ]
    # The partner may read but not move it.
    partner = await gql(
        client,
        world.b.headers,
        TRANSITION,
        input={
            "id": gid,
            "expectedVersion": 2,
            "to": "initial_implementation",
            "effectiveOn": "2024-03-01",
        },
    )
    assert partner["data"]["transitionImplementation"]["errors"][0]["code"] == "not_found"


async def test_outsider_gets_null_and_not_found(client: httpx.AsyncClient, world: World) -> None:
    innovation = await make_innovation(world)
    team = await make_team(world)
    view = await make_implementation(world, innovation, team.team.id)
    gid = to_global_id("Implementation", view.implementation.id)
    query = "query($id: ID!) { implementation(id: $id) { stage } node(id: $id) { id } }"
    seen = await gql(client, world.b.headers, query, id=gid)
    assert seen["data"]["implementation"]["stage"] == "exploration"
    hidden = await gql(client, world.c.headers, query, id=gid)
    assert hidden["data"] is None or hidden["data"]["implementation"] is None
    assert {e["extensions"]["code"] for e in hidden["errors"]} == {"NOT_FOUND"}


async def test_assessment_mutations_and_result(client: httpx.AsyncClient, world: World) -> None:
    found = await load_instruments(world.state)
    team = await make_team(world)
    created = await gql(
        client,
        world.a.headers,
        """mutation($input: CreateAssessmentInput!) {
          createAssessment(input: $input) {
            assessment { id version status } errors { field message }
          }
        }""",
        input={
            "instrumentId": to_global_id("Instrument", found["team-capacity"].id),
            "subjectKind": "team",
            "subjectId": to_global_id("Team", team.team.id),
            "assessedOn": "2024-03-01",
        },
    )
    assessment = created["data"]["createAssessment"]["assessment"]
    assert assessment["status"] == "draft", created
    scored = await gql(
        client,
        world.a.headers,
        """mutation($input: SetAssessmentScoresInput!) {
          setAssessmentScores(input: $input) {
            assessment { version result { overall { percent points maxPoints unscored } } }
            errors { field message }
          }
        }""",
        input={
            "id": assessment["id"],
            "expectedVersion": 1,
            "scores": [
                {"itemKey": "cap-members", "score": 2},
                {"itemKey": "cap-terms", "score": 1},
            ],
        },
    )
    result = scored["data"]["setAssessmentScores"]["assessment"]["result"]
    assert result["overall"] == {"percent": 75.0, "points": 3, "maxPoints": 4, "unscored": 5}
    bad = await gql(
        client,
        world.a.headers,
        """mutation($input: SetAssessmentScoresInput!) {
          setAssessmentScores(input: $input) { assessment { id } errors { field } }
        }""",
        input={
            "id": assessment["id"],
            "expectedVersion": 2,
            "scores": [{"itemKey": "cap-members", "score": 9}],
        },
    )
    assert bad["data"]["setAssessmentScores"]["errors"] == [{"field": "/input/scores/0/score"}]


DASHBOARD = """
query Dashboard($programme: ID!) {
  stageSummary(programmeId: $programme) {
    asOf
    bySite { site { name } stages { stage implementations medianDaysInStage } }
    byInnovation { innovation { name } stages { stage implementations medianDaysInStage } }
  }
  implementations(programmeId: $programme, first: 200) {
    edges { node { stage daysInStage innovation { name } site { name } team { name }
      timeline { periods { stage startedOn days } } } }
  }
}
"""


async def _bulk(world: World, innovation: Any, team_id: Any, n: int, start: int) -> None:
    """n implementations straight into the tables (the factories would take too long)."""
    rows: list[Any] = []
    moves: list[Any] = []
    stages = ["exploration", "installation", "initial_implementation", "full_implementation"]
    for i in range(start, start + n):
        row = Implementation(
            organisation_id=world.a.organisation.id,
            programme_id=world.programme.id,
            innovation_id=innovation.id,
            site_id=world.site_a.id,
            team_id=team_id,
            created_by="test",
        )
        rows.append(row)
        moves.append(
            StageTransition(
                implementation_id=row.id,
                to_stage=stages[i % 4],
                effective_on=date(2024, 1, 1) + timedelta(days=i),
                actor="test",
            )
        )
    await add(world.state, *rows)
    await add(world.state, *moves)


async def test_dashboard_statements_do_not_grow(
    client: httpx.AsyncClient, world: World, count_statements: StatementCounter
) -> None:
    innovation = await make_innovation(world)
    other = await make_innovation(world, name="School buddy practice")
    team = await make_team(world)
    await _bulk(world, innovation, team.team.id, 10, 0)
    await _bulk(world, other, team.team.id, 10, 10)
    programme = to_global_id("Programme", world.programme.id)

    count_statements.statements.clear()
    small = await gql(client, world.a.headers, DASHBOARD, programme=programme)
    assert "errors" not in small, small
    few = len(count_statements.statements)

    await _bulk(world, innovation, team.team.id, 180, 20)
    count_statements.statements.clear()
    large = await gql(client, world.a.headers, DASHBOARD, programme=programme)
    assert "errors" not in large, large
    many = len(count_statements.statements)
    print(f"dashboard statements: {few} for 20 implementations, {many} for 200")
    assert len(large["data"]["implementations"]["edges"]) == 200
    assert many == few, count_statements.statements
    assert many <= 10, count_statements.statements

    summary = large["data"]["stageSummary"]
    by_innovation = {
        g["innovation"]["name"]: {s["stage"]: s["implementations"] for s in g["stages"]}
        for g in summary["byInnovation"]
    }
    assert sum(by_innovation["School buddy practice"].values()) == 10
    assert sum(by_innovation["Team Around the Child meetings"].values()) == 190
    (site,) = summary["bySite"]
    assert sum(s["implementations"] for s in site["stages"]) == 200


async def test_stage_summary_counts_and_medians_by_hand(
    client: httpx.AsyncClient, world: World, count_statements: StatementCounter
) -> None:
    innovation = await make_innovation(world)
    team = await make_team(world)
    # Three in installation since 1, 11 and 21 March 2024 (as of 31 March: 30, 20, 10 days,
    # median 20); one in exploration since 1 January (90 days); one started after as_of.
    for start, moved in (
        (date(2024, 1, 1), date(2024, 3, 1)),
        (date(2024, 1, 1), date(2024, 3, 11)),
        (date(2024, 1, 1), date(2024, 3, 21)),
    ):
        view = await make_implementation(world, innovation, team.team.id, started_on=start)
        response = await client.post(
            f"/v1/implementations/{view.implementation.id}/transitions",
            json={"to": "installation", "effective_on": moved.isoformat()},
            headers={**world.a.headers, "If-Match": '"1"'},
        )
        assert response.status_code == 200
    await make_implementation(world, innovation, team.team.id, started_on=date(2024, 1, 1))
    await make_implementation(world, innovation, team.team.id, started_on=date(2024, 4, 2))
    private = await make_implementation(
        world, innovation, team.team.id, started_on=date(2024, 1, 1), visibility="private"
    )
    assert private.implementation.visibility == "private"

    count_statements.statements.clear()
    response = await client.get(
        f"/v1/programmes/{world.programme.id}/stage-summary",
        params={"as_of": "2024-03-31"},
        headers=world.b.headers,
    )
    assert response.status_code == 200, response.text
    summary_statements = [s for s in count_statements.statements if "percentile_cont" in s]
    assert len(summary_statements) == 1
    (site,) = response.json()["by_site"]
    stages = {s["stage"]: s for s in site["stages"]}
    assert stages["installation"]["implementations"] == 3
    assert stages["installation"]["median_days_in_stage"] == 20.0
    # The partner does not count A's private implementation.
    assert stages["exploration"]["implementations"] == 1
    assert stages["exploration"]["median_days_in_stage"] == 90.0
    assert stages["initial_implementation"] == {
        "stage": "initial_implementation",
        "implementations": 0,
        "median_days_in_stage": None,
    }
    mine = await client.get(
        f"/v1/programmes/{world.programme.id}/stage-summary",
        params={"as_of": "2024-03-31"},
        headers=world.a.headers,
    )
    mine_stages = {s["stage"]: s for s in mine.json()["by_site"][0]["stages"]}
    assert mine_stages["exploration"]["implementations"] == 2
    outsider = await client.get(
        f"/v1/programmes/{world.programme.id}/stage-summary", headers=world.c.headers
    )
    assert outsider.status_code == 404


RESULTS = """
query Results($team: ID!) {
  assessments(teamId: $team, first: 50) {
    edges { node { assessedOn instrument { key } result { overall { percent } overallChange } } }
  }
}
"""


async def test_assessment_results_in_a_list_are_batched(
    client: httpx.AsyncClient, world: World, count_statements: StatementCounter
) -> None:
    from domain.implementation.models import Assessment, AssessmentScore

    found = await load_instruments(world.state)
    team = await make_team(world)

    async def assessments(n: int, start: int) -> None:
        rows = [
            Assessment(
                organisation_id=world.a.organisation.id,
                programme_id=world.programme.id,
                instrument_id=found["team-capacity"].id,
                subject_kind="team",
                subject_id=team.team.id,
                team_id=team.team.id,
                assessed_on=date(2024, 1, 1) + timedelta(days=30 * i),
                status="submitted",
                submitted_at=datetime(2024, 1, 1, tzinfo=UTC),
                created_by="test",
            )
            for i in range(start, start + n)
        ]
        await add(world.state, *rows)
        await add(
            world.state,
            *[
                AssessmentScore(assessment_id=r.id, item_key="cap-members", score=i % 3)
                for i, r in enumerate(rows, start)
            ],
        )

    await assessments(3, 0)
    count_statements.statements.clear()
    small = await gql(client, world.a.headers, RESULTS, team=to_global_id("Team", team.team.id))
    assert "errors" not in small, small
    few = len(count_statements.statements)
    await assessments(27, 3)
    count_statements.statements.clear()
    large = await gql(client, world.a.headers, RESULTS, team=to_global_id("Team", team.team.id))
    many = len(count_statements.statements)
    edges = large["data"]["assessments"]["edges"]
    assert len(edges) == 30
    print(f"assessment results: {few} statements for 3, {many} for 30")
    assert many == few, count_statements.statements
    # Scores 0, 1, 2, 0, ... of 2 on cap-members: the newest (i=29, score 2) is 100.0,
    # after 50.0 (i=28, score 1): +50.0.
    newest = edges[0]["node"]["result"]
    assert newest == {"overall": {"percent": 100.0}, "overallChange": 50.0}
