"""Federation end to end: a council's identity provider, served by a small ASGI app and
reached over httpx, signs tokens the hub accepts once a platform administrator trusts it;
tokens from anyone else, or outside what the registration allows, are refused."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from api.state import AppState
from domain.identity.federation import FederationKeys
from domain.identity.federation_models import TrustedIssuer
from tests.factories import Party, World, create_cycle, create_platform_admin

ISSUER = "https://idp.dundee.test"
AUDIENCE = "implementation-hub"


@dataclass
class IdentityProvider:
    """What a council's provider does that matters here: publish keys and sign tokens."""

    keys: list[RSAKey] = field(
        default_factory=lambda: [RSAKey.generate_key(2048, parameters={"kid": "k1"})]
    )
    fetches: int = 0

    def app(self) -> Starlette:
        async def jwks(request: Request) -> JSONResponse:
            self.fetches += 1
            return JSONResponse(KeySet(list(self.keys)).as_dict(private=False))

        return Starlette(routes=[Route("/jwks.json", jwks)])

    def token(self, key: RSAKey | None = None, **claims: Any) -> str:
        key = key or self.keys[0]
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "00u1234",
            "email": "aileen@dundeecity.test",
            "iat": now,
            "exp": now + 300,
            "scope": "cycles:read cycles:write",
        }
        body.update({k: v for k, v in claims.items() if v is not None})
        for name in [k for k, v in claims.items() if v is None]:
            body.pop(name, None)
        header = {"alg": "RS256", "typ": "at+jwt", "kid": key.kid}
        return jwt.encode(header, body, key)


@pytest.fixture
async def idp(app_state: AppState) -> AsyncIterator[IdentityProvider]:
    provider = IdentityProvider()
    transport = httpx.ASGITransport(app=provider.app())
    async with httpx.AsyncClient(transport=transport, base_url=ISSUER) as http:
        saved = app_state.federation
        app_state.federation = FederationKeys(ttl=300, floor=60, http=http)
        try:
            yield provider
        finally:
            app_state.federation = saved


@pytest.fixture
async def admin(app_state: AppState) -> Party:
    return await create_platform_admin(app_state)


async def trust(
    client: httpx.AsyncClient, admin: Party, world: World, **overrides: Any
) -> dict[str, Any]:
    body = {
        "name": "Dundee City Council sign-in",
        "issuer": ISSUER,
        "jwks_url": f"{ISSUER}/jwks.json",
        "audience": AUDIENCE,
        "subject_claim": "email",
        "organisation_id": str(world.a.organisation.id),
        "max_scopes": ["cycles:read"],
    }
    body.update(overrides)
    response = await client.post("/v1/trusted-issuers", json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_trusted_issuers_tokens_act_for_its_organisation_within_its_ceiling(
    client: httpx.AsyncClient, world: World, admin: Party, idp: IdentityProvider
) -> None:
    await create_cycle(world.state, world.a.organisation, world.programme, title="Mine")
    await create_cycle(world.state, world.c.organisation, world.other_programme, title="Theirs")
    await trust(client, admin, world)
    token = idp.token()

    listed = await client.get("/v1/cycles", headers=bearer(token))
    assert listed.status_code == 200, listed.text
    assert [c["title"] for c in listed.json()["items"]] == ["Mine"]

    # The token asks for cycles:write; the registration allows only cycles:read.
    created = await client.post(
        "/v1/cycles",
        json={"programme_id": str(world.programme.id), "title": "Nope"},
        headers=bearer(token),
    )
    assert created.status_code == 403
    assert 'error="insufficient_scope"' in created.headers["www-authenticate"]

    # GraphQL takes the same token through the same rule.
    answer = await client.post(
        "/graphql",
        json={"query": "{ cycles(first: 5) { edges { node { title } } } }"},
        headers=bearer(token),
    )
    assert answer.json()["data"]["cycles"]["edges"] == [{"node": {"title": "Mine"}}]
    assert idp.fetches == 1  # the key set is cached between requests


@pytest.mark.parametrize(
    ("case", "claims"),
    [
        ("untrusted issuer", {"iss": "https://idp.elsewhere.test"}),
        ("wrong audience", {"aud": "someone-else"}),
        ("expired", {"exp": int(time.time()) - 600}),
        ("no exp", {"exp": None}),
        ("no person", {"email": None}),
    ],
)
async def test_tokens_outside_the_registration_are_refused(
    client: httpx.AsyncClient,
    world: World,
    admin: Party,
    idp: IdentityProvider,
    case: str,
    claims: dict[str, Any],
) -> None:
    await trust(client, admin, world)
    response = await client.get("/v1/cycles", headers=bearer(idp.token(**claims)))
    assert response.status_code == 401, (case, response.text)
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_token_from_an_issuer_nobody_trusted_is_refused_without_fetching(
    client: httpx.AsyncClient, idp: IdentityProvider
) -> None:
    response = await client.get("/v1/cycles", headers=bearer(idp.token()))
    assert response.status_code == 401
    assert "not this service or an issuer it trusts" in response.json()["detail"]
    assert idp.fetches == 0


async def test_forged_algorithms_are_refused(
    client: httpx.AsyncClient, world: World, admin: Party, idp: IdentityProvider
) -> None:
    import base64

    import orjson

    await trust(client, admin, world)
    good = idp.token()
    payload = good.split(".")[1]

    def b64(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(orjson.dumps(data)).decode().rstrip("=")

    alg_none = f"{b64({'alg': 'none', 'kid': 'k1'})}.{payload}."
    assert (await client.get("/v1/cycles", headers=bearer(alg_none))).status_code == 401
    import hashlib
    import hmac

    public = idp.keys[0].as_pem(private=False)
    head = b64({"alg": "HS256", "kid": "k1"})
    signature = hmac.new(public, f"{head}.{payload}".encode(), hashlib.sha256).digest()
    hs256 = f"{head}.{payload}.{base64.urlsafe_b64encode(signature).decode().rstrip('=')}"
    assert (await client.get("/v1/cycles", headers=bearer(hs256))).status_code == 401


async def test_unknown_kids_refetch_at_most_once_per_floor(
    client: httpx.AsyncClient,
    app_state: AppState,
    world: World,
    admin: Party,
    idp: IdentityProvider,
) -> None:
    await trust(client, admin, world)
    assert (await client.get("/v1/cycles", headers=bearer(idp.token()))).status_code == 200
    assert idp.fetches == 1

    # The provider rotates to a new key. Within the floor, a token naming it is refused
    # without a fetch: made-up kids cannot make the hub hammer the provider.
    rotated = RSAKey.generate_key(2048, parameters={"kid": "k2"})
    idp.keys.append(rotated)
    for _ in range(3):
        response = await client.get("/v1/cycles", headers=bearer(idp.token(rotated)))
        assert response.status_code == 401
    assert idp.fetches == 1

    # Once the floor has passed, one unknown kid makes one fetch, and the new key verifies.
    app_state.federation.floor = 0
    response = await client.get("/v1/cycles", headers=bearer(idp.token(rotated)))
    assert response.status_code == 200, response.text
    assert idp.fetches == 2


async def test_disabling_or_removing_an_issuer_refuses_its_tokens_at_once(
    client: httpx.AsyncClient, world: World, admin: Party, idp: IdentityProvider
) -> None:
    registered = await trust(client, admin, world)
    token = idp.token()
    assert (await client.get("/v1/cycles", headers=bearer(token))).status_code == 200
    url = f"/v1/trusted-issuers/{registered['id']}"
    disabled = await client.patch(
        url, json={"disabled": True}, headers={**admin.headers, "If-Match": '"1"'}
    )
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["disabled_at"] is not None
    assert (await client.get("/v1/cycles", headers=bearer(token))).status_code == 401
    removed = await client.delete(url, headers={**admin.headers, "If-Match": '"2"'})
    assert removed.status_code == 204
    assert (await client.get("/v1/cycles", headers=bearer(token))).status_code == 401


async def test_only_platform_admins_manage_trusted_issuers(
    client: httpx.AsyncClient, app_state: AppState, world: World, admin: Party
) -> None:
    body = {
        "name": "Sneaky",
        "issuer": "https://sneaky.test",
        "jwks_url": "https://sneaky.test/jwks",
        "audience": AUDIENCE,
        "organisation_id": str(world.b.organisation.id),
        "max_scopes": ["cycles:read", "cycles:write"],
    }
    # World parties hold every scope, admin included, but not the platform_admin role.
    refused = await client.post("/v1/trusted-issuers", json=body, headers=world.a.headers)
    assert refused.status_code == 403
    assert (await client.get("/v1/trusted-issuers", headers=world.a.headers)).status_code == 403
    async with app_state.database.sessionmaker() as session:
        from sqlalchemy import func, select

        assert await session.scalar(select(func.count()).select_from(TrustedIssuer)) == 0

    bad = await client.post(
        "/v1/trusted-issuers",
        json={**body, "jwks_url": "http://plain.test/jwks", "max_scopes": ["everything"]},
        headers=admin.headers,
    )
    assert bad.status_code == 422
    pointers = {e["pointer"] for e in bad.json()["errors"]}
    assert {"/jwks_url", "/max_scopes/0"} <= pointers

    created = await client.post("/v1/trusted-issuers", json=body, headers=admin.headers)
    assert created.status_code == 201
    again = await client.post("/v1/trusted-issuers", json=body, headers=admin.headers)
    assert again.status_code == 409
