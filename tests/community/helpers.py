"""Small helpers for community tests: make content over REST, as a caller would."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import httpx
from sqlalchemy import func, select

from domain.community.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from domain.shared.metadata import metadata
from tests.factories import Party, World

PROBLEM = "application/problem+json"


async def post(client: httpx.AsyncClient, path: str, party: Party, body: dict[str, Any]) -> Any:
    response = await client.post(path, json=body, headers=party.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def community(
    client: httpx.AsyncClient, world: World, party: Party | None = None, **fields: Any
) -> Any:
    body: dict[str, Any] = {
        "name": "ANEW community of practice",
        "description": "Quarterly sessions across the local areas",
        "programme_id": str(world.programme.id),
        "visibility": "programme",
    }
    body.update(fields)
    return await post(client, "/v1/communities", party or world.a, body)


async def resource(
    client: httpx.AsyncClient, world: World, party: Party | None = None, **fields: Any
) -> Any:
    body: dict[str, Any] = {
        "kind": "faq",
        "title": "What is a Team Around the Child meeting?",
        "summary": "A short answer for practitioners",
        "body": "A **meeting** of the people who support a child and family.",
        "programme_id": str(world.programme.id),
        "visibility": "public",
        "status": "published",
    }
    body.update(fields)
    return await post(client, "/v1/resources", party or world.a, body)


async def event(
    client: httpx.AsyncClient,
    world: World,
    community_id: str,
    party: Party | None = None,
    **fields: Any,
) -> Any:
    body: dict[str, Any] = {
        "community_id": community_id,
        "title": "Quarterly community of practice",
        "starts_at": "2030-03-05T10:00:00",
        "ends_at": "2030-03-05T12:30:00",
        "timezone": "Europe/London",
        "format": "hybrid",
        "status": "published",
    }
    body.update(fields)
    return await post(client, "/v1/events", party or world.a, body)


async def thread(
    client: httpx.AsyncClient,
    world: World,
    community_id: str,
    party: Party | None = None,
    **fields: Any,
) -> Any:
    body: dict[str, Any] = {
        "community_id": community_id,
        "title": "How do you keep TAC slots free?",
        "body": "We tried a standing Thursday slot.",
    }
    body.update(fields)
    return await post(client, "/v1/threads", party or world.a, body)


async def count_rows(world: World, table: str) -> int:
    async with world.state.database.sessionmaker() as session:
        return int(
            await session.scalar(select(func.count()).select_from(metadata.tables[table])) or 0
        )


class Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def assert_inert(html: str) -> None:
    """Only allowlisted elements and attributes, and links only to http, https or mailto:
    whatever else the input held is now text, which a browser shows and never runs."""
    parser = Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag in ALLOWED_TAGS, (tag, html)
        for name, value in attrs:
            allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}
            assert name in allowed, (tag, name, html)
            if name == "href":
                assert value is not None
                assert value.split(":", 1)[0].lower() in {"http", "https", "mailto"}, html
