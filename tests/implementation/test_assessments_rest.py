"""Assessments over REST: scores on hand-computed examples, comparison and series,
consensus votes, read-only once submitted, actions on the team's list, a team's own items,
fidelity from a practice profile, and what other organisations see."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from domain.implementation.models import AssessmentScore
from tests.factories import World
from tests.implementation.factories import (
    load_instruments,
    make_implementation,
    make_innovation,
    make_profile,
    make_team,
)


async def start(client: httpx.AsyncClient, world: World, **body: Any) -> dict[str, Any]:
    response = await client.post("/v1/assessments", json=body, headers=world.a.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def put_scores(
    client: httpx.AsyncClient, world: World, assessment: dict[str, Any], scores: dict[str, Any]
) -> httpx.Response:
    return await client.put(
        f"/v1/assessments/{assessment['id']}/scores",
        json={"scores": [{"item_key": k, "score": v} for k, v in scores.items()]},
        headers={**world.a.headers, "If-Match": f'"{assessment["version"]}"'},
    )


async def submit(client: httpx.AsyncClient, world: World, assessment_id: str, version: int) -> None:
    response = await client.post(
        f"/v1/assessments/{assessment_id}/submit",
        headers={**world.a.headers, "If-Match": f'"{version}"'},
    )
    assert response.status_code == 200, response.text


async def test_checklist_scores_compare_and_series(client: httpx.AsyncClient, world: World) -> None:
    found = await load_instruments(world.state)
    checklist = found["stage-checklist"]
    innovation = await make_innovation(world)
    team = await make_team(world)
    impl = await make_implementation(world, innovation, team.team.id)
    subject = {
        "instrument_id": str(checklist.id),
        "subject_kind": "implementation",
        "subject_id": str(impl.implementation.id),
    }
    first = await start(client, world, assessed_on="2024-02-01", **subject)
    assert first["status"] == "draft"
    assert first["team_id"] == str(team.team.id)
    scored = await put_scores(
        client,
        world,
        first,
        {"exp-team": 2, "exp-need": 1, "exp-fit": 2, "exp-stakeholders": 0, "ins-roles": 1},
    )
    assert scored.status_code == 200, scored.text
    await submit(client, world, first["id"], scored.json()["version"])

    result = (
        await client.get(f"/v1/assessments/{first['id']}/result", headers=world.b.headers)
    ).json()
    sections = {s["key"]: s for s in result["sections"]}
    # exploration: 2+1+2+0 of 4 items x 2 = 5 of 8 = 62.5 (exp-decision unscored, not 0)
    assert sections["exploration"]["score"] == {
        "points": 5,
        "max_points": 8,
        "percent": 62.5,
        "scored": 4,
        "unscored": 1,
    }
    assert sections["exploration"]["stage"] == "exploration"
    assert sections["installation"]["score"]["percent"] == 50.0
    assert sections["full_implementation"]["score"]["percent"] is None
    assert result["overall"]["points"] == 6
    assert result["overall"]["max_points"] == 10
    assert result["overall"]["percent"] == 60.0
    assert len(result["unscored_items"]) == 19 - 5
    assert "exp-decision" in [u["key"] for u in result["unscored_items"]]
    assert result["previous_assessment_id"] is None

    second = await start(client, world, assessed_on="2024-06-01", **subject)
    scores = {k: 2 for k in ("exp-team", "exp-need", "exp-fit", "exp-stakeholders", "exp-decision")}
    scored = await put_scores(client, world, second, {**scores, "ins-roles": 2, "ins-training": 1})
    await submit(client, world, second["id"], scored.json()["version"])
    result = (
        await client.get(f"/v1/assessments/{second['id']}/result", headers=world.a.headers)
    ).json()
    sections = {s["key"]: s for s in result["sections"]}
    assert result["previous_assessment_id"] == first["id"]
    # 13 of 14 = 92.857 -> 92.9; change from 60.0 = 32.9
    assert result["overall"]["percent"] == 92.9
    assert result["overall_change"] == 32.9
    assert sections["exploration"]["change"] == 37.5
    assert sections["installation"]["change"] == 25.0
    assert sections["full_implementation"]["change"] is None

    series = await client.get(
        "/v1/assessments/series",
        params={"instrument_id": str(checklist.id), "subject_id": str(impl.implementation.id)},
        headers=world.b.headers,
    )
    assert series.status_code == 200, series.text
    assert [(p["assessed_on"], p["overall"]) for p in series.json()["points"]] == [
        ("2024-02-01", 60.0),
        ("2024-06-01", 92.9),
    ]
    assert series.json()["points"][1]["sections"]["installation"] == 75.0


async def test_score_validation_and_read_only_after_submit(
    client: httpx.AsyncClient, world: World
) -> None:
    found = await load_instruments(world.state)
    team = await make_team(world)
    assessment = await start(
        client,
        world,
        instrument_id=str(found["team-capacity"].id),
        subject_kind="team",
        subject_id=str(team.team.id),
        assessed_on="2024-03-01",
    )
    bad = await put_scores(client, world, assessment, {"cap-members": 3, "nope": 1})
    assert bad.status_code == 422
    assert {e["pointer"] for e in bad.json()["errors"]} == {"/scores/0/score", "/scores/1/item_key"}
    async with world.state.database.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(AssessmentScore)) == 0

    wrong_kind = await client.post(
        "/v1/assessments",
        json={
            "instrument_id": str(found["team-capacity"].id),
            "subject_kind": "implementation",
            "subject_id": str(team.team.id),
            "assessed_on": "2024-03-01",
        },
        headers=world.a.headers,
    )
    assert wrong_kind.status_code == 422
    assert wrong_kind.json()["errors"][0]["pointer"] == "/subject_kind"

    ok = await put_scores(client, world, assessment, {"cap-members": 2})
    await submit(client, world, assessment["id"], ok.json()["version"])
    again = await client.put(
        f"/v1/assessments/{assessment['id']}/scores",
        json={"scores": [{"item_key": "cap-members", "score": 0}]},
        headers={**world.a.headers, "If-Match": '"3"'},
    )
    assert again.status_code == 409
    assert "read-only" in again.json()["detail"]


async def test_consensus_votes_and_spread(client: httpx.AsyncClient, world: World) -> None:
    found = await load_instruments(world.state)
    team = await make_team(world)
    assessment = await start(
        client,
        world,
        instrument_id=str(found["drivers-assessment"].id),
        subject_kind="team",
        subject_id=str(team.team.id),
        assessed_on="2024-03-01",
    )
    votes = [
        {"item_key": "coa-regular", "participant": "Alex", "score": 0},
        {"item_key": "coa-regular", "participant": "Sam", "score": 2},
        {"item_key": "coa-regular", "participant": "Jo", "score": 1},
        {"item_key": "dat-use", "participant": "Alex", "score": 1},
        {"item_key": "dat-use", "participant": "Sam", "score": 2},
    ]
    voted = await client.put(
        f"/v1/assessments/{assessment['id']}/votes",
        json={"votes": votes},
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    assert voted.status_code == 200, voted.text
    agreed = await client.put(
        f"/v1/assessments/{assessment['id']}/scores",
        json={"scores": [{"item_key": "coa-regular", "score": 1, "note": "Talked through"}]},
        headers={**world.a.headers, "If-Match": '"2"'},
    )
    assert agreed.status_code == 200
    result = (
        await client.get(f"/v1/assessments/{assessment['id']}/result", headers=world.a.headers)
    ).json()
    spread = {s["item_key"]: s for s in result["spread"]}
    assert spread["coa-regular"]["votes"] == {"Alex": 0, "Jo": 1, "Sam": 2}
    assert (spread["coa-regular"]["spread"], spread["coa-regular"]["wide"]) == (2, True)
    assert (spread["dat-use"]["spread"], spread["dat-use"]["wide"]) == (1, False)
    groups = {g["group"]: g["score"] for g in result["groups"]}
    assert groups["competency"]["percent"] == 50.0  # the agreed 1 of 2, not the votes
    assert groups["organisation"]["percent"] is None

    # Votes on an instrument not scored by consensus are refused.
    checklist = await start(
        client,
        world,
        instrument_id=str(found["leadership-capacity"].id),
        subject_kind="organisation",
        subject_id=str(world.a.organisation.id),
        programme_id=str(world.programme.id),
        assessed_on="2024-03-01",
    )
    refused = await client.put(
        f"/v1/assessments/{checklist['id']}/votes",
        json={"votes": votes[:1]},
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["pointer"] == "/votes"


async def test_actions_stay_on_the_team_list_until_done(
    client: httpx.AsyncClient, world: World
) -> None:
    found = await load_instruments(world.state)
    innovation = await make_innovation(world)
    team = await make_team(world)
    impl = await make_implementation(world, innovation, team.team.id)
    assessment = await start(
        client,
        world,
        instrument_id=str(found["stage-checklist"].id),
        subject_kind="implementation",
        subject_id=str(impl.implementation.id),
        assessed_on="2024-02-01",
    )
    await put_scores(client, world, assessment, {"exp-team": 2, "exp-need": 0})
    in_place = await client.post(
        f"/v1/assessments/{assessment['id']}/actions",
        json={"item_key": "exp-team", "what": "x", "who": "y"},
        headers=world.a.headers,
    )
    assert in_place.status_code == 422
    assert in_place.json()["errors"][0]["code"] == "in_place"
    created = await client.post(
        f"/v1/assessments/{assessment['id']}/actions",
        json={
            "item_key": "exp-need",
            "what": "Pull referral numbers for the last two years",
            "who": "Sam Kerr (data lead)",
            "due_on": "2024-03-01",
        },
        headers=world.a.headers,
    )
    assert created.status_code == 201, created.text
    action = created.json()
    listed = await client.get(f"/v1/teams/{team.team.id}/actions", headers=world.b.headers)
    assert [a["id"] for a in listed.json()] == [action["id"]]
    done = await client.patch(
        f"/v1/actions/{action['id']}",
        json={"done_on": "2024-02-20"},
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    assert done.status_code == 200, done.text
    assert (
        await client.get(f"/v1/teams/{team.team.id}/actions", headers=world.a.headers)
    ).json() == []
    assert (
        await client.get(f"/v1/teams/{team.team.id}/actions", headers=world.c.headers)
    ).status_code == 404


async def test_team_items_are_the_teams_own(client: httpx.AsyncClient, world: World) -> None:
    found = await load_instruments(world.state)
    checklist = found["stage-checklist"]
    innovation = await make_innovation(world)
    team = await make_team(world)
    other_team = await make_team(world, name="Perth team")
    item = await client.post(
        f"/v1/teams/{team.team.id}/checklist-items",
        json={
            "instrument_id": str(checklist.id),
            "section_key": "installation",
            "text": "Parents' group briefed",
        },
        headers=world.a.headers,
    )
    assert item.status_code == 201, item.text
    key = item.json()["key"]
    assert key.startswith("local:")
    bad = await client.post(
        f"/v1/teams/{team.team.id}/checklist-items",
        json={"instrument_id": str(checklist.id), "section_key": "launch", "text": "x"},
        headers=world.a.headers,
    )
    assert bad.json()["errors"][0]["pointer"] == "/section_key"
    # The shared instrument is unchanged.
    shared = await client.get(f"/v1/instruments/{checklist.id}", headers=world.a.headers)
    assert shared.json()["version"] == 1
    assert sum(len(s["items"]) for s in shared.json()["definition"]["sections"]) == 19

    impl = await make_implementation(world, innovation, team.team.id)
    assessment = await start(
        client,
        world,
        instrument_id=str(checklist.id),
        subject_kind="implementation",
        subject_id=str(impl.implementation.id),
        assessed_on="2024-02-01",
    )
    scored = await put_scores(client, world, assessment, {"exp-team": 2, key: 1})
    assert scored.status_code == 200, scored.text
    result = (
        await client.get(f"/v1/assessments/{assessment['id']}/result", headers=world.a.headers)
    ).json()
    assert result["local_items"]["percent"] == 50.0
    assert result["overall"]["percent"] == 100.0
    # Another team's assessment cannot score this team's item.
    other_impl = await make_implementation(world, innovation, other_team.team.id)
    other = await start(
        client,
        world,
        instrument_id=str(checklist.id),
        subject_kind="implementation",
        subject_id=str(other_impl.implementation.id),
        assessed_on="2024-02-01",
    )
    refused = await put_scores(client, world, other, {key: 1})
    assert refused.status_code == 422


async def test_fidelity_from_a_profile_version(client: httpx.AsyncClient, world: World) -> None:
    innovation = await make_innovation(world)
    profile = await make_profile(world, innovation)
    team = await make_team(world)
    practitioner = team.members[0]
    assessment = await start(
        client,
        world,
        profile_version_id=str(profile.profile.id),
        subject_kind="practitioner",
        subject_id=str(practitioner.id),
        assessed_on="2024-05-01",
    )
    instrument = await client.get(
        f"/v1/instruments/{assessment['instrument_id']}", headers=world.a.headers
    )
    assert instrument.status_code == 200
    definition = instrument.json()["definition"]
    assert instrument.json()["profile_version_id"] == str(profile.profile.id)
    assert [s["key"] for s in definition["sections"]] == ["fixed", "adaptable"]
    first_item = definition["sections"][0]["items"][0]
    assert first_item["key"] == "meet-within-ten-days"
    assert [p["description"] for p in first_item["scale"]] == [
        "No meeting is held",
        "The meeting is held within twenty school days",
        "The meeting is held within ten school days of the concern",
    ]
    scored = await put_scores(
        client, world, assessment, {"meet-within-ten-days": 2, "family-voice": 1, "venue": 2}
    )
    result = (
        await client.get(f"/v1/assessments/{assessment['id']}/result", headers=world.a.headers)
    ).json()
    assert scored.status_code == 200
    sections = {s["key"]: s["score"]["percent"] for s in result["sections"]}
    assert sections == {"fixed": 75.0, "adaptable": 100.0}
    # The same version gives the same instrument; the list of shared instruments omits it.
    again = await start(
        client,
        world,
        profile_version_id=str(profile.profile.id),
        subject_kind="practitioner",
        subject_id=str(practitioner.id),
        assessed_on="2024-08-01",
    )
    assert again["instrument_id"] == assessment["instrument_id"]
    listed = await client.get("/v1/instruments", headers=world.a.headers)
    assert assessment["instrument_id"] not in [i["id"] for i in listed.json()["items"]]


async def test_private_assessment_hidden(client: httpx.AsyncClient, world: World) -> None:
    found = await load_instruments(world.state)
    team = await make_team(world)
    assessment = await start(
        client,
        world,
        instrument_id=str(found["team-capacity"].id),
        subject_kind="team",
        subject_id=str(team.team.id),
        assessed_on="2024-03-01",
        visibility="private",
    )
    for party in (world.b, world.c):
        assert (
            await client.get(f"/v1/assessments/{assessment['id']}", headers=party.headers)
        ).status_code == 404
        assert (await client.get("/v1/assessments", headers=party.headers)).json()["items"] == []
    # The outsider cannot assess a team it cannot see.
    refused = await client.post(
        "/v1/assessments",
        json={
            "instrument_id": str(found["team-capacity"].id),
            "subject_kind": "team",
            "subject_id": str(team.team.id),
            "assessed_on": "2024-03-01",
        },
        headers=world.c.headers,
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["pointer"] == "/subject_id"


async def test_admins_load_instruments_with_precise_errors(
    client: httpx.AsyncClient, world: World
) -> None:
    from tests.factories import create_platform_admin

    admin = await create_platform_admin(world.state)
    document = {
        "key": "tiny",
        "version": "1",
        "name": "Tiny",
        "applies_to": "team",
        "scale": [{"value": 0, "label": "No"}, {"value": 1, "label": "Yes"}],
        "sections": [
            {"key": "s", "title": "S", "items": [{"key": "a", "text": "A"}]},
            {
                "key": "t",
                "title": "T",
                "items": [
                    {"key": "b", "text": "B"},
                    {"key": "c", "text": "C"},
                    {"key": "d", "text": "D"},
                    {"key": "e", "text": "E", "scale": [{"value": 1, "label": "x"}]},
                ],
            },
        ],
    }
    bad = await client.post("/v1/instruments", json=document, headers=admin.headers)
    assert bad.status_code == 422
    assert [e["pointer"] for e in bad.json()["errors"]] == ["/sections/1/items/3/scale"]
    del document["sections"][1]["items"][3]["scale"]  # type: ignore[index]
    not_admin = await client.post("/v1/instruments", json=document, headers=world.a.headers)
    assert not_admin.status_code == 403
    loaded = await client.post("/v1/instruments", json=document, headers=admin.headers)
    assert loaded.status_code == 201, loaded.text
    same = await client.post("/v1/instruments", json=document, headers=admin.headers)
    assert same.status_code == 200
    document["name"] = "Tiny, reworded"
    clash = await client.post("/v1/instruments", json=document, headers=admin.headers)
    assert clash.status_code == 409
    listed = await client.get("/v1/instruments", params={"key": "tiny"}, headers=world.c.headers)
    assert [i["key"] for i in listed.json()["items"]] == ["tiny"]
