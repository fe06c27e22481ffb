"""Discussions over REST: threads, posts and replies, edit history, moderation (hide with a
reason, lock), and who sees a hidden post: its author and the moderators, nobody else."""

from __future__ import annotations

import httpx
import pytest

from tests.community import helpers as h
from tests.factories import Party, World, create_cycle, create_party


@pytest.fixture
async def forum(client: httpx.AsyncClient, world: World) -> dict[str, str]:
    """A's programme community; A started it, so A's client is its moderator. B posts."""
    community = await h.community(client, world)
    thread = await h.thread(client, world, community["id"])
    post = await h.post(
        client, f"/v1/threads/{thread['id']}/posts", world.b, {"body": "Thursday works for us"}
    )
    return {"community": community["id"], "thread": thread["id"], "post": post["id"]}


async def post_bodies(client: httpx.AsyncClient, thread_id: str, party: Party | None) -> list[str]:
    headers = party.headers if party else {}
    response = await client.get(f"/v1/threads/{thread_id}/posts", headers=headers)
    if response.status_code == 404:
        return []
    assert response.status_code == 200, response.text
    return [item["body"] for item in response.json()["items"]]


async def test_hidden_post_only_for_moderators_and_author(
    client: httpx.AsyncClient, world: World, forum: dict[str, str]
) -> None:
    # A second partner in the programme, neither author nor moderator.
    partner = await create_party(world.state, world.b.organisation)
    hidden = await client.post(
        f"/v1/posts/{forum['post']}/hide",
        json={"reason": "Names a family"},
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    assert hidden.status_code == 200, hidden.text
    assert hidden.json()["hidden_reason"] == "Names a family"
    assert await post_bodies(client, forum["thread"], world.a) == ["Thursday works for us"]
    assert await post_bodies(client, forum["thread"], world.b) == ["Thursday works for us"]
    assert await post_bodies(client, forum["thread"], partner) == []
    assert await post_bodies(client, forum["thread"], world.c) == []
    assert await post_bodies(client, forum["thread"], None) == []
    single = await client.get(f"/v1/posts/{forum['post']}", headers=partner.headers)
    assert single.status_code == 404
    edits = await client.get(f"/v1/posts/{forum['post']}/edits", headers=partner.headers)
    assert edits.status_code == 404

    shown = await client.post(
        f"/v1/posts/{forum['post']}/unhide", headers={**world.a.headers, "If-Match": '"2"'}
    )
    assert shown.status_code == 200
    assert await post_bodies(client, forum["thread"], partner) == ["Thursday works for us"]


async def test_only_moderators_moderate(
    client: httpx.AsyncClient, world: World, forum: dict[str, str]
) -> None:
    before = await h.count_rows(world, "audit_events")
    refused = await client.post(
        f"/v1/posts/{forum['post']}/hide",
        json={"reason": "x"},
        headers={**world.b.headers, "If-Match": '"1"'},
    )
    assert refused.status_code == 403
    lock = await client.post(
        f"/v1/threads/{forum['thread']}/lock",
        json={"reason": "x"},
        headers={**world.b.headers, "If-Match": '"1"'},
    )
    assert lock.status_code == 403
    assert await h.count_rows(world, "audit_events") == before
    # A moderator named by A can moderate.
    named = await client.post(
        f"/v1/communities/{forum['community']}/members",
        json={"kind": "person", "ref": f"client:{world.b.client.client_id}", "role": "moderator"},
        headers=world.a.headers,
    )
    assert named.status_code == 201, named.text
    allowed = await client.post(
        f"/v1/posts/{forum['post']}/hide",
        json={"reason": "Off topic"},
        headers={**world.b.headers, "If-Match": '"1"'},
    )
    assert allowed.status_code == 200
    no_reason = await client.post(
        f"/v1/posts/{forum['post']}/hide",
        json={"reason": ""},
        headers={**world.b.headers, "If-Match": '"2"'},
    )
    assert no_reason.status_code == 422


async def test_lock_stops_posts_and_edits(
    client: httpx.AsyncClient, world: World, forum: dict[str, str]
) -> None:
    locked = await client.post(
        f"/v1/threads/{forum['thread']}/lock",
        json={"reason": "Answered"},
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    assert locked.status_code == 200
    assert locked.json()["locked_at"] is not None
    before = await h.count_rows(world, "community_posts")
    refused = await client.post(
        f"/v1/threads/{forum['thread']}/posts", json={"body": "late"}, headers=world.b.headers
    )
    assert refused.status_code == 409
    assert await h.count_rows(world, "community_posts") == before
    edit = await client.patch(
        f"/v1/posts/{forum['post']}",
        json={"body": "changed"},
        headers={**world.b.headers, "If-Match": '"1"'},
    )
    assert edit.status_code == 409


async def test_edits_keep_history_and_only_authors_edit(
    client: httpx.AsyncClient, world: World, forum: dict[str, str]
) -> None:
    other = await client.patch(
        f"/v1/posts/{forum['post']}",
        json={"body": "not mine"},
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    assert other.status_code == 403
    edited = await client.patch(
        f"/v1/posts/{forum['post']}",
        json={"body": "Thursday **afternoons** work for us"},
        headers={**world.b.headers, "If-Match": '"1"'},
    )
    assert edited.status_code == 200
    assert edited.json()["edited_at"] is not None
    assert "<strong>afternoons</strong>" in edited.json()["body_html"]
    history = await client.get(f"/v1/posts/{forum['post']}/edits", headers=world.a.headers)
    assert [(e["version"], e["body"]) for e in history.json()["items"]] == [
        (1, "Thursday works for us")
    ]
    thread = await client.patch(
        f"/v1/threads/{forum['thread']}",
        json={"title": "Keeping TAC slots free"},
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    assert thread.status_code == 200
    thread_history = await client.get(
        f"/v1/threads/{forum['thread']}/edits", headers=world.b.headers
    )
    assert thread_history.json()["items"][0]["title"] == "How do you keep TAC slots free?"


async def test_replies_and_links(
    client: httpx.AsyncClient, world: World, forum: dict[str, str]
) -> None:
    reply = await h.post(
        client,
        f"/v1/threads/{forum['thread']}/posts",
        world.a,
        {"body": "Which day?", "parent_id": forum["post"]},
    )
    assert reply["parent_id"] == forum["post"]
    other_thread = await h.thread(client, world, forum["community"])
    wrong_parent = await client.post(
        f"/v1/threads/{other_thread['id']}/posts",
        json={"body": "x", "parent_id": forum["post"]},
        headers=world.a.headers,
    )
    assert wrong_parent.status_code == 422

    resource = await h.resource(client, world)
    mine = await create_cycle(world.state, world.a.organisation, world.programme)
    theirs = await create_cycle(world.state, world.c.organisation, world.other_programme)
    linked = await h.thread(
        client, world, forum["community"], resource_id=resource["id"], cycle_id=str(mine.id)
    )
    assert linked["cycle_id"] == str(mine.id)
    about = await client.get(
        "/v1/threads", params={"resource_id": resource["id"]}, headers=world.b.headers
    )
    assert [t["id"] for t in about.json()["items"]] == [linked["id"]]
    before = await h.count_rows(world, "community_threads")
    refused = await client.post(
        "/v1/threads",
        json={"community_id": forum["community"], "title": "x", "cycle_id": str(theirs.id)},
        headers=world.a.headers,
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["pointer"] == "/cycle_id"
    assert await h.count_rows(world, "community_threads") == before


async def test_outsiders_cannot_see_or_post_in_a_programme_community(
    client: httpx.AsyncClient, world: World, forum: dict[str, str]
) -> None:
    for headers in ({}, world.c.headers):
        assert (
            await client.get(f"/v1/threads/{forum['thread']}", headers=headers)
        ).status_code == 404
        listed = await client.get("/v1/threads", headers=headers)
        assert listed.json()["items"] == []
        assert (
            await client.get(f"/v1/communities/{forum['community']}", headers=headers)
        ).status_code == 404
    posted = await client.post(
        f"/v1/threads/{forum['thread']}/posts", json={"body": "hi"}, headers=world.c.headers
    )
    assert posted.status_code == 404
    started = await client.post(
        "/v1/threads",
        json={"community_id": forum["community"], "title": "x"},
        headers=world.c.headers,
    )
    assert started.status_code == 422


async def test_hidden_thread(
    client: httpx.AsyncClient, world: World, forum: dict[str, str]
) -> None:
    author = world.b
    thread = await h.thread(client, world, forum["community"], party=author, title="Spam")
    hidden = await client.post(
        f"/v1/threads/{thread['id']}/hide",
        json={"reason": "Spam"},
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    assert hidden.status_code == 200
    partner = await create_party(world.state, world.b.organisation)
    assert (
        await client.get(f"/v1/threads/{thread['id']}", headers=partner.headers)
    ).status_code == 404
    assert (
        await client.get(f"/v1/threads/{thread['id']}", headers=author.headers)
    ).status_code == 200
    assert (
        await client.get(f"/v1/threads/{thread['id']}", headers=world.a.headers)
    ).status_code == 200
