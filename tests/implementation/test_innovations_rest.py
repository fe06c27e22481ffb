"""Innovations and practice profiles over REST."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from domain.implementation.models import CoreComponent
from tests.factories import World
from tests.implementation.factories import COMPONENTS, make_innovation, make_profile


def innovation_body(world: World, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "programme_id": str(world.programme.id),
        "name": "School buddy practice",
        "philosophy": "Every child has someone to turn to at school",
        "inclusion_criteria": "P5 to P7 pupils",
        "visibility": "programme",
    }
    body.update(fields)
    return body


async def test_create_read_update_innovation(client: httpx.AsyncClient, world: World) -> None:
    created = await client.post(
        "/v1/innovations", json=innovation_body(world), headers=world.a.headers
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["etag"] == '"1"'
    assert body["organisation_id"] == str(world.a.organisation.id)

    # A programme partner reads it; the outsider gets 404 and does not see it listed.
    assert (
        await client.get(f"/v1/innovations/{body['id']}", headers=world.b.headers)
    ).status_code == 200
    hidden = await client.get(f"/v1/innovations/{body['id']}", headers=world.c.headers)
    assert hidden.status_code == 404
    listed = await client.get("/v1/innovations", headers=world.c.headers)
    assert listed.json()["items"] == []

    no_match = await client.patch(
        f"/v1/innovations/{body['id']}", json={"name": "Buddies"}, headers=world.a.headers
    )
    assert no_match.status_code == 428
    changed = await client.patch(
        f"/v1/innovations/{body['id']}",
        json={"name": "Buddies"},
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "Buddies"
    # The partner can read but not change it.
    partner = await client.patch(
        f"/v1/innovations/{body['id']}",
        json={"name": "Mine"},
        headers={**world.b.headers, "If-Match": '"2"'},
    )
    assert partner.status_code == 404


async def test_unknown_and_server_owned_fields_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        "/v1/innovations",
        json=innovation_body(world, organisation_id=str(world.b.organisation.id), colour="red"),
        headers=world.a.headers,
    )
    assert response.status_code == 422
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert {"/organisation_id", "/colour"} <= pointers


async def test_profile_versions_draft_publish_and_immutable(
    client: httpx.AsyncClient, world: World
) -> None:
    innovation = await make_innovation(world)
    created = await client.post(
        f"/v1/innovations/{innovation.id}/profile-versions",
        json={"components": COMPONENTS[:2], "notes": "first"},
        headers=world.a.headers,
    )
    assert created.status_code == 201, created.text
    draft = created.json()
    assert draft["status"] == "draft"
    assert draft["version_number"] == 1
    assert [c["key"] for c in draft["components"]] == ["meet-within-ten-days", "family-voice"]

    # A second draft while one is open is a conflict.
    again = await client.post(
        f"/v1/innovations/{innovation.id}/profile-versions", json={}, headers=world.a.headers
    )
    assert again.status_code == 409

    edited = await client.patch(
        f"/v1/profile-versions/{draft['id']}",
        json={"components": COMPONENTS},
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    assert edited.status_code == 200, edited.text
    assert len(edited.json()["components"]) == 3
    published = await client.post(
        f"/v1/profile-versions/{draft['id']}/publish",
        headers={**world.a.headers, "If-Match": '"2"'},
    )
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    assert published.json()["published_at"] is not None

    async with world.state.database.sessionmaker() as session:
        before = await session.scalar(select(func.count()).select_from(CoreComponent))
    refused = await client.patch(
        f"/v1/profile-versions/{draft['id']}",
        json={"notes": "changed", "components": COMPONENTS[:1]},
        headers={**world.a.headers, "If-Match": '"3"'},
    )
    assert refused.status_code == 409
    assert "never changes" in refused.json()["detail"]
    again_publish = await client.post(
        f"/v1/profile-versions/{draft['id']}/publish",
        headers={**world.a.headers, "If-Match": '"3"'},
    )
    assert again_publish.status_code == 409
    async with world.state.database.sessionmaker() as session:
        after = await session.scalar(select(func.count()).select_from(CoreComponent))
    assert before == after

    # The next version starts as a copy; the published one reads as it was.
    second = await client.post(
        f"/v1/innovations/{innovation.id}/profile-versions", json={}, headers=world.a.headers
    )
    assert second.status_code == 201
    assert second.json()["version_number"] == 2
    assert [c["key"] for c in second.json()["components"]] == [c["key"] for c in COMPONENTS]
    await client.patch(
        f"/v1/profile-versions/{second.json()['id']}",
        json={"components": COMPONENTS[:1]},
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    first = await client.get(f"/v1/profile-versions/{draft['id']}", headers=world.b.headers)
    assert len(first.json()["components"]) == 3
    versions = await client.get(
        f"/v1/innovations/{innovation.id}/profile-versions", headers=world.a.headers
    )
    assert [v["version_number"] for v in versions.json()] == [2, 1]


async def test_publishing_needs_a_component(client: httpx.AsyncClient, world: World) -> None:
    innovation = await make_innovation(world)
    draft = await client.post(
        f"/v1/innovations/{innovation.id}/profile-versions",
        json={"components": []},
        headers=world.a.headers,
    )
    response = await client.post(
        f"/v1/profile-versions/{draft.json()['id']}/publish",
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/components"


async def test_private_profile_hidden_from_partner(client: httpx.AsyncClient, world: World) -> None:
    innovation = await make_innovation(world, visibility="private")
    view = await make_profile(world, innovation)
    assert (
        await client.get(f"/v1/profile-versions/{view.profile.id}", headers=world.b.headers)
    ).status_code == 404
    assert (
        await client.get(f"/v1/profile-versions/{view.profile.id}", headers=world.a.headers)
    ).status_code == 200
