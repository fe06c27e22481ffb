"""Community over GraphQL: the same use cases as REST (parity per mutation), the same
visibility, and nested lists through DataLoaders in a bounded number of statements."""

from __future__ import annotations

from typing import Any

import httpx

from api.graphql.ids import to_global_id
from tests.community import helpers as h
from tests.conftest import StatementCounter
from tests.factories import Party, World


async def gql(
    client: httpx.AsyncClient, query: str, party: Party | None = None, **variables: Any
) -> Any:
    headers = party.headers if party else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


CREATE_RESOURCE = """
mutation Create($input: CreateResourceInput!) {
  createResource(input: $input) {
    resource { id databaseId title bodyHtml visibility status version links { url }
      revisions { number actor } }
    errors { code message field }
  }
}
"""
UPDATE_RESOURCE = """
mutation Update($input: UpdateResourceInput!) {
  updateResource(input: $input) {
    resource { title version revisions { number changes } }
    errors { code message field }
  }
}
"""
ONE_RESOURCE = "query One($id: ID!) { resource(id: $id) { title bodyHtml } }"


async def test_resource_mutations_match_rest(client: httpx.AsyncClient, world: World) -> None:
    created = await gql(
        client,
        CREATE_RESOURCE,
        world.a,
        input={
            "kind": "practice_profile",
            "title": "Buddy support",
            "body": "Core **components** <script>alert(1)</script>",
            "programmeId": to_global_id("Programme", world.programme.id),
            "visibility": "programme",
            "status": "published",
            "links": [{"title": "NIRN", "url": "https://nirn.example"}],
        },
    )
    assert created.get("data"), created
    payload = created["data"]["createResource"]
    assert payload["errors"] == [], payload
    resource = payload["resource"]
    assert "<strong>components</strong>" in resource["bodyHtml"]
    assert "<script" not in resource["bodyHtml"]
    assert resource["revisions"] == [{"number": 1, "actor": f"client:{world.a.client.client_id}"}]
    rest = await client.get(f"/v1/resources/{resource['databaseId']}", headers=world.b.headers)
    assert rest.json()["body_html"] == resource["bodyHtml"]

    refused = await gql(
        client,
        CREATE_RESOURCE,
        world.a,
        input={
            "kind": "faq",
            "title": "x",
            "visibility": "public",
            "links": [{"title": "x", "url": "javascript:alert(1)"}],
        },
    )
    assert refused["data"]["createResource"]["resource"] is None
    assert refused["data"]["createResource"]["errors"][0]["field"] == "/input/links/0/url"

    updated = await gql(
        client,
        UPDATE_RESOURCE,
        world.a,
        input={"id": resource["id"], "expectedVersion": 1, "title": "Buddy support profile"},
    )
    assert updated["data"]["updateResource"]["resource"]["version"] == 2
    stale = await gql(
        client, UPDATE_RESOURCE, world.a, input={"id": resource["id"], "expectedVersion": 1}
    )
    assert stale["data"]["updateResource"]["errors"][0]["code"] == "precondition_failed"

    # Programme-only: the outsider and anonymous callers get null and a not-found error.
    for party in (world.c, None):
        hidden = await gql(client, ONE_RESOURCE, party, id=resource["id"])
        assert hidden["data"]["resource"] is None
        assert hidden["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    # Mutations need a token with content:write.
    anonymous = await gql(client, CREATE_RESOURCE, None, input={"kind": "faq", "title": "x"})
    assert anonymous["data"] is None or anonymous["data"]["createResource"] is None


SEARCH = """
query Search($q: String!) {
  search(q: $q) { total counts { type count } hits { type title snippet url } }
}
"""


async def test_search_field_matches_rest(client: httpx.AsyncClient, world: World) -> None:
    await h.resource(client, world, title="Neglect public", body="neglect <b>bold</b>")
    await h.resource(client, world, title="Neglect programme", visibility="programme")
    for party, titles in (
        (None, {"Neglect public"}),
        (world.b, {"Neglect public", "Neglect programme"}),
    ):
        found = (await gql(client, SEARCH, party, q="neglect"))["data"]["search"]
        assert {hit["title"] for hit in found["hits"]} == titles
        assert found["total"] == len(titles)
        rest = await client.get(
            "/v1/search", params={"q": "neglect"}, headers=party.headers if party else {}
        )
        assert [i["snippet"] for i in rest.json()["items"]] == [
            hit["snippet"] for hit in found["hits"]
        ]


THREADS = """
query Threads($community: ID!) {
  discussionThreads(communityId: $community) {
    nodes { title community { name members { role } } resource { title }
      posts { body hiddenReason } }
  }
}
"""


async def test_thread_page_statements_do_not_grow(
    client: httpx.AsyncClient, world: World, count_statements: StatementCounter
) -> None:
    community = await h.community(client, world)
    resource = await h.resource(client, world)

    async def add_threads(n: int) -> None:
        for i in range(n):
            thread = await h.thread(
                client, world, community["id"], title=f"T{i}", resource_id=resource["id"]
            )
            for j in range(3):
                await h.post(
                    client, f"/v1/threads/{thread['id']}/posts", world.b, {"body": f"p{j}"}
                )

    async def statements() -> int:
        count_statements.statements.clear()
        result = await gql(
            client, THREADS, world.b, community=to_global_id("Community", community["id"])
        )
        assert "errors" not in result, result
        return len(count_statements.statements)

    await add_threads(2)
    small = await statements()
    await add_threads(8)
    large = await statements()
    assert large == small, (small, large)


MODERATE = """
mutation Hide($input: HideDiscussionPostInput!) {
  hideDiscussionPost(input: $input) { post { hiddenReason version } errors { code } }
}
"""
POSTS = "query P($id: ID!) { discussionThread(id: $id) { posts { body } } }"


async def test_hidden_posts_over_graphql(client: httpx.AsyncClient, world: World) -> None:
    community = await h.community(client, world)
    thread = await h.thread(client, world, community["id"])
    post = await h.post(client, f"/v1/threads/{thread['id']}/posts", world.b, {"body": "hi"})
    post_id = to_global_id("DiscussionPost", post["id"])
    refused = await gql(
        client, MODERATE, world.b, input={"id": post_id, "expectedVersion": 1, "reason": "x"}
    )
    assert refused["data"]["hideDiscussionPost"]["errors"][0]["code"] == "forbidden"
    hidden = await gql(
        client, MODERATE, world.a, input={"id": post_id, "expectedVersion": 1, "reason": "Names"}
    )
    assert hidden["data"]["hideDiscussionPost"]["post"]["hiddenReason"] == "Names"
    thread_id = to_global_id("DiscussionThread", thread["id"])
    from tests.factories import create_party

    partner = await create_party(world.state, world.b.organisation)
    assert (await gql(client, POSTS, partner, id=thread_id))["data"]["discussionThread"][
        "posts"
    ] == []
    assert (await gql(client, POSTS, world.b, id=thread_id))["data"]["discussionThread"][
        "posts"
    ] == [{"body": "hi"}]


EVENTS = """
mutation E($input: CreateCommunityEventInput!) {
  createCommunityEvent(input: $input) { event { id title startsAt timezone attendanceTotal
    community { name } } errors { field message } }
}
"""
GLOSSARY = """
query G($q: String) { glossaryTerms(q: $q) { nodes { slug term related { slug } } } }
"""


async def test_events_and_glossary(client: httpx.AsyncClient, world: World) -> None:
    from domain.community import glossary
    from domain.shared.uow import UnitOfWork

    community = await h.community(client, world)
    made = await gql(
        client,
        EVENTS,
        world.a,
        input={
            "communityId": to_global_id("Community", community["id"]),
            "title": "Quarterly session",
            "startsAt": "2030-07-01T10:00:00",
            "endsAt": "2030-07-01T12:00:00",
            "timezone": "Europe/London",
            "format": "online",
            "status": "published",
        },
    )
    event = made["data"]["createCommunityEvent"]
    assert event["errors"] == []
    assert event["event"]["startsAt"] == "2030-07-01T10:00:00+01:00"
    assert event["event"]["community"]["name"] == community["name"]
    async with UnitOfWork(world.state.database.sessionmaker) as uow:
        await glossary.seed_glossary(uow)
    terms = (await gql(client, GLOSSARY, None, q="fidelty"))["data"]["glossaryTerms"]["nodes"]
    assert terms[0]["slug"] == "fidelity"
    assert {"slug": "practice-profile"} in terms[0]["related"]


NODE = "query N($id: ID!) { node(id: $id) { id ... on Resource { title } } }"


async def test_node_resolves_community_objects(client: httpx.AsyncClient, world: World) -> None:
    resource = await h.resource(client, world, visibility="programme", title="Shared")
    node_id = to_global_id("Resource", resource["id"])
    assert (await gql(client, NODE, world.b, id=node_id))["data"]["node"]["title"] == "Shared"
    outsider = await gql(client, NODE, world.c, id=node_id)
    assert outsider["data"]["node"] is None
    assert outsider["errors"][0]["extensions"]["code"] == "NOT_FOUND"


MORE = """
mutation Members($member: AddCommunityMemberInput!, $attendance: SetEventAttendanceInput!,
                 $post: UpdateDiscussionPostInput!, $term: UpdateGlossaryTermInput!) {
  addCommunityMember(input: $member) { member { role ref } errors { code } }
  setEventAttendance(input: $attendance) { total attendance { attendees } errors { code } }
  updateDiscussionPost(input: $post) { post { body version } errors { code } }
  updateGlossaryTerm(input: $term) { term { slug } errors { code } }
}
"""


async def test_more_mutations(client: httpx.AsyncClient, world: World) -> None:
    community = await h.community(client, world)
    event = await h.event(client, world, community["id"])
    thread = await h.thread(client, world, community["id"])
    post = await h.post(client, f"/v1/threads/{thread['id']}/posts", world.a, {"body": "hi"})
    term = await h.post(client, "/v1/glossary", world.a, {"term": "Buddy", "definition": "x"})
    result = await gql(
        client,
        MORE,
        world.a,
        member={
            "communityId": to_global_id("Community", community["id"]),
            "kind": "person",
            "ref": "person:someone",
            "role": "moderator",
        },
        attendance={
            "eventId": to_global_id("CommunityEvent", event["id"]),
            "expectedVersion": 1,
            "attendance": [
                {
                    "organisationId": to_global_id("Organisation", world.b.organisation.id),
                    "attendees": 4,
                }
            ],
        },
        post={
            "id": to_global_id("DiscussionPost", post["id"]),
            "expectedVersion": 1,
            "body": "hello",
        },
        term={
            "id": to_global_id("GlossaryTerm", term["id"]),
            "expectedVersion": 1,
            "term": "Buddy support",
        },
    )
    data = result["data"]
    assert data["addCommunityMember"]["member"] == {"role": "moderator", "ref": "person:someone"}
    assert data["setEventAttendance"]["total"] == 4
    assert data["updateDiscussionPost"]["post"] == {"body": "hello", "version": 2}
    assert data["updateGlossaryTerm"]["term"] == {"slug": "buddy-support"}


PAGES = """
query P($after: String) {
  communityEvents(first: 2, after: $after, when: past) {
    edges { cursor node { title } } pageInfo { hasNextPage endCursor }
  }
}
"""


async def test_event_pages_over_graphql(client: httpx.AsyncClient, world: World) -> None:
    community = await h.community(client, world)
    for year in (2016, 2017, 2018):
        await h.event(
            client,
            world,
            community["id"],
            title=f"S{year}",
            starts_at=f"{year}-01-10T10:00:00",
            ends_at=f"{year}-01-10T11:00:00",
        )
    first = (await gql(client, PAGES, world.b))["data"]["communityEvents"]
    assert [e["node"]["title"] for e in first["edges"]] == ["S2018", "S2017"]
    assert first["pageInfo"]["endCursor"] == first["edges"][-1]["cursor"]
    after = first["edges"][0]["cursor"]
    second = (await gql(client, PAGES, world.b, after=after))["data"]["communityEvents"]
    assert [e["node"]["title"] for e in second["edges"]] == ["S2017", "S2016"]
    assert second["pageInfo"]["hasNextPage"] is False
