"""The client_credentials grant, the JWKS, and tokens the API must refuse."""

from __future__ import annotations

import base64
import time
from typing import Any

import httpx
import orjson
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey

from domain.identity.models import OAuthClient
from domain.shared.ids import utcnow
from tests.factories import TEST_SECRET, World, mint_token

TOKEN_URL = "/oauth/token"


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def _b64json(part: str) -> dict[str, Any]:
    value: dict[str, Any] = orjson.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return value


def claims_of(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload, _ = token.split(".")
    return _b64json(header), _b64json(payload)


async def test_client_credentials_with_basic_auth(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials", "scope": "cycles:read"},
        headers=basic(world.a.client.client_id, TEST_SECRET),
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "cycles:read"
    assert body["expires_in"] == world.state.settings.access_token_ttl_seconds
    assert "refresh_token" not in body
    header, claims = claims_of(body["access_token"])
    assert header["typ"] == "at+jwt"
    assert header["alg"] == "ES256"
    assert claims["iss"] == world.state.settings.token_issuer
    assert claims["aud"] == world.state.settings.token_audience
    assert claims["sub"] == f"client:{world.a.client.client_id}"
    assert claims["client_id"] == world.a.client.client_id
    assert claims["org"] == str(world.a.organisation.id)
    assert claims["exp"] - claims["iat"] == body["expires_in"]
    assert claims["jti"]

    jwks = (await client.get("/.well-known/jwks.json")).json()
    assert header["kid"] in [key["kid"] for key in jwks["keys"]]
    assert all("d" not in key for key in jwks["keys"])  # never the private part

    used = await client.get(
        "/v1/cycles", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert used.status_code == 200
    refused = await client.post(
        "/v1/cycles",
        json={"title": "t", "programme_id": str(world.programme.id)},
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert refused.status_code == 403  # only cycles:read was asked for


async def test_client_credentials_with_post_auth_gets_all_allowed_scopes(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        TOKEN_URL,
        data={
            "grant_type": "client_credentials",
            "client_id": world.a.client.client_id,
            "client_secret": TEST_SECRET,
        },
    )
    assert response.status_code == 200, response.text
    assert set(response.json()["scope"].split()) == set(world.a.client.scopes)


async def test_token_endpoint_errors(client: httpx.AsyncClient, world: World) -> None:
    cid = world.a.client.client_id
    cases: list[tuple[dict[str, str], dict[str, str], int, str]] = [
        ({"grant_type": "client_credentials"}, basic(cid, "wrong"), 401, "invalid_client"),
        (
            {"grant_type": "client_credentials"},
            basic("hub_nobody", TEST_SECRET),
            401,
            "invalid_client",
        ),
        ({"grant_type": "client_credentials"}, {}, 401, "invalid_client"),
        ({"grant_type": "password"}, basic(cid, TEST_SECRET), 400, "unsupported_grant_type"),
        ({}, basic(cid, TEST_SECRET), 400, "invalid_request"),
        (
            {"grant_type": "client_credentials", "scope": "cycles:read everything:admin"},
            basic(cid, TEST_SECRET),
            400,
            "invalid_scope",
        ),
    ]
    for form, headers, status, error in cases:
        response = await client.post(TOKEN_URL, data=form, headers=headers)
        assert response.status_code == status, (form, response.text)
        assert response.json()["error"] == error
        assert response.json()["error_description"]
        assert response.headers["cache-control"] == "no-store"
    wrong_type = await client.post(
        TOKEN_URL, json={"grant_type": "client_credentials"}, headers=basic(cid, TEST_SECRET)
    )
    assert wrong_type.status_code == 400
    assert wrong_type.json()["error"] == "invalid_request"
    assert (
        (
            await client.post(
                TOKEN_URL, data={"grant_type": "client_credentials"}, headers=basic(cid, "x")
            )
        )
        .headers["www-authenticate"]
        .startswith("Basic")
    )


async def test_a_disabled_client_gets_no_token_and_its_tokens_stop_working(
    client: httpx.AsyncClient, world: World
) -> None:
    async with world.state.database.sessionmaker() as session:
        row = await session.get(OAuthClient, world.a.client.id)
        assert row is not None
        row.disabled_at = utcnow()
        await session.commit()
    denied = await client.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials"},
        headers=basic(world.a.client.client_id, TEST_SECRET),
    )
    assert denied.status_code == 401
    stale = await client.get("/v1/cycles", headers=world.a.headers)
    assert stale.status_code == 401
    assert 'error="invalid_token"' in stale.headers["www-authenticate"]


async def test_missing_token_is_401_with_a_challenge(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/cycles")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/problem+json"


async def _refused(client: httpx.AsyncClient, token: str) -> None:
    response = await client.get("/v1/cycles", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, token
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert response.headers["content-type"] == "application/problem+json"
    graphql = await client.post(
        "/graphql",
        json={"query": "{ cycles { edges { cursor } } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert graphql.status_code == 401


async def test_bad_tokens_are_refused(client: httpx.AsyncClient, world: World) -> None:
    state, cl = world.state, world.a.client
    claims = claims_of(world.a.token)[1]
    foreign_key = ECKey.generate_key(
        "P-256", parameters={"kid": str(claims_of(world.a.token)[0]["kid"])}
    )
    now = int(time.time())

    def forged(header: dict[str, Any], key: Any, **changes: Any) -> str:
        return jwt.encode(header, {**claims, **changes}, key, algorithms=[header["alg"]])

    kid = claims_of(world.a.token)[0]["kid"]
    public = (await state.keys.ring()).signing.as_dict(private=False)
    hmac_with_public_key = OctKey.import_key(orjson.dumps(public))
    unsigned = (
        base64.urlsafe_b64encode(b'{"alg":"none","typ":"at+jwt"}').decode().rstrip("=")
        + "."
        + base64.urlsafe_b64encode(orjson.dumps(claims)).decode().rstrip("=")
        + "."
    )
    for token in [
        await mint_token(state, cl, ttl_seconds=-120),  # expired beyond the leeway
        await mint_token(state, cl, audience="someone-else"),
        await mint_token(state, cl, issuer="https://evil.test"),
        forged({"alg": "ES256", "typ": "at+jwt", "kid": kid}, foreign_key),  # wrong key
        forged({"alg": "ES256", "typ": "JWT", "kid": kid}, (await state.keys.ring()).signing),
        forged({"alg": "HS256", "typ": "at+jwt", "kid": kid}, hmac_with_public_key),
        forged(
            {"alg": "ES256", "typ": "at+jwt", "kid": kid},
            (await state.keys.ring()).signing,
            org="not-a-uuid",
        ),
        forged(
            {"alg": "ES256", "typ": "at+jwt", "kid": kid},
            (await state.keys.ring()).signing,
            exp=now - 3600,
        ),
        unsigned,
        "not.a.jwt",
        "garbage",
        "x" * 9000,
    ]:
        await _refused(client, token)
    wrong_scheme = await client.get("/v1/cycles", headers={"Authorization": "Basic abc"})
    assert wrong_scheme.status_code == 401


async def test_a_token_for_a_client_moved_to_another_organisation_is_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    # The token claims organisation A, but the client now belongs to C: refuse, don't guess.
    token = await mint_token(world.state, world.a.client, organisation_id=world.c.organisation.id)
    await _refused(client, token)
