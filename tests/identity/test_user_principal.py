"""A person's access token: its claims and the Principal the API builds from it."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import httpx
import orjson
import pytest
from joserfc import jwt
from sqlalchemy import delete, update

from domain.identity import service as identity
from domain.identity.errors import InvalidToken
from domain.identity.models import OAuthClient, User, UserRole
from domain.identity.roles import ROLE_PERMISSIONS, RoleName
from domain.identity.tokens import ALGORITHM
from domain.identity.users import RoleGrant, user_id_of
from domain.shared.ids import utcnow
from domain.shared.principal import Principal, PrincipalKind
from domain.shared.uow import UnitOfWork
from tests.api.test_oauth import claims_of
from tests.factories import World, create_cycle
from tests.identity.factories import (
    ALL_SCOPES_APP,
    authorize_params,
    bearer,
    create_app_client,
    create_user,
    exchange,
    pkce_pair,
    sign_in,
)


async def _token_for(
    client: httpx.AsyncClient, world: World, user: User, app: OAuthClient, scope: str
) -> str:
    verifier, challenge = pkce_pair()
    client.cookies.clear()
    flow = await sign_in(client, authorize_params(app, challenge, scope=scope), email=user.email)
    response = await exchange(client, app, flow.code, verifier)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


async def _principal(world: World, token: str) -> Principal:
    async with UnitOfWork(world.state.database.sessionmaker) as uow:
        return await identity.principal_for_token(
            uow, world.state.keys, world.state.settings, token
        )


async def test_user_token_claims_and_principal(client: httpx.AsyncClient, world: World) -> None:
    app = await create_app_client(world.state, world.a.organisation)
    user = await create_user(
        world.state,
        world.a.organisation,
        "lead@dundee.example",
        [RoleGrant("programme_lead", programme_id=world.programme.id), RoleGrant("viewer")],
    )
    token = await _token_for(client, world, user, app, "cycles:read cycles:write")
    header, claims = claims_of(token)
    assert header["typ"] == "at+jwt"
    assert claims["sub"] == str(user.id)
    assert claims["org"] == str(world.a.organisation.id)
    assert claims["client_id"] == app.client_id
    assert claims["exp"] - claims["iat"] == world.state.settings.access_token_ttl_seconds

    principal = await _principal(world, token)
    assert principal.kind is PrincipalKind.user
    assert principal.subject == f"user:{user.id}"
    assert user_id_of(principal) == user.id
    assert principal.organisation_id == world.a.organisation.id
    assert principal.client_id == app.client_id
    assert principal.roles == {"programme_lead", "viewer"}
    assert principal.programme_ids == {world.programme.id}
    assert principal.scopes == {"cycles:read", "cycles:write"}

    # The API serves them: a write in their organisation's programme.
    created = await client.post(
        "/v1/cycles",
        json={"title": "Buddy support", "programme_id": str(world.programme.id)},
        headers=bearer(token),
    )
    assert created.status_code == 201, created.text


async def test_disabled_user_loses_tokens_at_once(client: httpx.AsyncClient, world: World) -> None:
    app = await create_app_client(world.state, world.a.organisation)
    user = await create_user(world.state, world.a.organisation, "ann@dundee.example")
    token = await _token_for(client, world, user, app, "cycles:read")
    async with world.state.database.sessionmaker() as session:
        await session.execute(update(User).values(disabled_at=utcnow()))
        await session.commit()
    with pytest.raises(InvalidToken):
        await _principal(world, token)
    assert (await client.get("/v1/cycles", headers=bearer(token))).status_code == 401


async def test_locked_out_user_keeps_tokens(client: httpx.AsyncClient, world: World) -> None:
    """Anyone can lock an account by typing wrong passwords for its email; that must not
    sign the real person out of the apps they already use."""
    app = await create_app_client(world.state, world.a.organisation)
    user = await create_user(world.state, world.a.organisation, "ann@dundee.example")
    token = await _token_for(client, world, user, app, "cycles:read")
    async with world.state.database.sessionmaker() as session:
        await session.execute(update(User).values(locked_until=utcnow() + timedelta(hours=1)))
        await session.commit()
    assert (await _principal(world, token)).kind is PrincipalKind.user


async def test_disabled_client_or_moved_user_ends_the_token(
    client: httpx.AsyncClient, world: World
) -> None:
    app = await create_app_client(world.state, world.a.organisation)
    user = await create_user(world.state, world.a.organisation, "ann@dundee.example")
    token = await _token_for(client, world, user, app, "cycles:read")
    async with world.state.database.sessionmaker() as session:
        await session.execute(update(User).values(organisation_id=world.b.organisation.id))
        await session.commit()
    with pytest.raises(InvalidToken):
        await _principal(world, token)
    async with world.state.database.sessionmaker() as session:
        await session.execute(update(User).values(organisation_id=world.a.organisation.id))
        await session.execute(update(OAuthClient).values(disabled_at=utcnow()))
        await session.commit()
    with pytest.raises(InvalidToken):
        await _principal(world, token)


async def test_a_role_taken_away_takes_its_scopes(client: httpx.AsyncClient, world: World) -> None:
    app = await create_app_client(world.state, world.a.organisation)
    user = await create_user(world.state, world.a.organisation, "ann@dundee.example")
    token = await _token_for(client, world, user, app, "cycles:read cycles:write")
    assert (await _principal(world, token)).scopes == {"cycles:read", "cycles:write"}
    async with world.state.database.sessionmaker() as session:
        await session.execute(delete(UserRole))
        await session.commit()
    assert (await _principal(world, token)).scopes == set()


async def test_other_token_types_are_refused(client: httpx.AsyncClient, world: World) -> None:
    app = await create_app_client(world.state, world.a.organisation)
    user = await create_user(world.state, world.a.organisation, "ann@dundee.example")
    token = await _token_for(client, world, user, app, "cycles:read")
    _, claims = claims_of(token)
    ring = await world.state.keys.ring()
    for typ in ("JWT", "hub-consent+jwt", None):
        header = {"alg": ALGORITHM, "kid": ring.signing.kid}
        if typ:
            header["typ"] = typ
        forged = jwt.encode(header, claims, ring.signing, algorithms=[ALGORITHM])
        response = await client.get("/v1/cycles", headers=bearer(forged))
        assert response.status_code == 401, typ
    # A user id that is not one: refused, not a server error.
    bad = jwt.encode(
        {"alg": ALGORITHM, "typ": "at+jwt", "kid": ring.signing.kid},
        {**claims, "sub": "not-a-uuid"},
        ring.signing,
        algorithms=[ALGORITHM],
    )
    assert (await client.get("/v1/cycles", headers=bearer(bad))).status_code == 401
    assert orjson.dumps(claims)  # the original still works
    assert (await client.get("/v1/cycles", headers=bearer(token))).status_code == 200


@pytest.mark.parametrize("role", list(RoleName))
async def test_token_scopes_are_what_the_role_table_permits(
    client: httpx.AsyncClient, world: World, role: RoleName
) -> None:
    """requested ∩ client's scopes ∩ ROLE_PERMISSIONS[role].scopes, for every role."""
    client_scopes = [s for s in ALL_SCOPES_APP if s != "observations:write"]
    app = await create_app_client(world.state, world.a.organisation, scopes=client_scopes)
    user = await create_user(
        world.state, world.a.organisation, "p@dundee.example", [RoleGrant(role)]
    )
    requested = ["cycles:read", "cycles:write", "observations:write", "content:read", "admin"]
    permitted = {s.value for s in ROLE_PERMISSIONS[role].scopes}
    expected = set(requested) & set(client_scopes) & permitted
    verifier, challenge = pkce_pair()
    # Ask only for what the client may have (asking for more is invalid_scope).
    asked = [s for s in requested if s in client_scopes]
    flow = await sign_in(
        client, authorize_params(app, challenge, scope=" ".join(asked)), email=user.email
    )
    if not expected:
        assert flow.after_login.status_code == 303
        return
    response = await exchange(client, app, flow.code, verifier)
    assert set(response.json()["scope"].split()) == expected
    principal = await _principal(world, response.json()["access_token"])
    assert principal.scopes == expected
    assert UUID(principal.subject.removeprefix("user:")) == user.id


async def test_an_app_serves_people_of_every_organisation(
    client: httpx.AsyncClient, world: World
) -> None:
    """One field app (registered by one organisation) for a whole programme: a person's
    token speaks for the person's organisation and sees what it may see, not the app's."""
    app = await create_app_client(world.state, world.a.organisation)
    nurse = await create_user(world.state, world.b.organisation, "nurse@tayside.example")
    private_a = await create_cycle(world.state, world.a.organisation, world.programme)
    token = await _token_for(client, world, nurse, app, "cycles:read")
    principal = await _principal(world, token)
    assert principal.organisation_id == world.b.organisation.id
    assert claims_of(token)[1]["org"] == str(world.b.organisation.id)
    hidden = await client.get(f"/v1/cycles/{private_a.id}", headers=bearer(token))
    assert hidden.status_code == 404  # organisation A's private cycle


async def test_a_programme_role_reaches_that_programme_only(
    client: httpx.AsyncClient, world: World
) -> None:
    """A role held for one programme gives its scopes there, not in the organisation's other
    programmes; an organisation-wide role reaches them all."""
    from tests.factories import create_programme

    second = await create_programme(
        world.state, "Second", world.a.organisation, [world.a.organisation, world.b.organisation]
    )
    theirs = await create_cycle(world.state, world.b.organisation, second, visibility="programme")
    app = await create_app_client(world.state, world.a.organisation)
    narrow = await create_user(
        world.state,
        world.a.organisation,
        "team@dundee.example",
        [RoleGrant("team_member", programme_id=world.programme.id)],
    )
    wide = await create_user(
        world.state, world.a.organisation, "viewer@dundee.example", [RoleGrant("viewer")]
    )
    narrow_token = await _token_for(client, world, narrow, app, "cycles:read cycles:write")
    assert (await _principal(world, narrow_token)).programme_ids == {world.programme.id}
    wide_token = await _token_for(client, world, wide, app, "cycles:read")
    assert (await _principal(world, wide_token)).programme_ids == {world.programme.id, second.id}

    refused = await client.post(
        "/v1/cycles",
        json={"title": "Elsewhere", "programme_id": str(second.id)},
        headers=bearer(narrow_token),
    )
    assert refused.status_code in (404, 422), refused.text
    hidden = await client.get(f"/v1/cycles/{theirs.id}", headers=bearer(narrow_token))
    assert hidden.status_code == 404
