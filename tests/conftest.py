"""Test fixtures: a real PostgreSQL (TEST_DATABASE_URL or an embedded server), migrated once,
emptied between tests; the real app over ASGI; real signed tokens."""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from api.app import create_app
from api.state import AppState
from domain.shared import migrate
from domain.shared.config import Settings
from domain.shared.metadata import metadata
from tests.factories import World, build_world

KEEP_TABLES = {"signing_keys", "alembic_version"}


def _admin_and_test_urls(server_url: str) -> tuple[str, str, str]:
    url = make_url(server_url)
    name = f"hub_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    test = url.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    return admin, test, name


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    server_url = os.environ.get("TEST_DATABASE_URL")
    if server_url:
        admin, test, name = _admin_and_test_urls(server_url)
        asyncio.run(_execute(admin, f'CREATE DATABASE "{name}"'))
        try:
            migrate.upgrade(test)
            yield test
        finally:
            asyncio.run(_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        return
    from api.database_server import start_embedded

    with tempfile.TemporaryDirectory(prefix="hub-test-pg-") as data_dir:
        server, url = start_embedded(Path(data_dir), temporary=True)
        migrate.upgrade(url)
        yield url
        server.cleanup()


async def _execute(url: str, sql: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path_factory.mktemp("data"),
        key_encryption_key="test-key-encryption-key",
        token_issuer="https://hub.test",
        token_audience="implementation-hub",
        max_body_bytes=64 * 1024,
        db_pool_size=5,
        db_max_overflow=2,
        db_pool_timeout_seconds=2,
    )


@pytest.fixture(scope="session")
async def app_state(settings: Settings) -> AsyncIterator[AppState]:
    from domain.identity.keys import cipher_from_settings, ensure_signing_key

    app = create_app(settings)
    async with app.router.lifespan_context(app):
        state: AppState = app.state.hub
        async with state.database.sessionmaker() as session:
            await ensure_signing_key(session, cipher_from_settings(settings))
            await session.commit()
        state.app = app  # type: ignore[attr-defined]
        yield state


@pytest.fixture
async def client(app_state: AppState) -> AsyncIterator[httpx.AsyncClient]:
    app = app_state.app  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://hub.test") as c:
        yield c


@pytest.fixture(autouse=True)
async def _clean_tables(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    yield
    if "app_state" not in request.fixturenames:
        return
    state: AppState = request.getfixturevalue("app_state")
    async with state.database.engine.begin() as connection:
        # Only tables the migrations made: a model without its revision yet is caught by
        # tests/test_migrations.py, not by every other test failing here.
        result = await connection.exec_driver_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        )
        existing = {row[0] for row in result}
        tables = ", ".join(
            f'"{t.name}"'
            for t in metadata.sorted_tables
            if t.name in existing and t.name not in KEEP_TABLES
        )
        await connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture
async def world(app_state: AppState) -> World:
    return await build_world(app_state)


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, *args: Any) -> None:
        self.statements.append(str(args[2]))


@pytest.fixture
def count_statements(app_state: AppState) -> Iterator[StatementCounter]:
    from sqlalchemy import event

    counter = StatementCounter()
    engine = app_state.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine, "before_cursor_execute", counter)
