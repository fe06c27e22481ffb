"""After a rotation the previous key verifies the tokens it signed until they have expired,
and then it is retired: gone from the JWKS, refused at the API, marked in the table."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import delete, select
from sqlmodel import col

from api.state import AppState
from domain.identity import tokens
from domain.identity.keys import (
    cipher_from_settings,
    new_signing_key,
    retirement_grace,
    rotate,
)
from domain.identity.models import SigningKey
from domain.shared.config import Settings
from domain.shared.ids import utcnow
from tests.factories import World, mint_token


@pytest.fixture
async def superseded_keys(app_state: AppState, settings: Settings) -> AsyncIterator[list[str]]:
    """Two keys older than the one signing now: `long_ago` was superseded two hours ago
    (by `recent`), `recent` only when the current key was made."""
    cipher = cipher_from_settings(settings)
    long_ago, recent = new_signing_key(cipher), new_signing_key(cipher)
    long_ago.created_at = utcnow() - timedelta(hours=3)
    recent.created_at = utcnow() - timedelta(hours=2)
    async with app_state.database.sessionmaker() as session:
        session.add_all([long_ago, recent])
        await session.commit()
    app_state.keys.forget()
    yield [long_ago.kid, recent.kid]
    async with app_state.database.sessionmaker() as session:
        await session.execute(
            delete(SigningKey).where(col(SigningKey.kid).in_([long_ago.kid, recent.kid]))
        )
        await session.commit()
    app_state.keys.forget()


async def _token_signed_by(app_state: AppState, settings: Settings, kid: str, world: World) -> str:
    async with app_state.database.sessionmaker() as session:
        row = await session.get(SigningKey, kid)
    assert row is not None
    from joserfc.jwk import ECKey

    key = ECKey.import_key(cipher_from_settings(settings).decrypt(row.private_jwk_encrypted))
    return tokens.issue(
        key,
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        subject=f"client:{world.a.client.client_id}",
        client_id=world.a.client.client_id,
        organisation_id=world.a.organisation.id,
        scopes=["cycles:read"],
        ttl_seconds=600,
    )


async def test_a_superseded_key_verifies_until_its_tokens_expire_then_not(
    client: httpx.AsyncClient,
    app_state: AppState,
    settings: Settings,
    world: World,
    superseded_keys: list[str],
) -> None:
    long_ago, recent = superseded_keys
    published = {k["kid"] for k in (await client.get("/.well-known/jwks.json")).json()["keys"]}
    assert recent in published  # its tokens may still be alive
    assert long_ago not in published  # every token it signed expired long ago

    still_valid = await _token_signed_by(app_state, settings, recent, world)
    response = await client.get("/v1/cycles", headers={"Authorization": f"Bearer {still_valid}"})
    assert response.status_code == 200, response.text

    too_old = await _token_signed_by(app_state, settings, long_ago, world)
    response = await client.get("/v1/cycles", headers={"Authorization": f"Bearer {too_old}"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"

    # Tokens from the key signing now are unaffected.
    current = await mint_token(app_state, world.a.client, ["cycles:read"])
    response = await client.get("/v1/cycles", headers={"Authorization": f"Bearer {current}"})
    assert response.status_code == 200


async def test_rotation_marks_keys_past_their_grace_as_retired(
    app_state: AppState, settings: Settings, superseded_keys: list[str]
) -> None:
    long_ago, recent = superseded_keys
    grace = retirement_grace(settings.access_token_ttl_seconds)
    async with app_state.database.sessionmaker() as session:
        new_key = await rotate(session, cipher_from_settings(settings), grace)
        await session.commit()
    try:
        async with app_state.database.sessionmaker() as session:
            retired = dict(
                (
                    await session.execute(
                        select(col(SigningKey.kid), col(SigningKey.retired_at)).where(
                            col(SigningKey.kid).in_([long_ago, recent])
                        )
                    )
                ).all()
            )
        assert retired[long_ago] is not None
        # `recent` was superseded by the key made when the suite started, within the grace.
        assert retired[recent] is None
        app_state.keys.forget()
        ring = await app_state.keys.ring()
        assert ring.signing.kid == new_key.kid
    finally:
        async with app_state.database.sessionmaker() as session:
            await session.execute(delete(SigningKey).where(col(SigningKey.kid) == new_key.kid))
            await session.commit()
        app_state.keys.forget()
