"""Signing keys: encrypted at rest, rotated without breaking tokens already issued."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import select

from api.state import AppState
from domain.identity import tokens
from domain.identity.keys import (
    KeyCipher,
    KeyStore,
    cipher_from_settings,
    retire,
    retirement_grace,
    rotate,
)
from domain.identity.models import SigningKey
from domain.shared.config import Settings


async def test_private_keys_are_encrypted_at_rest(app_state: AppState, settings: Settings) -> None:
    async with app_state.database.sessionmaker() as session:
        key = (await session.scalars(select(SigningKey))).first()
    assert key is not None
    assert b'"d"' not in key.private_jwk_encrypted
    assert "d" not in key.public_jwk
    assert "d" in cipher_from_settings(settings).decrypt(key.private_jwk_encrypted)
    with pytest.raises(RuntimeError, match="HUB_KEY_ENCRYPTION_KEY"):
        KeyCipher("some other key").decrypt(key.private_jwk_encrypted)


async def test_rotation_signs_with_the_new_key_and_still_verifies_the_old(
    app_state: AppState, settings: Settings
) -> None:
    cipher = cipher_from_settings(settings)
    store = KeyStore(app_state.database.sessionmaker, cipher)
    before = await store.ring()
    issue: dict[str, Any] = {
        "issuer": "https://hub.test",
        "audience": "hub",
        "subject": "client:x",
        "client_id": "x",
        "organisation_id": uuid4(),
        "scopes": [],
        "ttl_seconds": 60,
    }
    old_token = tokens.issue(before.signing, **issue)
    async with app_state.database.sessionmaker() as session:
        new_key = await rotate(session, cipher, retirement_grace(900))
        await session.commit()
    try:
        # A token naming a kid the cache does not know makes the store reload.
        after = await KeyStore(app_state.database.sessionmaker, cipher).ring()
        assert after.signing.kid == new_key.kid
        new_token = tokens.issue(after.signing, **issue)
        for token in (old_token, new_token):
            claims = tokens.verify(
                token, after.verifying, issuer="https://hub.test", audience="hub"
            )
            assert claims.client_id == "x"
    finally:
        async with app_state.database.sessionmaker() as session:
            assert await retire(session, new_key.kid)
            await session.commit()
