from __future__ import annotations

import httpx

from tests.factories import World


async def test_health(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["migrations"] == "at head"


async def test_list_cycles(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get("/v1/cycles", headers=world.a.headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"items": [], "next_cursor": None}
