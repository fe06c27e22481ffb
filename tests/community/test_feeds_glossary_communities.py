"""The Atom feed (public, published resources only; markup stays text), the glossary
(public by default, seeded terms kept by platform administrators) and communities (open or
programme, members and moderators managed by owners and moderators)."""

from __future__ import annotations

from xml.etree import ElementTree

import httpx

from domain.community import glossary
from domain.shared.uow import UnitOfWork
from tests.community import helpers as h
from tests.factories import World, create_platform_admin

ATOM = "{http://www.w3.org/2005/Atom}"


async def test_atom_feed_has_public_published_resources_only(
    client: httpx.AsyncClient, world: World
) -> None:
    await h.resource(
        client,
        world,
        title="<script>alert(1)</script> Open",
        body="Hello <img src=x onerror=alert(1)> [x](javascript:alert(1))",
    )
    await h.resource(client, world, title="Programme only", visibility="programme")
    await h.resource(client, world, title="Draft", status="draft")
    archived = await h.resource(client, world, title="Archived")
    await client.patch(
        f"/v1/resources/{archived['id']}",
        json={"status": "archived"},
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    # Whoever asks, the feed is the public one.
    for headers in ({}, world.a.headers):
        response = await client.get("/v1/feeds/resources.atom", headers=headers)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/atom+xml")
        feed = ElementTree.fromstring(response.content)
        entries = feed.findall(f"{ATOM}entry")
        assert [e.findtext(f"{ATOM}title") for e in entries] == ["<script>alert(1)</script> Open"]
        # Escaped in the XML, so a reader shows it as text.
        assert b"&lt;script&gt;alert(1)&lt;/script&gt; Open" in response.content
        content = entries[0].findtext(f"{ATOM}content") or ""
        # A refused link stays visible as text; no element carries it.
        h.assert_inert(content)
        assert 'href="javascript' not in content


async def test_glossary_terms(client: httpx.AsyncClient, world: World) -> None:
    async with UnitOfWork(world.state.database.sessionmaker) as uow:
        added = await glossary.seed_glossary(uow)
    async with UnitOfWork(world.state.database.sessionmaker) as uow:
        assert await glossary.seed_glossary(uow) == 0  # idempotent
    listed = (await client.get("/v1/glossary", params={"limit": 200})).json()["items"]
    assert len(listed) == added
    assert [t["slug"] for t in listed] == sorted(t["slug"] for t in listed)
    fidelity = (await client.get("/v1/glossary/fidelity")).json()
    assert "practice-profile" in fidelity["related"]
    assert fidelity["definition_html"].startswith("<p>")

    local = await h.post(
        client,
        "/v1/glossary",
        world.a,
        {
            "term": "Named person",
            "definition": "The professional a family can go to first.",
            "aliases": ["NP"],
            "visibility": "programme",
            "programme_id": str(world.programme.id),
        },
    )
    assert local["slug"] == "named-person"
    assert (await client.get("/v1/glossary/named-person")).status_code == 404
    assert (
        await client.get("/v1/glossary/named-person", headers=world.c.headers)
    ).status_code == 404
    assert (
        await client.get("/v1/glossary/named-person", headers=world.b.headers)
    ).status_code == 200
    duplicate = await client.post(
        "/v1/glossary", json={"term": "Named Person!", "definition": "x"}, headers=world.a.headers
    )
    assert duplicate.status_code == 409

    # The seeded vocabulary belongs to no organisation: only platform administrators edit it.
    refused = await client.patch(
        f"/v1/glossary/{fidelity['id']}",
        json={"definition": "changed"},
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    assert refused.status_code == 404
    admin = await create_platform_admin(world.state)
    changed = await client.patch(
        f"/v1/glossary/{fidelity['id']}",
        json={"aliases": ["adherence", "fidelity assessment", "integrity"]},
        headers={**admin.headers, "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    found = (await client.get("/v1/glossary", params={"q": "integrity"})).json()["items"]
    assert found[0]["slug"] == "fidelity"


async def test_communities_open_and_programme(client: httpx.AsyncClient, world: World) -> None:
    programme = await h.community(client, world)
    open_one = await h.community(client, world, name="Open", visibility="public", programme_id=None)
    anonymous = (await client.get("/v1/communities")).json()["items"]
    assert [c["id"] for c in anonymous] == [open_one["id"]]
    partner = (await client.get("/v1/communities", headers=world.b.headers)).json()["items"]
    assert {c["id"] for c in partner} == {open_one["id"], programme["id"]}
    assert (
        await client.get(f"/v1/communities/{programme['id']}", headers=world.c.headers)
    ).status_code == 404

    refused = await client.post(
        "/v1/communities",
        json={"name": "x", "visibility": "programme", "programme_id": None},
        headers=world.a.headers,
    )
    assert refused.status_code == 422
    foreign = await client.post(
        "/v1/communities",
        json={"name": "x", "programme_id": str(world.other_programme.id)},
        headers=world.a.headers,
    )
    assert foreign.status_code == 422

    members = (
        await client.get(f"/v1/communities/{programme['id']}/members", headers=world.b.headers)
    ).json()["items"]
    assert [(m["kind"], m["role"]) for m in members] == [("person", "moderator")]
    added = await client.post(
        f"/v1/communities/{programme['id']}/members",
        json={"kind": "organisation", "ref": str(world.b.organisation.id)},
        headers=world.a.headers,
    )
    assert added.status_code == 201
    again = await client.post(
        f"/v1/communities/{programme['id']}/members",
        json={"kind": "organisation", "ref": str(world.b.organisation.id)},
        headers=world.a.headers,
    )
    assert again.status_code == 409
    by_partner = await client.post(
        f"/v1/communities/{programme['id']}/members",
        json={"kind": "person", "ref": "person:someone"},
        headers=world.b.headers,
    )
    assert by_partner.status_code == 403
    removed = await client.delete(
        f"/v1/communities/{programme['id']}/members/{added.json()['id']}",
        headers=world.a.headers,
    )
    assert removed.status_code == 204

    renamed = await client.patch(
        f"/v1/communities/{programme['id']}",
        json={"name": "ANEW practitioners", "description": "Now with *emphasis*"},
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    assert renamed.status_code == 200
    assert renamed.json()["description_html"] == "<p>Now with <em>emphasis</em></p>\n"
    not_owner = await client.patch(
        f"/v1/communities/{programme['id']}",
        json={"name": "x"},
        headers={**world.b.headers, "If-Match": '"2"'},
    )
    assert not_owner.status_code == 404
    audit = await h.count_rows(world, "audit_events")
    assert audit >= 5
