"""The rest of implementation tracking over GraphQL: the same rules as REST."""

from __future__ import annotations

from typing import Any

import httpx

from api.graphql.ids import to_global_id
from tests.factories import World, create_platform_admin
from tests.implementation.factories import (
    COMPONENTS,
    load_instruments,
    make_implementation,
    make_innovation,
    make_profile,
    make_team,
)
from tests.implementation.test_implementation_graphql import gql


def camel(component: dict[str, str]) -> dict[str, str]:
    def name(key: str) -> str:
        head, *rest = key.split("_")
        return head + "".join(p.title() for p in rest)

    return {name(k): v for k, v in component.items()}


async def test_profiles_publish_and_stay_unchanged(client: httpx.AsyncClient, world: World) -> None:
    innovation = await make_innovation(world)
    created = await gql(
        client,
        world.a.headers,
        """mutation($input: CreateProfileVersionInput!) {
          createProfileVersion(input: $input) {
            profileVersion { id versionNumber status version components { key fixedOrAdaptable } }
            errors { field message }
          }
        }""",
        input={
            "innovationId": to_global_id("Innovation", innovation.id),
            "components": [camel(c) for c in COMPONENTS],
        },
    )
    draft = created["data"]["createProfileVersion"]["profileVersion"]
    assert draft["status"] == "draft", created
    assert [c["fixedOrAdaptable"] for c in draft["components"]] == ["fixed", "fixed", "adaptable"]
    publish = """mutation($input: PublishProfileVersionInput!) {
      publishProfileVersion(input: $input) { profileVersion { status } errors { code } }
    }"""
    done = await gql(
        client, world.a.headers, publish, input={"id": draft["id"], "expectedVersion": 1}
    )
    assert done["data"]["publishProfileVersion"]["profileVersion"]["status"] == "published"
    change = await gql(
        client,
        world.a.headers,
        """mutation($input: UpdateProfileVersionInput!) {
          updateProfileVersion(input: $input) { profileVersion { id } errors { code message } }
        }""",
        input={"id": draft["id"], "expectedVersion": 2, "notes": "edited"},
    )
    assert change["data"]["updateProfileVersion"]["errors"][0]["code"] == "conflict"
    read = await gql(
        client,
        world.b.headers,
        "query($id: ID!) { innovation(id: $id) { profileVersions { versionNumber notes } } }",
        id=to_global_id("Innovation", innovation.id),
    )
    assert read["data"]["innovation"]["profileVersions"] == [{"versionNumber": 1, "notes": ""}]


async def test_teams_members_and_adaptations(client: httpx.AsyncClient, world: World) -> None:
    created = await gql(
        client,
        world.a.headers,
        """mutation($input: CreateTeamInput!) {
          createTeam(input: $input) {
            team { id version members { name role organisation { name } } } errors { field }
          }
        }""",
        input={
            "programmeId": to_global_id("Programme", world.programme.id),
            "name": "Dundee team",
            "members": [
                {
                    "name": "Alex",
                    "organisationId": to_global_id("Organisation", world.a.organisation.id),
                    "role": "lead",
                    "joinedOn": "2023-01-09",
                },
                {
                    "name": "Sam",
                    "organisationId": to_global_id("Organisation", world.b.organisation.id),
                    "role": "data_lead",
                    "joinedOn": "2023-01-09",
                },
            ],
        },
    )
    team = created["data"]["createTeam"]["team"]
    assert [m["organisation"]["name"] for m in team["members"]] == [
        "Dundee City Council",
        "NHS Tayside",
    ]
    outsider = await gql(
        client,
        world.a.headers,
        """mutation($input: AddTeamMemberInput!) {
          addTeamMember(input: $input) { team { id } errors { field } }
        }""",
        input={
            "teamId": team["id"],
            "expectedVersion": 1,
            "member": {
                "name": "Pat",
                "organisationId": to_global_id("Organisation", world.c.organisation.id),
                "role": "coach",
                "joinedOn": "2023-01-09",
            },
        },
    )
    assert outsider["data"]["addTeamMember"]["errors"] == [{"field": "/input/organisationId"}]

    innovation = await make_innovation(world)
    profile = await make_profile(world, innovation)
    view = await make_implementation(
        world, innovation, team_id=_uuid(team["id"]), profile_version_id=profile.profile.id
    )
    fixed = next(c for c in profile.components if c.fixed_or_adaptable == "fixed")
    adaptable = next(c for c in profile.components if c.fixed_or_adaptable == "adaptable")
    adapt = """mutation($input: AddAdaptationInput!) {
      addAdaptation(input: $input) { adaptation { description } errors { field code } }
    }"""
    gid = to_global_id("Implementation", view.implementation.id)
    refused = await gql(
        client,
        world.a.headers,
        adapt,
        input={
            "implementationId": gid,
            "expectedVersion": 1,
            "componentId": str(fixed.id),
            "description": "x",
        },
    )
    assert refused["data"]["addAdaptation"]["errors"] == [
        {"field": "/input/componentId", "code": "fixed_component"}
    ]
    added = await gql(
        client,
        world.a.headers,
        adapt,
        input={
            "implementationId": gid,
            "expectedVersion": 1,
            "componentId": str(adaptable.id),
            "description": "At home",
        },
    )
    assert added["data"]["addAdaptation"]["adaptation"] == {"description": "At home"}
    read = await gql(
        client,
        world.b.headers,
        """query($id: ID!) { implementation(id: $id) {
          adaptations { description }
          before: stageOn(asOf: "2024-01-09") now: stageOn(asOf: "2024-01-10")
          profileVersion { versionNumber } } }""",
        id=gid,
    )
    assert read["data"]["implementation"] == {
        "adaptations": [{"description": "At home"}],
        "before": None,
        "now": "exploration",
        "profileVersion": {"versionNumber": 1},
    }
    led = await gql(
        client,
        world.b.headers,
        "query($id: ID!) { team(id: $id) { implementations { stage innovation { name } } } }",
        id=team["id"],
    )
    assert led["data"]["team"]["implementations"] == [
        {"stage": "exploration", "innovation": {"name": "Team Around the Child meetings"}}
    ]


def _uuid(global_id: str) -> Any:
    from api.graphql.ids import parse_global_id

    parsed = parse_global_id(global_id)
    assert parsed is not None
    return parsed[1]


async def test_votes_actions_and_the_team_list(client: httpx.AsyncClient, world: World) -> None:
    found = await load_instruments(world.state)
    team = await make_team(world)
    team_gid = to_global_id("Team", team.team.id)
    created = await gql(
        client,
        world.a.headers,
        """mutation($input: CreateAssessmentInput!) {
          createAssessment(input: $input) { assessment { id } errors { field } }
        }""",
        input={
            "instrumentId": to_global_id("Instrument", found["drivers-assessment"].id),
            "subjectKind": "team",
            "subjectId": team_gid,
            "assessedOn": "2024-03-01",
        },
    )
    assessment_id = created["data"]["createAssessment"]["assessment"]["id"]
    voted = await gql(
        client,
        world.a.headers,
        """mutation($input: SetAssessmentVotesInput!) {
          setAssessmentVotes(input: $input) {
            assessment { version result { spread } } errors { field }
          }
        }""",
        input={
            "id": assessment_id,
            "expectedVersion": 1,
            "votes": [
                {"itemKey": "coa-data", "participant": "Alex", "score": 0},
                {"itemKey": "coa-data", "participant": "Sam", "score": 2},
            ],
        },
    )
    spread = voted["data"]["setAssessmentVotes"]["assessment"]["result"]["spread"]
    assert spread == [
        {
            "item_key": "coa-data",
            "votes": {"Alex": 0, "Sam": 2},
            "lowest": 0,
            "highest": 2,
            "spread": 2,
            "wide": True,
        }
    ]
    action = await gql(
        client,
        world.a.headers,
        """mutation($input: CreateAssessmentActionInput!) {
          createAssessmentAction(input: $input) { action { databaseId version } errors { field } }
        }""",
        input={
            "assessmentId": assessment_id,
            "itemKey": "coa-data",
            "what": "Share fidelity data with coaches",
            "who": "Sam",
        },
    )
    made = action["data"]["createAssessmentAction"]["action"]
    listed = await gql(
        client,
        world.b.headers,
        "query($id: ID!) { team(id: $id) { actions { what } } }",
        id=team_gid,
    )
    assert listed["data"]["team"]["actions"] == [{"what": "Share fidelity data with coaches"}]
    await gql(
        client,
        world.a.headers,
        """mutation($input: UpdateAssessmentActionInput!) {
          updateAssessmentAction(input: $input) { action { doneOn } errors { field } }
        }""",
        input={
            "id": made["databaseId"],
            "expectedVersion": made["version"],
            "doneOn": "2024-04-01",
        },
    )
    listed = await gql(
        client,
        world.a.headers,
        "query($id: ID!) { team(id: $id) { actions { what } } }",
        id=team_gid,
    )
    assert listed["data"]["team"]["actions"] == []


async def test_load_instrument_for_admins_with_pointers(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = await create_platform_admin(world.state)
    load = """mutation($input: LoadInstrumentInput!) {
      loadInstrument(input: $input) { instrument { key } created errors { field message } }
    }"""
    document = {
        "key": "tiny",
        "version": "1",
        "name": "Tiny",
        "applies_to": "team",
        "scale": [{"value": 0, "label": "Not yet"}, {"value": 1, "label": "Done"}],
        "sections": [{"key": "s", "title": "S", "items": [{"key": "a", "text": "A", "scale": []}]}],
    }
    bad = await gql(client, admin.headers, load, input={"document": document})
    assert [e["field"] for e in bad["data"]["loadInstrument"]["errors"]] == [
        "/input/sections/0/items/0/scale"
    ]
    del document["sections"][0]["items"][0]["scale"]  # type: ignore[index]
    good = await gql(client, admin.headers, load, input={"document": document})
    assert good["data"]["loadInstrument"]["instrument"] == {"key": "tiny"}
    refused = await gql(client, world.a.headers, load, input={"document": document})
    assert refused["data"]["loadInstrument"]["errors"][0]["message"].startswith("Only a platform")
