"""Submitting observations over REST: one, and batches."""

from __future__ import annotations

import httpx

from tests.factories import World
from tests.observations.helpers import PROBLEM, count_observations, general


async def test_submit_then_resend_then_conflict(client: httpx.AsyncClient, world: World) -> None:
    body = general(world)
    first = await client.post("/v1/observations", json=body, headers=world.a.headers)
    assert first.status_code == 201, first.text
    stored = first.json()
    assert stored["id"] == body["id"]
    assert stored["created_by"].startswith("client:")
    assert first.headers["ETag"] == '"1"'

    again = await client.post("/v1/observations", json=body, headers=world.a.headers)
    assert again.status_code == 200
    assert again.json() == stored

    other = await client.post(
        "/v1/observations", json={**body, "text": "Something else"}, headers=world.a.headers
    )
    assert other.status_code == 409
    assert other.headers["content-type"] == PROBLEM
    assert await count_observations(world) == 1
