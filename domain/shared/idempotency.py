"""Idempotency keys for POST: claim a key, then store the outcome or release the claim.

The claim is its own short transaction, so a second request with the same key sees it at
once (and gets 409) instead of waiting on the first request's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from domain.shared.errors import Conflict, DomainError
from domain.shared.idempotency_models import IdempotencyRecord
from domain.shared.ids import utcnow

KEY_MAX = 255


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    title = "Idempotency key reused with a different request"


@dataclass(frozen=True)
class StoredOutcome:
    status: int
    headers: dict[str, Any]
    body: bytes


async def claim(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    owner: str,
    key: str,
    request_hash: str,
    ttl_seconds: int,
) -> StoredOutcome | None:
    """None when the key is new and now ours; the stored outcome when it is a replay."""
    now = utcnow()
    async with sessionmaker() as session:
        # Forget this caller's expired keys (this one included), so the table stays the size
        # of one day's traffic without a sweeper.
        await session.execute(
            delete(IdempotencyRecord).where(
                col(IdempotencyRecord.owner) == owner,
                col(IdempotencyRecord.expires_at) < now,
            )
        )
        inserted = await session.scalar(
            insert(IdempotencyRecord)
            .values(
                owner=owner,
                key=key,
                request_hash=request_hash,
                state="in_flight",
                created_at=now,
                expires_at=now + timedelta(seconds=ttl_seconds),
            )
            .on_conflict_do_nothing()
            .returning(col(IdempotencyRecord.key))
        )
        record = None if inserted else await session.get(IdempotencyRecord, (owner, key))
        await session.commit()
    if inserted:
        return None
    if record is None:  # released between our insert and read: the caller may retry
        raise Conflict("A request with this Idempotency-Key just finished; retry it.")
    if record.request_hash != request_hash:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used with a different request; use a new key."
        )
    if record.state != "completed" or record.response_status is None:
        raise Conflict("A request with this Idempotency-Key is still in progress.")
    return StoredOutcome(
        status=record.response_status,
        headers=record.response_headers or {},
        body=record.response_body or b"",
    )


async def complete(
    sessionmaker: async_sessionmaker[AsyncSession], *, owner: str, key: str, outcome: StoredOutcome
) -> None:
    async with sessionmaker() as session:
        await session.execute(
            update(IdempotencyRecord)
            .where(col(IdempotencyRecord.owner) == owner, col(IdempotencyRecord.key) == key)
            .values(
                state="completed",
                response_status=outcome.status,
                response_headers=outcome.headers,
                response_body=outcome.body,
            )
        )
        await session.commit()


async def release(sessionmaker: async_sessionmaker[AsyncSession], *, owner: str, key: str) -> None:
    """A request that failed leaves no trace, so the client may retry with the same key."""
    async with sessionmaker() as session:
        await session.execute(
            delete(IdempotencyRecord).where(
                col(IdempotencyRecord.owner) == owner,
                col(IdempotencyRecord.key) == key,
                col(IdempotencyRecord.state) == "in_flight",
            )
        )
        await session.commit()
