"""Readiness: the database answers and its schema is at the migrations' head."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from domain.shared.db import Database


async def readiness(database: Database, head: str) -> tuple[bool, dict[str, str]]:
    try:
        async with database.engine.connect() as connection:
            current = await connection.scalar(text("SELECT version_num FROM alembic_version"))
    except (SQLAlchemyError, OSError) as exc:
        return False, {"database": f"unreachable: {type(exc).__name__}"}
    if current != head:
        return False, {"database": "ok", "migrations": f"at {current}, head is {head}"}
    return True, {"database": "ok", "migrations": "at head"}
