"""Stored outcomes of POST requests sent with an Idempotency-Key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, LargeBinary
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from domain.shared.ids import utcnow


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_keys"

    # Keys are per caller, so two partners can never collide or read each other's replies.
    owner: str = Field(primary_key=True, max_length=200)
    key: str = Field(primary_key=True, max_length=255)
    request_hash: str = Field(max_length=64)
    state: str = Field(max_length=16)  # in_flight | completed
    response_status: int | None = None
    response_headers: dict[str, Any] | None = Field(default=None, sa_type=JSONB)
    response_body: bytes | None = Field(default=None, sa_type=LargeBinary)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
