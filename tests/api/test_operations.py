"""Probes, and what callers see when the database is saturated."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from api.app import create_app
from api.state import AppState
from domain.shared.config import Settings
from tests.factories import World


@pytest.fixture
async def tiny_pool_client(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, AppState]]:
    small = settings.model_copy(
        update={"db_pool_size": 1, "db_max_overflow": 0, "db_pool_timeout_seconds": 0.3}
    )
    app = create_app(small)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://hub.test") as c:
            yield c, app.state.hub


async def test_an_exhausted_pool_answers_503_with_retry_after(
    world: World, tiny_pool_client: tuple[httpx.AsyncClient, AppState]
) -> None:
    client, state = tiny_pool_client
    await state.keys.ring()  # load the keys before the only connection is taken
    async with state.database.engine.connect() as held:
        await held.exec_driver_sql("SELECT 1")
        response = await asyncio.wait_for(
            client.get("/v1/cycles", headers=world.a.headers), timeout=10
        )
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("database_busy")
    after = await client.get("/v1/cycles", headers=world.a.headers)
    assert after.status_code == 200


async def test_readyz_reports_a_schema_behind_the_code(
    client: httpx.AsyncClient, app_state: AppState
) -> None:
    head = app_state.head_revision
    app_state.head_revision = "9999_not_applied"
    try:
        response = await client.get("/readyz")
    finally:
        app_state.head_revision = head
    assert response.status_code == 503
    assert response.json()["status"] == "not_ready"
    assert (await client.get("/readyz")).status_code == 200


async def test_graphql_reports_an_exhausted_pool_as_unavailable(
    world: World, tiny_pool_client: tuple[httpx.AsyncClient, AppState]
) -> None:
    client, state = tiny_pool_client
    await state.keys.ring()
    async with state.database.engine.connect() as held:
        await held.exec_driver_sql("SELECT 1")
        response = await client.post(
            "/graphql", json={"query": "{ cycles { edges { cursor } } }"}, headers=world.a.headers
        )
    # The caller is resolved before GraphQL runs: the whole request is refused with 503.
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"


async def test_graphql_logs_our_failures_not_the_callers_mistakes(
    client: httpx.AsyncClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        await client.post(
            "/graphql", json={"query": '{ cycle(id: "garbage") { id } }'}, headers=world.a.headers
        )
        await client.post("/graphql", json={"query": "{ nope }"}, headers=world.a.headers)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r for r in caplog.records if r.name == "api.graphql"]
