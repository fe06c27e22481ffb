"""Resources over REST: visibility for every kind of caller, drafts, archived, revisions and
the write conventions (ETag, If-Match, Idempotency-Key, 422 for unknown fields)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.community import helpers as h
from tests.factories import World


@pytest.fixture
async def library(client: httpx.AsyncClient, world: World) -> dict[str, str]:
    """One resource of A at each visibility, and a draft."""
    made = {}
    for visibility in ("public", "programme", "organisation"):
        body = await h.resource(client, world, visibility=visibility, title=f"{visibility} note")
        made[visibility] = body["id"]
    draft = await h.resource(client, world, visibility="public", status="draft", title="draft")
    made["draft"] = draft["id"]
    return made


async def visible_ids(client: httpx.AsyncClient, headers: dict[str, str]) -> set[str]:
    response = await client.get("/v1/resources", headers=headers)
    assert response.status_code == 200, response.text
    return {item["title"] for item in response.json()["items"]}


async def test_who_sees_what(
    client: httpx.AsyncClient, world: World, library: dict[str, str]
) -> None:
    assert await visible_ids(client, {}) == {"public note"}
    assert await visible_ids(client, world.c.headers) == {"public note"}
    assert await visible_ids(client, world.b.headers) == {"public note", "programme note"}
    assert await visible_ids(client, world.a.headers) == {
        "public note",
        "programme note",
        "organisation note",
        "draft",
    }
    expectations = {
        "public": {None: 200, "a": 200, "b": 200, "c": 200},
        "programme": {None: 404, "a": 200, "b": 200, "c": 404},
        "organisation": {None: 404, "a": 200, "b": 404, "c": 404},
        "draft": {None: 404, "a": 200, "b": 404, "c": 404},
    }
    for name, by_caller in expectations.items():
        for caller, status in by_caller.items():
            headers = {} if caller is None else getattr(world, caller).headers
            response = await client.get(f"/v1/resources/{library[name]}", headers=headers)
            assert response.status_code == status, (name, caller, response.text)
            if status == 404:
                assert response.headers["content-type"] == h.PROBLEM


async def test_drafts_need_content_write_of_the_owner(
    client: httpx.AsyncClient, world: World, library: dict[str, str]
) -> None:
    reader = await world.token(world.a, ["content:read"])
    response = await client.get(
        f"/v1/resources/{library['draft']}", headers={"Authorization": f"Bearer {reader}"}
    )
    assert response.status_code == 404


async def test_create_validates_and_changes_nothing_when_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    before = await h.count_rows(world, "community_resources")
    bad: list[tuple[dict[str, Any], str]] = [
        ({"links": [{"title": "x", "url": "javascript:alert(1)"}]}, "/links/0/url"),
        ({"links": [{"title": "x", "url": "data:text/html,hi"}]}, "/links/0/url"),
        ({"id": "01a00000-0000-7000-8000-000000000000"}, "/id"),
        ({"surprise": 1}, "/surprise"),
        ({"kind": "novel"}, "/kind"),
        ({"tags": ["Not A Tag!"]}, "/tags/0"),
        ({"programme_id": str(world.other_programme.id)}, "/programme_id"),
        ({"visibility": "programme", "programme_id": None}, "/visibility"),
    ]
    for fields, pointer in bad:
        body = {"kind": "faq", "title": "x", "visibility": "public", **fields}
        response = await client.post("/v1/resources", json=body, headers=world.a.headers)
        assert response.status_code == 422, (fields, response.text)
        assert response.headers["content-type"] == h.PROBLEM
        pointers = [e.get("pointer") for e in response.json()["errors"]]
        assert pointer in pointers, (fields, pointers)
    assert await h.count_rows(world, "community_resources") == before
    anonymous = await client.post("/v1/resources", json={"kind": "faq", "title": "x"})
    assert anonymous.status_code == 401


async def test_xss_in_body_title_and_links_is_inert(
    client: httpx.AsyncClient, world: World
) -> None:
    body = await h.resource(
        client,
        world,
        title='<script>alert("t")</script>',
        body="<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(2)>",
        links=[{"title": "<b onmouseover=alert(1)>NIRN</b>", "url": "https://nirn.example"}],
    )
    h.assert_inert(body["body_html"])
    assert "<script" not in body["body_html"]
    # Titles are plain text in JSON (the client escapes them); they are never rendered here.
    assert body["title"] == '<script>alert("t")</script>'


async def test_etag_if_match_and_revisions(client: httpx.AsyncClient, world: World) -> None:
    created = await h.resource(client, world, status="draft", body="First text")
    rid = created["id"]
    read = await client.get(f"/v1/resources/{rid}", headers=world.a.headers)
    assert read.headers["etag"] == '"1"'
    not_modified = await client.get(
        f"/v1/resources/{rid}", headers={**world.a.headers, "If-None-Match": '"1"'}
    )
    assert not_modified.status_code == 304

    missing = await client.patch(
        f"/v1/resources/{rid}", json={"body": "x"}, headers=world.a.headers
    )
    assert missing.status_code == 428
    changed = await client.patch(
        f"/v1/resources/{rid}",
        json={"body": "Second *text*", "status": "published"},
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"2"'
    assert changed.json()["body_html"] == "<p>Second <em>text</em></p>\n"
    assert changed.json()["published_at"] is not None
    stale = await client.patch(
        f"/v1/resources/{rid}", json={"title": "y"}, headers={**world.a.headers, "If-Match": '"1"'}
    )
    assert stale.status_code == 412

    revisions = await client.get(f"/v1/resources/{rid}/revisions", headers=world.a.headers)
    items = revisions.json()["items"]
    assert [r["number"] for r in items] == [1, 2]
    assert items[1]["changes"]["body"] == ["First text", "Second *text*"]
    assert items[1]["actor"] == f"client:{world.a.client.client_id}"
    first = await client.get(f"/v1/resources/{rid}/revisions/1", headers=world.a.headers)
    assert first.status_code == 200
    assert first.json()["resource"]["body"] == "First text"
    assert first.json()["resource"]["status"] == "draft"
    assert (
        await client.get(f"/v1/resources/{rid}/revisions/3", headers=world.a.headers)
    ).status_code == 404
    # Readers of the published resource do not get its history (it may hold drafts).
    assert (
        await client.get(f"/v1/resources/{rid}/revisions/1", headers=world.b.headers)
    ).status_code == 404
    # B sees it, but cannot change it.
    other = await client.patch(
        f"/v1/resources/{rid}", json={"title": "y"}, headers={**world.b.headers, "If-Match": '"2"'}
    )
    assert other.status_code == 404


async def test_archived_leaves_lists_but_stays_readable(
    client: httpx.AsyncClient, world: World
) -> None:
    rid = (await h.resource(client, world))["id"]
    archived = await client.patch(
        f"/v1/resources/{rid}",
        json={"status": "archived"},
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    assert archived.status_code == 200
    assert await visible_ids(client, {}) == set()
    assert (await client.get(f"/v1/resources/{rid}")).json()["status"] == "archived"
    listed = await client.get("/v1/resources", params={"status": "archived"})
    assert [i["id"] for i in listed.json()["items"]] == [rid]


async def test_idempotent_create(client: httpx.AsyncClient, world: World) -> None:
    body = {"kind": "tool", "title": "Hexagon tool", "visibility": "public"}
    headers = {**world.a.headers, "Idempotency-Key": "res-1"}
    first = await client.post("/v1/resources", json=body, headers=headers)
    again = await client.post("/v1/resources", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert await h.count_rows(world, "community_resources") == 1


async def test_filters_and_links_to_a_cycle(client: httpx.AsyncClient, world: World) -> None:
    from tests.factories import create_cycle

    mine = await create_cycle(world.state, world.a.organisation, world.programme)
    theirs = await create_cycle(world.state, world.c.organisation, world.other_programme)
    linked = await h.resource(
        client,
        world,
        kind="reflection",
        tags=["tac", "neglect"],
        audiences=["practitioners"],
        stage="installation",
        driver="coaching",
        cycle_id=str(mine.id),
    )
    await h.resource(client, world, kind="faq", tags=["other"])
    refused = await client.post(
        "/v1/resources",
        json={"kind": "faq", "title": "x", "visibility": "public", "cycle_id": str(theirs.id)},
        headers=world.a.headers,
    )
    assert refused.status_code == 422
    for params in (
        {"kind": "reflection"},
        {"tag": "tac"},
        {"audience": "practitioners"},
        {"stage": "installation"},
    ):
        response = await client.get("/v1/resources", params=params)
        assert [i["id"] for i in response.json()["items"]] == [linked["id"]], params


async def test_links_the_reader_cannot_open_are_not_shown(
    client: httpx.AsyncClient, world: World
) -> None:
    """A public resource in a programme's community, about A's private cycle: outsiders do
    not learn the community's, programme's or cycle's id; partners see what they may."""
    from tests.factories import create_cycle

    community = await h.community(client, world)
    cycle = await create_cycle(world.state, world.a.organisation, world.programme)
    resource = await h.resource(
        client, world, community_id=community["id"], cycle_id=str(cycle.id), title="Open FAQ"
    )
    expected = {
        None: (None, None, None),
        "c": (None, None, None),
        "b": (community["id"], str(world.programme.id), None),
        "a": (community["id"], str(world.programme.id), str(cycle.id)),
    }
    for caller, links in expected.items():
        headers = getattr(world, caller).headers if caller else {}
        one = (await client.get(f"/v1/resources/{resource['id']}", headers=headers)).json()
        assert (one["community_id"], one["programme_id"], one["cycle_id"]) == links, caller
        listed = (await client.get("/v1/resources", headers=headers)).json()["items"][0]
        assert listed["community_id"] == links[0], caller
        hit = (await client.get("/v1/search", params={"q": "open faq"}, headers=headers)).json()
        assert hit["items"][0]["community_id"] == links[0], caller
        assert str(cycle.id) not in str(hit)
