"""Alembic environment: async engine, the whole model metadata, PostgreSQL only."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from domain.shared.config import get_settings
from domain.shared.db import async_url
from domain.shared.metadata import metadata

config = context.config


def _url() -> str:
    url = config.attributes.get("database_url") or get_settings().database_url
    if not url:
        raise RuntimeError("Set DATABASE_URL (or run through `hub migrate`).")
    return async_url(str(url))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        compare_server_default=False,
    )
    with context.begin_transaction():
        # Several workers or containers may start at once: one migrates, the rest wait.
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7302611)")
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(_url(), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("Offline SQL generation is not supported; run against a database.")
asyncio.run(_run_async())
