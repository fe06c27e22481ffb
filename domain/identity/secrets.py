"""Client secrets: made with `secrets`, stored as argon2 hashes, checked off the event loop."""

from __future__ import annotations

import asyncio
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Checked when the client id is unknown, so a miss costs the same time as a wrong secret.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(32))


def new_client_id() -> str:
    return "hub_" + secrets.token_urlsafe(12)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def _verify(stored_hash: str | None, secret: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, secret) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify_secret(stored_hash: str | None, secret: str) -> bool:
    # argon2 is deliberately slow (tens of ms): keep it off the event loop.
    return await asyncio.to_thread(_verify, stored_hash, secret)
