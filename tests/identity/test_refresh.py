"""Refresh tokens: rotation, replay revoking the family, the absolute cap, revocation."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
from sqlalchemy import select, update
from sqlmodel import col

from domain.identity.models import OAuthClient, RefreshFamily, RefreshToken, User
from domain.shared.ids import utcnow
from tests.factories import TEST_SECRET, World
from tests.identity.factories import (
    authorize_params,
    bearer,
    create_app_client,
    create_user,
    exchange,
    pkce_pair,
    refresh,
    sign_in,
)


async def _signed_in(
    client: httpx.AsyncClient, world: World, app: OAuthClient | None = None
) -> tuple[OAuthClient, dict[str, str]]:
    app = app or await create_app_client(world.state, world.a.organisation)
    await create_user(world.state, world.a.organisation, "ann@dundee.example")
    verifier, challenge = pkce_pair()
    flow = await sign_in(client, authorize_params(app, challenge), email="ann@dundee.example")
    response = await exchange(client, app, flow.code, verifier)
    assert response.status_code == 200, response.text
    body: dict[str, str] = response.json()
    return app, body


async def test_each_refresh_rotates(client: httpx.AsyncClient, world: World) -> None:
    app, first = await _signed_in(client, world)
    second = await refresh(client, app, first["refresh_token"])
    assert second.status_code == 200, second.text
    assert second.headers["cache-control"] == "no-store"
    body = second.json()
    assert body["refresh_token"] != first["refresh_token"]
    assert body["access_token"] != first["access_token"]
    assert body["scope"] == "cycles:read"
    assert body["expires_in"] == world.state.settings.access_token_ttl_seconds
    third = await refresh(client, app, body["refresh_token"])
    assert third.status_code == 200
    assert (
        await client.get("/v1/cycles", headers=bearer(third.json()["access_token"]))
    ).status_code == 200


async def test_reused_refresh_token_revokes_the_family(
    client: httpx.AsyncClient, world: World
) -> None:
    app, first = await _signed_in(client, world)
    second = (await refresh(client, app, first["refresh_token"])).json()

    # The old token again: an attacker (or the app) replays it.
    replay = await refresh(client, app, first["refresh_token"])
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    # The whole family is gone: the newest refresh token and every access token it issued.
    assert (await refresh(client, app, second["refresh_token"])).status_code == 400
    for access in (first["access_token"], second["access_token"]):
        assert (await client.get("/v1/cycles", headers=bearer(access))).status_code == 401
    async with world.state.database.sessionmaker() as session:
        family = (await session.scalars(select(RefreshFamily))).one()
    assert family.revoked_reason == "refresh_token_reused"


async def test_family_has_an_absolute_cap(client: httpx.AsyncClient, world: World) -> None:
    app, first = await _signed_in(client, world)
    async with world.state.database.sessionmaker() as session:
        family = (await session.scalars(select(RefreshFamily))).one()
        token = (await session.scalars(select(RefreshToken))).one()
    cap = timedelta(seconds=world.state.settings.refresh_family_max_seconds)
    assert family.expires_at - family.created_at == cap
    ttl = timedelta(seconds=world.state.settings.refresh_token_ttl_seconds)
    assert token.expires_at - token.created_at == ttl
    # Near the cap, a new refresh token lives only until the family ends.
    near_end = utcnow() + timedelta(hours=2)
    async with world.state.database.sessionmaker() as session:
        await session.execute(update(RefreshFamily).values(expires_at=near_end))
        await session.commit()
    second = await refresh(client, app, first["refresh_token"])
    assert second.status_code == 200
    async with world.state.database.sessionmaker() as session:
        newest = (
            await session.scalars(
                select(RefreshToken).order_by(col(RefreshToken.created_at).desc()).limit(1)
            )
        ).one()
    assert newest.expires_at == near_end
    # Past the cap, however fresh the token, the family is over.
    async with world.state.database.sessionmaker() as session:
        await session.execute(
            update(RefreshFamily).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()
    over = await refresh(client, app, second.json()["refresh_token"])
    assert over.status_code == 400
    assert over.json()["error"] == "invalid_grant"


async def test_refresh_token_is_bound_to_its_client(
    client: httpx.AsyncClient, world: World
) -> None:
    app, first = await _signed_in(client, world)
    other = await create_app_client(world.state, world.a.organisation)
    stolen = await refresh(client, other, first["refresh_token"])
    assert stolen.json()["error"] == "invalid_grant"
    # ... and the attempt did not use it up.
    assert (await refresh(client, app, first["refresh_token"])).status_code == 200


async def test_client_without_refresh_grant_gets_no_refresh_token(
    client: httpx.AsyncClient, world: World
) -> None:
    app = await create_app_client(
        world.state, world.a.organisation, grant_types=["authorization_code"]
    )
    _, body = await _signed_in(client, world, app)
    assert "refresh_token" not in body


async def test_disabled_user_cannot_refresh(client: httpx.AsyncClient, world: World) -> None:
    app, first = await _signed_in(client, world)
    async with world.state.database.sessionmaker() as session:
        await session.execute(update(User).values(disabled_at=utcnow()))
        await session.commit()
    refused = await refresh(client, app, first["refresh_token"])
    assert refused.json()["error"] == "invalid_grant"
    assert (
        await client.get("/v1/cycles", headers=bearer(first["access_token"]))
    ).status_code == 401


async def test_revoking_a_refresh_token_ends_its_family(
    client: httpx.AsyncClient, world: World
) -> None:
    app, first = await _signed_in(client, world)
    # A public client revokes with its client id alone (RFC 7009 2.1).
    response = await client.post(
        "/oauth/revoke",
        data={
            "token": first["refresh_token"],
            "token_type_hint": "refresh_token",
            "client_id": app.client_id,
        },
    )
    assert response.status_code == 200, response.text
    assert (await refresh(client, app, first["refresh_token"])).status_code == 400
    assert (
        await client.get("/v1/cycles", headers=bearer(first["access_token"]))
    ).status_code == 401


async def test_another_client_cannot_revoke_a_refresh_token(
    client: httpx.AsyncClient, world: World
) -> None:
    app, first = await _signed_in(client, world)
    other = await create_app_client(world.state, world.a.organisation)
    response = await client.post(
        "/oauth/revoke", data={"token": first["refresh_token"], "client_id": other.client_id}
    )
    assert response.status_code == 200  # says nothing...
    assert (await refresh(client, app, first["refresh_token"])).status_code == 200  # ...did nothing


async def test_two_refreshes_racing_with_one_token(client: httpx.AsyncClient, world: World) -> None:
    """The row lock orders them: one rotates, the other is a replay and ends the family.
    Never two live successors of one token."""
    app, first = await _signed_in(client, world)
    answers = await asyncio.gather(
        refresh(client, app, first["refresh_token"]), refresh(client, app, first["refresh_token"])
    )
    assert sorted(a.status_code for a in answers) == [200, 400]
    winner = next(a for a in answers if a.status_code == 200).json()
    assert (await refresh(client, app, winner["refresh_token"])).status_code == 400
    assert (
        await client.get("/v1/cycles", headers=bearer(winner["access_token"]))
    ).status_code == 401


async def test_a_refresh_may_narrow_but_not_widen(client: httpx.AsyncClient, world: World) -> None:
    app, first = await _signed_in(client, world)
    wider = await client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": first["refresh_token"],
            "client_id": app.client_id,
            "scope": "cycles:read cycles:write",
        },
    )
    assert wider.status_code == 400
    assert wider.json()["error"] == "invalid_scope"
    same = await client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": first["refresh_token"],
            "client_id": app.client_id,
            "scope": "cycles:read",
        },
    )
    assert same.status_code == 200
    assert same.json()["scope"] == "cycles:read"


async def test_introspecting_a_persons_token(client: httpx.AsyncClient, world: World) -> None:
    _, first = await _signed_in(client, world)
    own = await client.post(
        "/oauth/introspect",
        data={"token": first["access_token"]},
        auth=(world.a.client.client_id, TEST_SECRET),
    )
    body = own.json()
    assert body["active"] is True
    assert body["org"] == str(world.a.organisation.id)
    assert body["scope"] == "cycles:read"
    foreign = await client.post(
        "/oauth/introspect",
        data={"token": first["access_token"]},
        auth=(world.c.client.client_id, TEST_SECRET),
    )
    assert foreign.json() == {"active": False}
    # A refresh token is not an access token: inactive to introspection.
    opaque = await client.post(
        "/oauth/introspect",
        data={"token": first["refresh_token"]},
        auth=(world.a.client.client_id, TEST_SECRET),
    )
    assert opaque.json() == {"active": False}
