"""Identifiers and clocks. Ids are UUIDv7, made in Python (PostgreSQL 15 has no uuidv7())."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import uuid6


def new_id() -> UUID:
    # Time-ordered, so keyset pagination on id follows creation order.
    value: UUID = uuid6.uuid7()
    return UUID(bytes=value.bytes)


def utcnow() -> datetime:
    return datetime.now(UTC)
