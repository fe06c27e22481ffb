"""Signing keys: made, encrypted at rest, rotated, and published as a JWKS."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from cryptography.fernet import Fernet, InvalidToken
from joserfc.jwk import ECKey, KeySet
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from domain.identity.models import SigningKey
from domain.identity.tokens import ALGORITHM, LEEWAY_SECONDS
from domain.shared.config import Settings
from domain.shared.ids import utcnow


class KeyCipher:
    """Encrypts private JWKs with a key from configuration (any string; SHA-256 derives the
    Fernet key, so operators can use the secret format their vault gives them)."""

    def __init__(self, secret: str) -> None:
        digest = hashlib.sha256(secret.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def encrypt(self, private_jwk: dict[str, Any]) -> bytes:
        return self._fernet.encrypt(orjson.dumps(private_jwk))

    def decrypt(self, blob: bytes) -> dict[str, Any]:
        try:
            value: dict[str, Any] = orjson.loads(self._fernet.decrypt(blob))
        except InvalidToken as exc:
            raise RuntimeError(
                "A signing key cannot be decrypted: HUB_KEY_ENCRYPTION_KEY is not the key it was "
                "stored with."
            ) from exc
        return value


def new_signing_key(cipher: KeyCipher) -> SigningKey:
    kid = secrets.token_urlsafe(12)
    key = ECKey.generate_key("P-256", parameters={"kid": kid, "use": "sig", "alg": ALGORITHM})
    return SigningKey(
        kid=kid,
        alg=ALGORITHM,
        public_jwk=key.as_dict(private=False),
        private_jwk_encrypted=cipher.encrypt(key.as_dict(private=True)),
    )


async def ensure_signing_key(session: AsyncSession, cipher: KeyCipher) -> None:
    """Makes the first key on a new database. Caller commits."""
    current = await session.scalar(
        select(col(SigningKey.kid)).where(col(SigningKey.retired_at).is_(None))
    )
    if current is None:
        session.add(new_signing_key(cipher))


def retirement_grace(access_token_ttl_seconds: int, ring_ttl_seconds: float = 60.0) -> timedelta:
    """How long a superseded key keeps verifying: another process may sign with it until its
    cached ring goes stale, and each token it signed lives one access-token lifetime, plus
    the clock leeway tokens are checked with."""
    return timedelta(seconds=ring_ttl_seconds + access_token_ttl_seconds + LEEWAY_SECONDS)


def still_verifying(rows: list[SigningKey], now: datetime, grace: timedelta) -> list[SigningKey]:
    """Newest first. The newest key signs; each older key was superseded when the next newer
    one was made, and verifies until `grace` after that."""
    kept: list[SigningKey] = []
    for index, row in enumerate(rows):
        if index == 0 or rows[index - 1].created_at + grace > now:
            kept.append(row)
    return kept


async def rotate(session: AsyncSession, cipher: KeyCipher, grace: timedelta) -> SigningKey:
    """Adds a key that signs from now on. Older keys keep verifying until the tokens they
    signed have expired; those past that point are marked retired here, so the JWKS and the
    table say the same thing. Caller commits."""
    key = new_signing_key(cipher)
    rows = await _unretired(session)
    now = utcnow()
    kept = {row.kid for row in still_verifying(rows, now, grace)}
    for row in rows:
        if row.kid not in kept:
            row.retired_at = now
    session.add(key)
    return key


async def _unretired(session: AsyncSession) -> list[SigningKey]:
    return list(
        (
            await session.scalars(
                select(SigningKey)
                .where(col(SigningKey.retired_at).is_(None))
                .order_by(col(SigningKey.created_at).desc())
            )
        ).all()
    )


async def retire(session: AsyncSession, kid: str) -> bool:
    result = await session.execute(
        update(SigningKey)
        .where(col(SigningKey.kid) == kid, col(SigningKey.retired_at).is_(None))
        .values(retired_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class KeyRing:
    signing: ECKey
    verifying: KeySet
    loaded_at: float

    def public_jwks(self) -> dict[str, Any]:
        return dict(self.verifying.as_dict(private=False))


class KeyStore:
    """Caches the key ring per process; reloads after `ttl` seconds, or sooner (with a
    floor) when a token names a kid it does not know, so a rotation by another process is
    picked up without a restart."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        cipher: KeyCipher,
        ttl: float = 60.0,
        floor: float = 5.0,
        access_token_ttl_seconds: int = 900,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._cipher = cipher
        self._ttl = ttl
        self._grace = retirement_grace(access_token_ttl_seconds, ttl)
        self._floor = floor
        self._ring: KeyRing | None = None

    async def ring(self, *, wanted_kid: str | None = None) -> KeyRing:
        now = time.monotonic()
        ring = self._ring
        stale = ring is None or now - ring.loaded_at > self._ttl
        unknown = (
            ring is not None
            and wanted_kid is not None
            and not any(k.kid == wanted_kid for k in ring.verifying.keys)
            and now - ring.loaded_at > self._floor
        )
        if ring is None or stale or unknown:
            ring = await self._load()
            self._ring = ring
        return ring

    def forget(self) -> None:
        """Drops the cached ring; the next request reads the keys afresh."""
        self._ring = None

    async def _load(self) -> KeyRing:
        async with self._sessionmaker() as session:
            rows = still_verifying(await _unretired(session), utcnow(), self._grace)
        if not rows:
            raise RuntimeError("No signing key: run 'hub migrate' to create one.")
        signing = ECKey.import_key(self._cipher.decrypt(rows[0].private_jwk_encrypted))
        verifying = KeySet([ECKey.import_key(row.public_jwk) for row in rows])
        return KeyRing(signing=signing, verifying=verifying, loaded_at=time.monotonic())


def cipher_from_settings(settings: Settings) -> KeyCipher:
    """The configured key; in development, a key file made once in the data directory."""
    if settings.key_encryption_key is not None:
        return KeyCipher(settings.key_encryption_key.get_secret_value())
    if settings.environment == "production":
        raise RuntimeError("Set HUB_KEY_ENCRYPTION_KEY: signing keys are encrypted with it.")
    path = settings.data_dir / "key-encryption.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    return KeyCipher(path.read_text().strip())
