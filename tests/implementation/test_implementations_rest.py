"""Implementations over REST: stage transitions refused with clear errors and nothing
changed, the stage on a date, the timeline, adaptations, and what other organisations see."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from domain.implementation.models import Implementation, StageTransition
from tests.factories import World, create_cycle
from tests.implementation.factories import (
    make_implementation,
    make_innovation,
    make_profile,
    make_team,
)


async def count(world: World, model: Any) -> int:
    async with world.state.database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def setup(world: World) -> tuple[Any, Any, Any]:
    innovation = await make_innovation(world)
    profile = await make_profile(world, innovation)
    team = await make_team(world)
    return innovation, profile, team


async def test_create_and_read(client: httpx.AsyncClient, world: World) -> None:
    innovation, profile, team = await setup(world)
    created = await client.post(
        "/v1/implementations",
        json={
            "innovation_id": str(innovation.id),
            "site_id": str(world.site_a.id),
            "team_id": str(team.team.id),
            "profile_version_id": str(profile.profile.id),
            "started_on": "2024-01-10",
        },
        headers={**world.a.headers, "Idempotency-Key": "impl-1"},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["stage"] == "exploration"
    assert body["stage_since"] == "2024-01-10"
    assert body["days_in_stage"] == (date.today() - date(2024, 1, 10)).days
    replay = await client.post(
        "/v1/implementations",
        json={
            "innovation_id": str(innovation.id),
            "site_id": str(world.site_a.id),
            "team_id": str(team.team.id),
            "profile_version_id": str(profile.profile.id),
            "started_on": "2024-01-10",
        },
        headers={**world.a.headers, "Idempotency-Key": "impl-1"},
    )
    assert replay.status_code == 201
    assert replay.headers.get("idempotent-replayed") == "true"
    assert replay.json()["id"] == body["id"]
    assert await count(world, Implementation) == 1
    cached = await client.get(
        f"/v1/implementations/{body['id']}",
        headers={**world.a.headers, "If-None-Match": created.headers["etag"]},
    )
    assert cached.status_code == 304
    assert (
        await client.get(f"/v1/implementations/{body['id']}", headers=world.b.headers)
    ).status_code == 200
    assert (
        await client.get(f"/v1/implementations/{body['id']}", headers=world.c.headers)
    ).status_code == 404


async def test_create_refuses_a_draft_profile_and_a_foreign_site(
    client: httpx.AsyncClient, world: World
) -> None:
    innovation, _, team = await setup(world)
    draft = await client.post(
        f"/v1/innovations/{innovation.id}/profile-versions", json={}, headers=world.a.headers
    )
    outside = await client.post(
        "/v1/implementations",
        json={
            "innovation_id": str(innovation.id),
            "site_id": str(world.site_a.id),
            "team_id": str(team.team.id),
            "profile_version_id": draft.json()["id"],
            "started_on": "2024-01-10",
        },
        headers=world.a.headers,
    )
    assert outside.status_code == 422
    assert outside.json()["errors"][0]["pointer"] == "/profile_version_id"
    assert await count(world, Implementation) == 0


async def move(
    client: httpx.AsyncClient, world: World, implementation_id: Any, version: int, **body: Any
) -> httpx.Response:
    return await client.post(
        f"/v1/implementations/{implementation_id}/transitions",
        json=body,
        headers={**world.a.headers, "If-Match": f'"{version}"'},
    )


async def test_transitions_refused_with_pointers_and_nothing_changes(
    client: httpx.AsyncClient, world: World
) -> None:
    innovation, _, team = await setup(world)
    view = await make_implementation(world, innovation, team.team.id)
    impl = view.implementation.id
    moved = await move(client, world, impl, 1, to="installation", effective_on="2024-03-01")
    assert moved.status_code == 200, moved.text
    assert moved.json()["stage"] == "installation"
    assert moved.headers["etag"] == '"2"'
    before = await count(world, StageTransition)

    unknown = await move(client, world, impl, 2, to="launch", effective_on="2024-04-01")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["pointer"] == "/to"

    back = await move(client, world, impl, 2, to="exploration", effective_on="2024-04-01")
    assert back.status_code == 422
    assert [e["pointer"] for e in back.json()["errors"]] == ["/rationale"]

    skip = await move(client, world, impl, 2, to="full_implementation", effective_on="2024-04-01")
    assert skip.status_code == 422
    assert [e["pointer"] for e in skip.json()["errors"]] == ["/skip_reason"]
    assert "initial_implementation" in skip.json()["errors"][0]["detail"]

    early = await move(
        client, world, impl, 2, to="initial_implementation", effective_on="2024-02-29"
    )
    assert early.status_code == 422
    assert [e["pointer"] for e in early.json()["errors"]] == ["/effective_on"]
    assert "2024-03-01" in early.json()["errors"][0]["detail"]

    stale = await move(
        client, world, impl, 1, to="initial_implementation", effective_on="2024-05-01"
    )
    assert stale.status_code == 412
    missing = await client.post(
        f"/v1/implementations/{impl}/transitions",
        json={"to": "initial_implementation", "effective_on": "2024-05-01"},
        headers=world.a.headers,
    )
    assert missing.status_code == 428
    partner = await client.post(
        f"/v1/implementations/{impl}/transitions",
        json={"to": "initial_implementation", "effective_on": "2024-05-01"},
        headers={**world.b.headers, "If-Match": '"2"'},
    )
    assert partner.status_code == 404
    assert await count(world, StageTransition) == before
    current = await client.get(f"/v1/implementations/{impl}", headers=world.a.headers)
    assert current.json()["stage"] == "installation"
    assert current.json()["version"] == 2

    # With a rationale the move back is fine; with a reason the skip is fine.
    back = await move(
        client,
        world,
        impl,
        2,
        to="exploration",
        effective_on="2024-04-01",
        rationale="The school lead left; re-checking fit with the new head",
    )
    assert back.status_code == 200, back.text
    skip = await move(
        client,
        world,
        impl,
        3,
        to="initial_implementation",
        effective_on="2024-06-01",
        skip_reason="Training and coaching were already in place from the first attempt",
    )
    assert skip.status_code == 200, skip.text


async def test_evidence_must_be_visible(client: httpx.AsyncClient, world: World) -> None:
    innovation, _, team = await setup(world)
    view = await make_implementation(world, innovation, team.team.id)
    mine = await create_cycle(world.state, world.a.organisation, world.programme)
    theirs = await create_cycle(world.state, world.c.organisation, world.other_programme)
    refused = await move(
        client,
        world,
        view.implementation.id,
        1,
        to="installation",
        effective_on="2024-03-01",
        evidence=[
            {"kind": "cycle", "id": str(mine.id)},
            {"kind": "cycle", "id": str(theirs.id)},
            {"kind": "assessment", "id": str(theirs.id)},
        ],
    )
    assert refused.status_code == 422
    assert [e["pointer"] for e in refused.json()["errors"]] == ["/evidence/1/id", "/evidence/2/id"]
    resource = "0190b1f0-0000-7000-8000-000000000001"
    accepted = await move(
        client,
        world,
        view.implementation.id,
        1,
        to="installation",
        effective_on="2024-03-01",
        evidence=[{"kind": "cycle", "id": str(mine.id)}, {"kind": "resource", "id": resource}],
    )
    assert accepted.status_code == 200, accepted.text
    timeline = await client.get(
        f"/v1/implementations/{view.implementation.id}/timeline", headers=world.a.headers
    )
    assert timeline.json()["transitions"][-1]["evidence"] == [
        {"kind": "cycle", "id": str(mine.id)},
        {"kind": "resource", "id": resource},
    ]


async def test_as_of_at_boundaries_and_timeline(client: httpx.AsyncClient, world: World) -> None:
    innovation, _, team = await setup(world)
    view = await make_implementation(world, innovation, team.team.id, started_on=date(2024, 1, 10))
    impl = view.implementation.id
    assert (
        await move(client, world, impl, 1, to="installation", effective_on="2024-03-01")
    ).status_code == 200
    assert (
        await move(client, world, impl, 2, to="initial_implementation", effective_on="2024-09-01")
    ).status_code == 200
    # Two moves on one day: the later one recorded wins.
    assert (
        await move(
            client,
            world,
            impl,
            3,
            to="installation",
            effective_on="2024-09-01",
            rationale="Recorded in error",
        )
    ).status_code == 200

    async def stage(day: str) -> str | None:
        response = await client.get(
            f"/v1/implementations/{impl}/stage", params={"as_of": day}, headers=world.b.headers
        )
        assert response.status_code == 200, response.text
        value: str | None = response.json()["stage"]
        return value

    assert await stage("2024-01-09") is None
    assert await stage("2024-01-10") == "exploration"
    assert await stage("2024-02-29") == "exploration"
    assert await stage("2024-03-01") == "installation"
    assert await stage("2024-08-31") == "installation"
    assert await stage("2024-09-01") == "installation"

    timeline = (
        await client.get(f"/v1/implementations/{impl}/timeline", headers=world.a.headers)
    ).json()
    assert [p["stage"] for p in timeline["periods"]] == [
        "exploration",
        "installation",
        "initial_implementation",
        "installation",
    ]
    assert [p["days"] for p in timeline["periods"][:3]] == [51, 184, 0]
    assert timeline["stage"] == "installation"
    assert timeline["days_in_stage"] == (date.today() - date(2024, 9, 1)).days
    assert [t["from_stage"] for t in timeline["transitions"]] == [
        None,
        "exploration",
        "installation",
        "initial_implementation",
    ]

    bad = await client.get(
        f"/v1/implementations/{impl}/stage", params={"as_of": "soon"}, headers=world.a.headers
    )
    assert bad.status_code == 422
    hidden = await client.get(f"/v1/implementations/{impl}/timeline", headers=world.c.headers)
    assert hidden.status_code == 404


async def test_list_filters_by_current_stage(client: httpx.AsyncClient, world: World) -> None:
    innovation, _, team = await setup(world)
    first = await make_implementation(world, innovation, team.team.id)
    await make_implementation(world, innovation, team.team.id)
    await move(
        client, world, first.implementation.id, 1, to="installation", effective_on="2024-03-01"
    )
    listed = await client.get(
        "/v1/implementations", params={"stage": "installation"}, headers=world.a.headers
    )
    assert [i["id"] for i in listed.json()["items"]] == [str(first.implementation.id)]
    assert (
        len((await client.get("/v1/implementations", headers=world.b.headers)).json()["items"]) == 2
    )
    assert (await client.get("/v1/implementations", headers=world.c.headers)).json()["items"] == []


async def test_private_implementation_hidden_from_partner(
    client: httpx.AsyncClient, world: World
) -> None:
    innovation, _, team = await setup(world)
    view = await make_implementation(world, innovation, team.team.id, visibility="private")
    assert (
        await client.get(f"/v1/implementations/{view.implementation.id}", headers=world.b.headers)
    ).status_code == 404
    assert (await client.get("/v1/implementations", headers=world.b.headers)).json()["items"] == []


async def test_adaptations_of_adaptable_components_only(
    client: httpx.AsyncClient, world: World
) -> None:
    innovation, profile, team = await setup(world)
    view = await make_implementation(
        world, innovation, team.team.id, profile_version_id=profile.profile.id
    )
    fixed = next(c for c in profile.components if c.fixed_or_adaptable == "fixed")
    adaptable = next(c for c in profile.components if c.fixed_or_adaptable == "adaptable")
    refused = await client.post(
        f"/v1/implementations/{view.implementation.id}/adaptations",
        json={"component_id": str(fixed.id), "description": "Meet within a month"},
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["pointer"] == "/component_id"
    assert refused.json()["errors"][0]["code"] == "fixed_component"
    added = await client.post(
        f"/v1/implementations/{view.implementation.id}/adaptations",
        json={
            "component_id": str(adaptable.id),
            "description": "Meetings in the family's GP surgery",
        },
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    assert added.status_code == 201, added.text
    listed = await client.get(
        f"/v1/implementations/{view.implementation.id}/adaptations", headers=world.b.headers
    )
    assert [a["description"] for a in listed.json()] == ["Meetings in the family's GP surgery"]


async def test_teams_members_and_visibility(client: httpx.AsyncClient, world: World) -> None:
    created = await client.post(
        "/v1/teams",
        json={
            "programme_id": str(world.programme.id),
            "name": "Dundee TAC team",
            "members": [
                {
                    "name": "Alex Reid",
                    "organisation_id": str(world.a.organisation.id),
                    "role": "lead",
                    "joined_on": "2023-01-09",
                },
                {
                    "name": "Sam Kerr",
                    "organisation_id": str(world.b.organisation.id),
                    "role": "data_lead",
                    "joined_on": "2023-02-01",
                    "user_id": "0190b1f0-0000-7000-8000-000000000009",
                },
            ],
        },
        headers=world.a.headers,
    )
    assert created.status_code == 201, created.text
    team = created.json()
    assert [m["role"] for m in team["members"]] == ["lead", "data_lead"]
    outsider_member = await client.post(
        f"/v1/teams/{team['id']}/members",
        json={
            "name": "Pat",
            "organisation_id": str(world.c.organisation.id),
            "role": "coach",
            "joined_on": "2023-03-01",
        },
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    assert outsider_member.status_code == 422
    assert outsider_member.json()["errors"][0]["pointer"] == "/organisation_id"
    left = await client.patch(
        f"/v1/teams/{team['id']}/members/{team['members'][1]['id']}",
        json={"left_on": "2022-01-01"},
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    assert left.status_code == 422
    left = await client.patch(
        f"/v1/teams/{team['id']}/members/{team['members'][1]['id']}",
        json={"left_on": "2024-06-30"},
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    assert left.status_code == 200, left.text
    assert left.json()["members"][1]["left_on"] == "2024-06-30"
    by_person = await client.get(
        "/v1/teams",
        params={"user_id": "0190b1f0-0000-7000-8000-000000000009"},
        headers=world.b.headers,
    )
    assert [t["id"] for t in by_person.json()["items"]] == [team["id"]]
    assert (await client.get(f"/v1/teams/{team['id']}", headers=world.c.headers)).status_code == 404
    private = await make_team(world, visibility="private")
    assert (
        await client.get(f"/v1/teams/{private.team.id}", headers=world.b.headers)
    ).status_code == 404
    assert (
        await client.patch(
            f"/v1/teams/{team['id']}",
            json={"name": "x"},
            headers={**world.b.headers, "If-Match": '"2"'},
        )
    ).status_code == 404


async def test_days_in_stage_counts_from_the_last_move(
    client: httpx.AsyncClient, world: World
) -> None:
    innovation, _, team = await setup(world)
    start = date.today() - timedelta(days=30)
    view = await make_implementation(world, innovation, team.team.id, started_on=start)
    moved = await move(
        client,
        world,
        view.implementation.id,
        1,
        to="installation",
        effective_on=(date.today() - timedelta(days=7)).isoformat(),
    )
    assert moved.json()["days_in_stage"] == 7
