"""private_key_jwt (RFC 7523): a client authenticates with a JWT signed by its own key."""

from __future__ import annotations

import base64
import secrets
import time
from typing import Any

import httpx
import orjson
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey, RSAKey

from domain.identity.client_assertion import ASSERTION_TYPE, validate_jwks
from domain.identity.models import OAuthClient
from tests.factories import World
from tests.identity.factories import (
    authorize_params,
    bearer,
    create_app_client,
    create_user,
    exchange,
    pkce_pair,
    sign_in,
)

TOKEN_URL = "https://hub.test/oauth/token"


def assertion(
    client: OAuthClient,
    key: Any,
    *,
    alg: str = "ES256",
    aud: str = TOKEN_URL,
    lifetime: int = 60,
    jti: str | None = None,
    **claims: Any,
) -> str:
    now = int(time.time())
    body = {
        "iss": client.client_id,
        "sub": client.client_id,
        "aud": aud,
        "iat": now,
        "exp": now + lifetime,
        "jti": secrets.token_urlsafe(12) if jti is None else jti,
    }
    body.update(claims)
    return jwt.encode({"alg": alg, "kid": key.kid}, body, key, algorithms=[alg])


async def _key_client(world: World, *keys: Any, **fields: Any) -> OAuthClient:
    jwks = {"keys": [k.as_dict(private=False) for k in keys]}
    return await create_app_client(
        world.state,
        world.a.organisation,
        grant_types=["client_credentials", "authorization_code"],
        jwks=jwks,
        **fields,
    )


async def _token(client: httpx.AsyncClient, signed: str, **form: str) -> httpx.Response:
    data = {
        "grant_type": "client_credentials",
        "scope": "cycles:read",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": signed,
    }
    data.update(form)
    return await client.post("/oauth/token", data=data)


@pytest.fixture
def key() -> ECKey:
    return ECKey.generate_key("P-256", parameters={"kid": "partner-1"})


async def test_good_assertions(client: httpx.AsyncClient, world: World, key: ECKey) -> None:
    rsa = RSAKey.generate_key(2048, parameters={"kid": "partner-rsa"})
    app = await _key_client(world, key, rsa)
    for signed in (
        assertion(app, key),
        assertion(app, rsa, alg="RS256"),
        assertion(app, key, aud="https://hub.test"),  # the issuer is a valid audience too
    ):
        response = await _token(client, signed, client_id=app.client_id)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "refresh_token" not in body
        cycles = await client.get("/v1/cycles", headers=bearer(body["access_token"]))
        assert cycles.status_code == 200
    # client_id in the form is optional: the assertion names the client.
    assert (await _token(client, assertion(app, key))).status_code == 200


async def test_bad_assertions(client: httpx.AsyncClient, world: World, key: ECKey) -> None:
    app = await _key_client(world, key)
    other = await create_app_client(world.state, world.a.organisation)
    stranger = ECKey.generate_key("P-256", parameters={"kid": "partner-1"})
    public_json = orjson.dumps(key.as_dict(private=False))
    hs_key = OctKey.import_key(public_json)
    header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    now = int(time.time())
    payload = orjson.dumps(
        {"iss": app.client_id, "sub": app.client_id, "aud": TOKEN_URL, "exp": now + 60, "jti": "n"}
    )
    unsigned = f"{header}.{base64.urlsafe_b64encode(payload).rstrip(b'=').decode()}."
    reused_jti = secrets.token_urlsafe(12)
    assert (await _token(client, assertion(app, key, jti=reused_jti))).status_code == 200
    cases = {
        "wrong key": assertion(app, stranger),
        "reused jti": assertion(app, key, jti=reused_jti),
        "expired": assertion(app, key, lifetime=-120),
        "lives too long": assertion(app, key, lifetime=3600),
        "wrong audience": assertion(app, key, aud="https://elsewhere.example/token"),
        "iss is not sub": assertion(app, key, iss=other.client_id),
        "HS256 with the public key": jwt.encode(
            {"alg": "HS256", "kid": key.kid},
            {
                "iss": app.client_id,
                "sub": app.client_id,
                "aud": TOKEN_URL,
                "exp": now + 60,
                "jti": secrets.token_urlsafe(8),
            },
            hs_key,
            algorithms=["HS256"],
        ),
        "alg none": unsigned,
        "no jti": assertion(
            app,
            key,
            jti="",
        ),
        "not a JWT": "garbage",
    }
    for name, signed in cases.items():
        response = await _token(client, signed, client_id=app.client_id)
        assert response.status_code == 401, (name, response.text)
        assert response.json()["error"] == "invalid_client", name
    # An assertion for another client's id than the one in the form.
    mismatch = await _token(client, assertion(app, key), client_id=other.client_id)
    assert mismatch.status_code == 401
    # The assertion type must be the RFC 7523 one.
    wrong_type = await _token(client, assertion(app, key), client_assertion_type="jwt")
    assert wrong_type.status_code == 401
    # A client with no registered keys cannot use private_key_jwt.
    no_keys = await _token(client, assertion(other, key))
    assert no_keys.status_code == 401


async def test_assertion_with_the_code_grant(
    client: httpx.AsyncClient, world: World, key: ECKey
) -> None:
    app = await _key_client(world, key)
    await create_user(world.state, world.a.organisation, "ann@dundee.example")
    verifier, challenge = pkce_pair()
    flow = await sign_in(client, authorize_params(app, challenge), email="ann@dundee.example")
    # A client with keys is confidential: naming itself is not enough.
    assert (await exchange(client, app, flow.code, verifier)).status_code == 401
    response = await exchange(
        client,
        app,
        flow.code,
        verifier,
        client_assertion_type=ASSERTION_TYPE,
        client_assertion=assertion(app, key),
    )
    assert response.status_code == 200, response.text


async def test_assertion_at_introspection(
    client: httpx.AsyncClient, world: World, key: ECKey
) -> None:
    app = await _key_client(world, key)
    token = world.a.token  # another client of the same organisation
    response = await client.post(
        "/oauth/introspect",
        data={
            "token": token,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion(app, key),
        },
    )
    assert response.status_code == 200
    assert response.json()["active"] is True


def test_validate_jwks(key: ECKey) -> None:
    assert validate_jwks({"keys": [key.as_dict(private=False)]}) is None
    assert validate_jwks({"keys": [key.as_dict(private=True)]}) is not None
    assert validate_jwks({"keys": [OctKey.generate_key(256).as_dict()]}) is not None
    assert validate_jwks({"keys": []}) is not None
