"""Feedback items over GraphQL: parity with REST for each mutation and the same rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from api.graphql.ids import to_global_id
from tests.factories import World, create_cycle, create_feedback_item

CREATE = """
mutation Create($input: CreateFeedbackItemInput!) {
  createFeedbackItem(input: $input) {
    feedbackItem { id databaseId barrier raisedBy raisedOn leadershipTeam status version
      cycle { title } organisation { name } programme { name } }
    errors { code message field }
  }
}
"""
UPDATE = """
mutation Update($input: UpdateFeedbackItemInput!) {
  updateFeedbackItem(input: $input) {
    feedbackItem { status response acknowledgedOn resolvedOn declinedOn version }
    errors { code message field }
  }
}
"""
DELETE = """
mutation Delete($input: DeleteFeedbackItemInput!) {
  deleteFeedbackItem(input: $input) { deletedId errors { code message field } }
}
"""
ONE = "query One($id: ID!) { feedbackItem(id: $id) { barrier status } }"
LIST = """
query List($first: Int!, $after: String, $programmeId: ID, $status: FeedbackStatus) {
  feedbackItems(first: $first, after: $after, programmeId: $programmeId, status: $status) {
    edges { node { barrier status } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def today() -> str:
    return datetime.now(UTC).date().isoformat()


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
    cycle = await create_cycle(
        world.state,
        world.a.organisation,
        world.programme,
        title="Signature barrier",
        kind="practice_policy_feedback",
    )
    created = await gql(
        client,
        world.a.headers,
        CREATE,
        input={
            "programmeId": to_global_id("Programme", world.programme.id),
            "cycleId": to_global_id("Cycle", cycle.id),
            "barrier": "The referral form needs a manager's signature",
            "raisedBy": "Pastoral team",
            "raisedOn": "2024-02-12",
            "leadershipTeam": "GIRFEC strategic group",
            "visibility": "programme",
        },
    )
    payload = created["data"]["createFeedbackItem"]
    assert payload["errors"] == []
    item = payload["feedbackItem"]
    assert (item["status"], item["version"], item["raisedOn"]) == ("raised", 1, "2024-02-12")
    assert item["cycle"] == {"title": "Signature barrier"}
    assert item["organisation"]["name"] == world.a.organisation.name

    rest = await client.get(f"/v1/feedback-items/{item['databaseId']}", headers=world.a.headers)
    assert rest.json()["barrier"] == "The referral form needs a manager's signature"
    assert rest.json()["cycle_id"] == str(cycle.id)

    skipped = await gql(
        client,
        world.a.headers,
        UPDATE,
        input={"id": item["id"], "expectedVersion": 1, "status": "resolved"},
    )
    assert skipped["data"]["updateFeedbackItem"]["feedbackItem"] is None
    assert skipped["data"]["updateFeedbackItem"]["errors"][0]["code"] == "invalid_transition"
    acknowledged = await gql(
        client,
        world.a.headers,
        UPDATE,
        input={"id": item["id"], "expectedVersion": 1, "status": "acknowledged"},
    )
    assert acknowledged["data"]["updateFeedbackItem"]["errors"] == []
    assert acknowledged["data"]["updateFeedbackItem"]["feedbackItem"]["acknowledgedOn"] == today()
    no_response = await gql(
        client,
        world.a.headers,
        UPDATE,
        input={"id": item["id"], "expectedVersion": 2, "status": "resolved"},
    )
    assert no_response["data"]["updateFeedbackItem"]["errors"] == [
        {
            "code": "required",
            "message": "is needed for an item to be resolved: what the leadership team said",
            "field": "/input/response",
        }
    ]
    resolved = await gql(
        client,
        world.a.headers,
        UPDATE,
        input={
            "id": item["id"],
            "expectedVersion": 2,
            "status": "resolved",
            "response": "A duty manager signs the same day",
        },
    )
    assert resolved["data"]["updateFeedbackItem"] == {
        "feedbackItem": {
            "status": "resolved",
            "response": "A duty manager signs the same day",
            "acknowledgedOn": today(),
            "resolvedOn": today(),
            "declinedOn": None,
            "version": 3,
        },
        "errors": [],
    }
    rest = await client.get(f"/v1/feedback-items/{item['databaseId']}", headers=world.a.headers)
    assert (rest.json()["status"], rest.headers["etag"]) == ("resolved", '"3"')

    stale = await gql(
        client, world.a.headers, DELETE, input={"id": item["id"], "expectedVersion": 1}
    )
    assert stale["data"]["deleteFeedbackItem"]["errors"][0]["code"] == "precondition_failed"
    deleted = await gql(
        client, world.a.headers, DELETE, input={"id": item["id"], "expectedVersion": 3}
    )
    assert deleted["data"]["deleteFeedbackItem"] == {"deletedId": item["id"], "errors": []}
    gone = await client.get(f"/v1/feedback-items/{item['databaseId']}", headers=world.a.headers)
    assert gone.status_code == 404


async def test_mutation_validation_errors_point_at_the_input(
    client: httpx.AsyncClient, world: World
) -> None:
    partners = await create_cycle(
        world.state, world.b.organisation, world.programme, visibility="programme"
    )
    base = {"programmeId": str(world.programme.id), "barrier": "B"}
    for extra, field in (
        ({"barrier": ""}, "/input/barrier"),
        ({"barrier": "   "}, "/input/barrier"),
        ({"raisedBy": "x" * 201}, "/input/raisedBy"),
        ({"programmeId": str(world.other_programme.id)}, "/input/programmeId"),
        ({"cycleId": str(partners.id)}, "/input/cycleId"),
        ({"cycleId": "bm90LWEtY3ljbGU"}, "/input/cycleId"),
    ):
        result = await gql(client, world.a.headers, CREATE, input={**base, **extra})
        payload = result["data"]["createFeedbackItem"]
        assert payload["feedbackItem"] is None
        assert field in [e["field"] for e in payload["errors"]], payload
    listed = await gql(client, world.a.headers, LIST, first=10)
    assert listed["data"]["feedbackItems"]["edges"] == []


async def test_outsiders_get_null_and_partners_cannot_change(
    client: httpx.AsyncClient, world: World
) -> None:
    private = await create_feedback_item(
        world.state, world.a.organisation, world.programme, barrier="Private"
    )
    shared = await create_feedback_item(
        world.state, world.a.organisation, world.programme, barrier="Shared", visibility="programme"
    )
    for party, visible in ((world.b, {"Shared"}), (world.c, set())):
        for item in (private, shared):
            gid = to_global_id("FeedbackItem", item.id)
            result = await gql(client, party.headers, ONE, id=gid)
            if item.barrier in visible:
                assert result["data"]["feedbackItem"]["barrier"] == item.barrier
            else:
                assert result["data"]["feedbackItem"] is None
                assert result["errors"][0]["extensions"]["code"] == "NOT_FOUND"
            changed = await gql(
                client,
                party.headers,
                UPDATE,
                input={"id": gid, "expectedVersion": 1, "status": "acknowledged"},
            )
            assert changed["data"]["updateFeedbackItem"]["errors"][0]["code"] == "not_found"
            removed = await gql(
                client, party.headers, DELETE, input={"id": gid, "expectedVersion": 1}
            )
            assert removed["data"]["deleteFeedbackItem"]["errors"][0]["code"] == "not_found"
        listed = await gql(client, party.headers, LIST, first=50)
        assert {e["node"]["barrier"] for e in listed["data"]["feedbackItems"]["edges"]} == visible


async def test_pages_and_filters(client: httpx.AsyncClient, world: World) -> None:
    for n in range(3):
        await create_feedback_item(
            world.state, world.a.organisation, world.programme, barrier=f"b{n}"
        )
    await create_feedback_item(
        world.state,
        world.a.organisation,
        world.programme,
        barrier="Declined",
        status="declined",
        response="Not ours to change",
        declined_on=datetime(2024, 3, 1, tzinfo=UTC).date(),
    )
    page = (await gql(client, world.a.headers, LIST, first=2, status="raised"))["data"]
    assert [e["node"]["barrier"] for e in page["feedbackItems"]["edges"]] == ["b2", "b1"]
    after = page["feedbackItems"]["pageInfo"]["endCursor"]
    rest = await gql(client, world.a.headers, LIST, first=2, after=after, status="raised")
    assert [e["node"]["barrier"] for e in rest["data"]["feedbackItems"]["edges"]] == ["b0"]
    declined = await gql(client, world.a.headers, LIST, first=5, status="declined")
    assert [e["node"]["barrier"] for e in declined["data"]["feedbackItems"]["edges"]] == [
        "Declined"
    ]
    other = await gql(
        client,
        world.a.headers,
        LIST,
        first=5,
        programmeId=to_global_id("Programme", world.other_programme.id),
    )
    assert other["data"]["feedbackItems"]["edges"] == []
