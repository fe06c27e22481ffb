"""Tenancy over GraphQL: one parity test per mutation (checked through REST, the other door
to the same service), access rules on queries, and refusals as payload errors."""

from __future__ import annotations

from typing import Any

import httpx

from api.graphql.ids import to_global_id
from api.state import AppState
from domain.tenancy.models import Organisation, Programme, ProgrammeMember, Site
from tests.factories import Party, World, create_cycle, create_site
from tests.tenancy.helpers import audit_actions, bearer, count, gql

ERRORS = "errors { code message field }"
ORG_FIELDS = "id databaseId name kind version"
PROGRAMME_FIELDS = (
    "id databaseId name description version leadOrganisation { name } members { name }"
)
SITE_FIELDS = "id databaseId name kind version organisation { name } parent { name }"


def mutation(name: str, input_type: str, selection: str) -> str:
    return (
        f"mutation M($input: {input_type}!) {{ {name}(input: $input) {{ {selection} {ERRORS} }} }}"
    )


async def run(
    client: httpx.AsyncClient,
    party: Party,
    field: str,
    input_type: str,
    selection: str,
    /,
    **fields: Any,
) -> dict[str, Any]:
    """Runs one mutation with `fields` as its input; returns its payload."""
    body = await gql(client, party.headers, mutation(field, input_type, selection), input=fields)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"][field]
    return payload


def gid(kind: str, row: Organisation | Programme | Site | Any) -> str:
    return to_global_id(kind, row.id)


async def test_organisation_mutations_match_rest(
    client: httpx.AsyncClient, app_state: AppState, admin: Party
) -> None:
    created = await run(
        client,
        admin,
        "createOrganisation",
        "CreateOrganisationInput",
        f"organisation {{ {ORG_FIELDS} }}",
        name="Angus Council",
        kind="local_authority",
    )
    assert created["errors"] == []
    org = created["organisation"]
    rest = await client.get(f"/v1/organisations/{org['databaseId']}", headers=admin.headers)
    assert rest.json()["name"] == "Angus Council"
    assert rest.json()["kind"] == "local_authority"

    updated = await run(
        client,
        admin,
        "updateOrganisation",
        "UpdateOrganisationInput",
        f"organisation {{ {ORG_FIELDS} }}",
        id=org["id"],
        expectedVersion=1,
        kind="third_sector",
    )
    assert updated["errors"] == []
    assert updated["organisation"]["version"] == 2
    rest = await client.get(f"/v1/organisations/{org['databaseId']}", headers=admin.headers)
    assert rest.json()["kind"] == "third_sector"
    assert rest.headers["ETag"] == '"2"'

    stale = await run(
        client,
        admin,
        "deleteOrganisation",
        "DeleteOrganisationInput",
        "deletedId",
        id=org["id"],
        expectedVersion=1,
    )
    assert stale["deletedId"] is None
    assert stale["errors"][0]["code"] == "precondition_failed"
    deleted = await run(
        client,
        admin,
        "deleteOrganisation",
        "DeleteOrganisationInput",
        "deletedId",
        id=org["id"],
        expectedVersion=2,
    )
    assert deleted == {"deletedId": org["id"], "errors": []}
    gone = await client.get(f"/v1/organisations/{org['databaseId']}", headers=admin.headers)
    assert gone.status_code == 404
    assert await audit_actions(app_state, org["databaseId"]) == ["create", "update", "delete"]


async def test_programme_mutations_match_rest(
    client: httpx.AsyncClient, app_state: AppState, admin: Party, world: World
) -> None:
    a, b, c = world.a.organisation, world.b.organisation, world.c.organisation
    created = await run(
        client,
        admin,
        "createProgramme",
        "CreateProgrammeInput",
        f"programme {{ {PROGRAMME_FIELDS} }}",
        name="Safe and Together",
        leadOrganisationId=gid("Organisation", a),
        memberOrganisationIds=[str(b.id)],
    )
    assert created["errors"] == []
    programme = created["programme"]
    assert programme["leadOrganisation"]["name"] == a.name
    assert {m["name"] for m in programme["members"]} == {a.name, b.name}
    rest = await client.get(f"/v1/programmes/{programme['databaseId']}", headers=admin.headers)
    assert sorted(rest.json()["member_organisation_ids"]) == sorted([str(a.id), str(b.id)])

    updated = await run(
        client,
        admin,
        "updateProgramme",
        "UpdateProgrammeInput",
        f"programme {{ {PROGRAMME_FIELDS} }}",
        id=programme["id"],
        expectedVersion=1,
        description="Revised.",
        leadOrganisationId=gid("Organisation", b),
    )
    assert updated["errors"] == []
    assert updated["programme"]["leadOrganisation"]["name"] == b.name
    rest = await client.get(f"/v1/programmes/{programme['databaseId']}", headers=admin.headers)
    assert rest.json()["description"] == "Revised."
    assert rest.json()["version"] == 2

    added = await run(
        client,
        admin,
        "addProgrammeMember",
        "AddProgrammeMemberInput",
        f"programme {{ {PROGRAMME_FIELDS} }}",
        programmeId=programme["id"],
        organisationId=gid("Organisation", c),
        expectedVersion=2,
    )
    assert added["errors"] == []
    assert added["programme"]["version"] == 3
    assert {m["name"] for m in added["programme"]["members"]} == {a.name, b.name, c.name}
    members = await client.get(
        f"/v1/programmes/{programme['databaseId']}/members", headers=world.c.headers
    )
    assert {m["name"] for m in members.json()["items"]} == {a.name, b.name, c.name}

    removed = await run(
        client,
        admin,
        "removeProgrammeMember",
        "RemoveProgrammeMemberInput",
        f"programme {{ {PROGRAMME_FIELDS} }}",
        programmeId=programme["id"],
        organisationId=gid("Organisation", c),
        expectedVersion=3,
    )
    assert removed["errors"] == []
    assert removed["programme"]["version"] == 4
    hidden = await client.get(f"/v1/programmes/{programme['databaseId']}", headers=world.c.headers)
    assert hidden.status_code == 404

    deleted = await run(
        client,
        admin,
        "deleteProgramme",
        "DeleteProgrammeInput",
        "deletedId",
        id=programme["id"],
        expectedVersion=4,
    )
    assert deleted == {"deletedId": programme["id"], "errors": []}
    gone = await client.get(f"/v1/programmes/{programme['databaseId']}", headers=admin.headers)
    assert gone.status_code == 404
    assert await audit_actions(app_state, programme["databaseId"]) == [
        "create",
        "update",
        "add_member",
        "remove_member",
        "delete",
    ]


async def test_site_mutations_match_rest(
    client: httpx.AsyncClient, app_state: AppState, admin: Party, world: World
) -> None:
    a = world.a.organisation
    area = await run(
        client,
        admin,
        "createSite",
        "CreateSiteInput",
        f"site {{ {SITE_FIELDS} }}",
        organisationId=gid("Organisation", a),
        name="Dundee",
        kind="area",
    )
    assert area["errors"] == []
    created = await run(
        client,
        admin,
        "createSite",
        "CreateSiteInput",
        f"site {{ {SITE_FIELDS} }}",
        organisationId=gid("Organisation", a),
        parentId=area["site"]["id"],
        name="East",
        kind="locality",
    )
    assert created["errors"] == []
    site = created["site"]
    assert site["parent"] == {"name": "Dundee"}
    assert site["organisation"] == {"name": a.name}
    rest = await client.get(f"/v1/sites/{site['databaseId']}", headers=world.b.headers)
    assert rest.json()["parent_id"] == area["site"]["databaseId"]

    updated = await run(
        client,
        admin,
        "updateSite",
        "UpdateSiteInput",
        f"site {{ {SITE_FIELDS} }}",
        id=site["id"],
        expectedVersion=1,
        name="East locality",
        parentId=None,
    )
    assert updated["errors"] == []
    assert updated["site"]["parent"] is None
    rest = await client.get(f"/v1/sites/{site['databaseId']}", headers=admin.headers)
    assert rest.json()["name"] == "East locality"
    assert rest.json()["parent_id"] is None

    deleted = await run(
        client,
        admin,
        "deleteSite",
        "DeleteSiteInput",
        "deletedId",
        id=site["id"],
        expectedVersion=2,
    )
    assert deleted == {"deletedId": site["id"], "errors": []}
    assert (
        await client.get(f"/v1/sites/{site['databaseId']}", headers=admin.headers)
    ).status_code == 404
    assert await audit_actions(app_state, site["databaseId"]) == ["create", "update", "delete"]


async def test_refusals_are_payload_errors_and_change_nothing(
    client: httpx.AsyncClient, app_state: AppState, admin: Party, world: World
) -> None:
    counts = [await count(app_state, m) for m in (Organisation, Programme, ProgrammeMember, Site)]
    as_member = await run(
        client,
        world.a,
        "createOrganisation",
        "CreateOrganisationInput",
        "organisation { id }",
        name="Sneaky",
        kind="school",
    )
    assert as_member["organisation"] is None
    assert as_member["errors"][0]["code"] == "forbidden"

    read_only = await bearer(app_state, admin, ["tenancy:read"])
    body = await gql(
        client,
        read_only,
        mutation("createOrganisation", "CreateOrganisationInput", "organisation { id }"),
        input={"name": "Sneaky", "kind": "school"},
    )
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "INSUFFICIENT_SCOPE"

    outsider = await run(
        client,
        world.c,
        "updateProgramme",
        "UpdateProgrammeInput",
        "programme { id }",
        id=gid("Programme", world.programme),
        expectedVersion=1,
        name="Mine",
    )
    assert outsider["errors"][0]["code"] == "not_found"  # cannot see it: 404, not 403
    member = await run(
        client,
        world.a,
        "addProgrammeMember",
        "AddProgrammeMemberInput",
        "programme { id }",
        programmeId=gid("Programme", world.programme),
        organisationId=gid("Organisation", world.c.organisation),
    )
    assert member["errors"][0]["code"] == "forbidden"

    bad_parent = await run(
        client,
        admin,
        "createSite",
        "CreateSiteInput",
        "site { id }",
        organisationId=gid("Organisation", world.a.organisation),
        parentId=gid("Site", world.site_a),
        name="Below a setting",
        kind="locality",
    )
    assert bad_parent["site"] is None
    assert bad_parent["errors"] == [
        {
            "code": "site_tree",
            "field": "/input/parentId",
            "message": "a locality's parent must be an area, not a setting",
        }
    ]
    blank = await run(
        client,
        admin,
        "createProgramme",
        "CreateProgrammeInput",
        "programme { id }",
        name="",
        leadOrganisationId=gid("Organisation", world.a.organisation),
    )
    assert blank["errors"][0]["field"] == "/input/name"
    wrong_id = await run(
        client,
        admin,
        "deleteSite",
        "DeleteSiteInput",
        "deletedId",
        id=gid("Programme", world.programme),
        expectedVersion=1,
    )
    assert wrong_id["errors"][0] == {
        "code": "invalid_id",
        "field": "/input/id",
        "message": "is not a Site id",
    }
    in_use = await run(
        client,
        admin,
        "deleteOrganisation",
        "DeleteOrganisationInput",
        "deletedId",
        id=gid("Organisation", world.a.organisation),
        expectedVersion=1,
    )
    assert in_use["errors"][0]["code"] == "conflict"
    duplicate = await run(
        client,
        admin,
        "createOrganisation",
        "CreateOrganisationInput",
        "organisation { id }",
        name="NHS Tayside",
        kind="health_board",
    )
    assert duplicate["errors"][0]["code"] == "conflict"
    after = [await count(app_state, m) for m in (Organisation, Programme, ProgrammeMember, Site)]
    assert after == counts


QUERIES = """
query Q($programme: ID!, $site: ID!) {
  programme(id: $programme) { name members { name } }
  site(id: $site) { name }
}
"""

LISTS = """
{
  programmes(first: 10) { nodes { name } pageInfo { hasNextPage endCursor } }
  sites(first: 10) { nodes { name } }
  organisations(first: 2, kind: local_authority) { nodes { name } pageInfo { hasNextPage } }
}
"""


async def test_queries_follow_the_visibility_rules(
    client: httpx.AsyncClient, app_state: AppState, world: World
) -> None:
    variables = {
        "programme": gid("Programme", world.programme),
        "site": gid("Site", world.site_a),
    }
    partner = await gql(client, world.b.headers, QUERIES, **variables)
    assert "errors" not in partner
    assert partner["data"]["programme"]["name"] == "ANEW"
    assert {m["name"] for m in partner["data"]["programme"]["members"]} == {
        "Dundee City Council",
        "NHS Tayside",
    }
    assert partner["data"]["site"] == {"name": "Longhaugh Primary"}

    outsider = await gql(client, world.c.headers, QUERIES, **variables)
    assert outsider["data"] == {"programme": None, "site": None}
    assert {e["extensions"]["code"] for e in outsider["errors"]} == {"NOT_FOUND"}
    assert {e["extensions"]["status"] for e in outsider["errors"]} == {404}

    lists = await gql(client, world.c.headers, LISTS)
    assert lists["data"]["programmes"]["nodes"] == [{"name": "Elsewhere"}]
    assert lists["data"]["sites"]["nodes"] == []
    assert lists["data"]["organisations"]["nodes"] == [
        {"name": "Outsider Council"},
        {"name": "Dundee City Council"},
    ]
    assert lists["data"]["organisations"]["pageInfo"]["hasNextPage"] is False

    no_scope = await bearer(app_state, world.b, ["cycles:read"])
    refused = await gql(client, no_scope, QUERIES, **variables)
    assert refused["data"] == {"programme": None, "site": None}
    assert {e["extensions"]["code"] for e in refused["errors"]} == {"INSUFFICIENT_SCOPE"}


CYCLE = """
query C($id: ID!) { cycle(id: $id) { title programme { name members { name } }
  site { name organisation { name } } } }
"""


async def test_a_cycles_programme_and_site_stay_visible_to_its_readers(
    client: httpx.AsyncClient, app_state: AppState, world: World
) -> None:
    # B reads A's shared cycle at A's site with only cycles:read: nested tenancy fields
    # need no tenancy scope, because the cycle itself was already allowed.
    cycle = await create_cycle(
        app_state,
        world.a.organisation,
        world.programme,
        visibility="programme",
        site_id=world.site_a.id,
    )
    headers = await bearer(app_state, world.b, ["cycles:read"])
    body = await gql(client, headers, CYCLE, id=to_global_id("Cycle", cycle.id))
    assert "errors" not in body, body
    found = body["data"]["cycle"]
    assert found["programme"]["name"] == "ANEW"
    assert len(found["programme"]["members"]) == 2
    assert found["site"] == {
        "name": "Longhaugh Primary",
        "organisation": {"name": "Dundee City Council"},
    }


async def test_node_lookup_hides_what_the_caller_cannot_see(
    client: httpx.AsyncClient, app_state: AppState, world: World
) -> None:
    other_site = await create_site(app_state, world.c.organisation, "Outsider School")
    query = "query N($id: ID!) { node(id: $id) { id ... on Site { name } } }"
    seen = await gql(client, world.c.headers, query, id=gid("Site", other_site))
    assert seen["data"]["node"]["name"] == "Outsider School"
    hidden = await gql(client, world.c.headers, query, id=gid("Site", world.site_a))
    assert hidden["data"]["node"] is None
    programme = await gql(client, world.c.headers, query, id=gid("Programme", world.programme))
    assert programme["data"]["node"] is None
