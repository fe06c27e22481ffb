"""Server metadata (RFC 8414), revocation (RFC 7009) and introspection (RFC 7662), over
real HTTP with real tokens from the token endpoint."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
from joserfc import jwt
from joserfc.jwk import OctKey
from sqlalchemy import func, select

from domain.identity.models import RevokedToken
from domain.shared.ids import utcnow
from domain.shared.principal import Scope
from tests.api.test_oauth import basic, claims_of
from tests.conftest import StatementCounter
from tests.factories import TEST_SECRET, World, create_party, mint_token

METADATA_URL = "/.well-known/oauth-authorization-server"
REVOKE_URL = "/oauth/revoke"
INTROSPECT_URL = "/oauth/introspect"


async def new_token(client: httpx.AsyncClient, client_id: str, scope: str | None = None) -> str:
    form = {"grant_type": "client_credentials"} | ({"scope": scope} if scope else {})
    response = await client.post("/oauth/token", data=form, headers=basic(client_id, TEST_SECRET))
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


async def cycles_status(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get("/v1/cycles", headers={"Authorization": f"Bearer {token}"})


async def revoke(
    client: httpx.AsyncClient, client_id: str, token: str, **form: str
) -> httpx.Response:
    return await client.post(
        REVOKE_URL, data={"token": token, **form}, headers=basic(client_id, TEST_SECRET)
    )


async def introspect(client: httpx.AsyncClient, client_id: str, token: str) -> dict[str, Any]:
    response = await client.post(
        INTROSPECT_URL, data={"token": token}, headers=basic(client_id, TEST_SECRET)
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    return body


async def test_server_metadata_describes_the_endpoints_that_exist(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.get(METADATA_URL)
    assert response.status_code == 200
    assert response.headers["cache-control"].startswith("public")
    body = response.json()
    issuer = world.state.settings.token_issuer
    secret_methods = ["client_secret_basic", "client_secret_post", "private_key_jwt"]
    algorithms = ["ES256", "ES384", "ES512", "RS256", "RS384", "RS512"]
    algorithms += ["PS256", "PS384", "PS512", "EdDSA"]
    assert body == {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oauth/authorize",
        "token_endpoint": f"{issuer}/oauth/token",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "revocation_endpoint": f"{issuer}/oauth/revoke",
        "introspection_endpoint": f"{issuer}/oauth/introspect",
        "grant_types_supported": ["client_credentials", "authorization_code", "refresh_token"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": [*secret_methods, "none"],
        "token_endpoint_auth_signing_alg_values_supported": algorithms,
        "revocation_endpoint_auth_methods_supported": [*secret_methods, "none"],
        "revocation_endpoint_auth_signing_alg_values_supported": algorithms,
        "introspection_endpoint_auth_methods_supported": secret_methods,
        "introspection_endpoint_auth_signing_alg_values_supported": algorithms,
        "authorization_response_iss_parameter_supported": True,
        "scopes_supported": [s.value for s in Scope],
    }
    assert (await client.get("/.well-known/jwks.json")).status_code == 200
    for key in (
        "jwks_uri",
        "token_endpoint",
        "revocation_endpoint",
        "introspection_endpoint",
        "authorization_endpoint",
    ):
        url = urlsplit(body[key])
        assert f"{url.scheme}://{url.netloc}" == issuer
        method = "GET" if key == "jwks_uri" else "POST"
        answer = await client.request(method, url.path)
        assert answer.status_code != 404, (key, answer.text)
        assert answer.status_code < 500, (key, answer.text)


async def test_a_client_revokes_its_own_token(client: httpx.AsyncClient, world: World) -> None:
    cid = world.a.client.client_id
    revoked, fresh = await new_token(client, cid), await new_token(client, cid)
    assert (await cycles_status(client, revoked)).status_code == 200

    response = await revoke(client, cid, revoked, token_type_hint="access_token")
    assert response.status_code == 200
    assert response.content == b""

    refused = await cycles_status(client, revoked)
    assert refused.status_code == 401
    assert 'error="invalid_token"' in refused.headers["www-authenticate"]
    graphql = await client.post(
        "/graphql",
        json={"query": "{ cycles { edges { cursor } } }"},
        headers={"Authorization": f"Bearer {revoked}"},
    )
    assert graphql.status_code == 401
    assert (await cycles_status(client, fresh)).status_code == 200
    # Revoking again, or with a hint for a kind of token we do not issue, is still 200.
    assert (await revoke(client, cid, revoked)).status_code == 200
    assert (await revoke(client, cid, revoked, token_type_hint="refresh_token")).status_code == 200


async def test_client_secret_post_and_the_refresh_token_hint_revoke_too(
    client: httpx.AsyncClient, world: World
) -> None:
    cid = world.a.client.client_id
    token = await new_token(client, cid)
    response = await client.post(
        REVOKE_URL,
        data={
            "token": token,
            "token_type_hint": "refresh_token",  # accepted and ignored: no refresh tokens yet
            "client_id": cid,
            "client_secret": TEST_SECRET,
        },
    )
    assert response.status_code == 200, response.text
    assert (await cycles_status(client, token)).status_code == 401


async def test_another_clients_token_is_answered_200_but_left_alone(
    client: httpx.AsyncClient, world: World
) -> None:
    token = await new_token(client, world.a.client.client_id)
    same_org = await create_party(world.state, world.a.organisation)
    for other in (world.b.client.client_id, same_org.client.client_id):
        response = await revoke(client, other, token)
        assert response.status_code == 200
        assert response.content == b""
    assert (await cycles_status(client, token)).status_code == 200


async def test_unknown_expired_and_garbage_tokens_are_answered_200(
    client: httpx.AsyncClient, world: World
) -> None:
    cid = world.a.client.client_id
    expired = await mint_token(world.state, world.a.client, ttl_seconds=-120)
    for token in ("garbage", "not.a.jwt", expired, "x" * 9000):
        response = await revoke(client, cid, token)
        assert response.status_code == 200, token
        assert response.content == b""


async def test_revocation_errors(client: httpx.AsyncClient, world: World) -> None:
    cid = world.a.client.client_id
    token = await new_token(client, cid)
    cases: list[tuple[dict[str, str], dict[str, str], int, str]] = [
        ({"token": token}, basic(cid, "wrong"), 401, "invalid_client"),
        ({"token": token}, basic("hub_nobody", TEST_SECRET), 401, "invalid_client"),
        ({"token": token}, {}, 401, "invalid_client"),
        ({"token": token, "client_id": cid, "client_secret": "wrong"}, {}, 401, "invalid_client"),
        ({}, basic(cid, TEST_SECRET), 400, "invalid_request"),
        ({"token": ""}, basic(cid, TEST_SECRET), 400, "invalid_request"),
    ]
    for form, headers, status, error in cases:
        response = await client.post(REVOKE_URL, data=form, headers=headers)
        assert response.status_code == status, (form, response.text)
        assert response.json()["error"] == error
        assert response.json()["error_description"]
        assert response.headers["cache-control"] == "no-store"
    challenged = await client.post(REVOKE_URL, data={"token": token}, headers=basic(cid, "x"))
    assert challenged.headers["www-authenticate"].startswith("Basic")
    # A failed revocation changed nothing.
    assert (await cycles_status(client, token)).status_code == 200


async def test_revocation_keeps_the_jti_until_expiry_and_sweeps_expired_rows(
    client: httpx.AsyncClient, world: World
) -> None:
    async with world.state.database.sessionmaker() as session:
        session.add(
            RevokedToken(jti="long-gone", client_id="x", expires_at=utcnow() - timedelta(hours=1))
        )
        await session.commit()
    token = await new_token(client, world.a.client.client_id)
    assert (await revoke(client, world.a.client.client_id, token)).status_code == 200
    claims = claims_of(token)[1]
    async with world.state.database.sessionmaker() as session:
        rows = list((await session.scalars(select(RevokedToken))).all())
        assert [row.jti for row in rows] == [claims["jti"]]
        assert rows[0].client_id == world.a.client.client_id
        assert int(rows[0].expires_at.timestamp()) == claims["exp"]
        assert await session.scalar(select(func.count()).select_from(RevokedToken)) == 1


async def test_introspecting_an_active_token(client: httpx.AsyncClient, world: World) -> None:
    token = await new_token(client, world.a.client.client_id, "cycles:read")
    claims = claims_of(token)[1]
    settings = world.state.settings
    expected = {
        "active": True,
        "scope": "cycles:read",
        "client_id": world.a.client.client_id,
        "token_type": "Bearer",
        "exp": claims["exp"],
        "iat": claims["iat"],
        "sub": f"client:{world.a.client.client_id}",
        "aud": settings.token_audience,
        "iss": settings.token_issuer,
        "jti": claims["jti"],
        "org": str(world.a.organisation.id),
    }
    assert await introspect(client, world.a.client.client_id, token) == expected
    # Another client of the same organisation (a gateway in front of its systems) sees it.
    gateway = await create_party(world.state, world.a.organisation, scopes=[])
    assert await introspect(client, gateway.client.client_id, token) == expected
    # client_secret_post works as well, and a hint is accepted.
    posted = await client.post(
        INTROSPECT_URL,
        data={
            "token": token,
            "token_type_hint": "access_token",
            "client_id": world.a.client.client_id,
            "client_secret": TEST_SECRET,
        },
    )
    assert posted.json() == expected


async def test_introspecting_tokens_that_are_not_active(
    client: httpx.AsyncClient, world: World
) -> None:
    cid = world.a.client.client_id
    revoked = await new_token(client, cid)
    assert (await revoke(client, cid, revoked)).status_code == 200
    claims = claims_of(world.a.token)[1]
    kid = claims_of(world.a.token)[0]["kid"]
    public = (await world.state.keys.ring()).signing.as_dict(private=False)
    hs256 = jwt.encode(
        {"alg": "HS256", "typ": "at+jwt", "kid": kid},
        claims,
        OctKey.import_key(orjson.dumps(public)),
        algorithms=["HS256"],
    )
    unsigned = (
        base64.urlsafe_b64encode(b'{"alg":"none","typ":"at+jwt"}').decode().rstrip("=")
        + "."
        + base64.urlsafe_b64encode(orjson.dumps(claims)).decode().rstrip("=")
        + "."
    )
    for token in [
        await mint_token(world.state, world.a.client, ttl_seconds=-120),  # expired
        revoked,
        hs256,
        unsigned,
        await mint_token(world.state, world.a.client, audience="someone-else"),
        "garbage",
        "not.a.jwt",
    ]:
        assert await introspect(client, cid, token) == {"active": False}, token
    # Another organisation's token is inactive to this client, even a programme partner's.
    foreign = await new_token(client, world.b.client.client_id)
    assert await introspect(client, cid, foreign) == {"active": False}
    assert await introspect(client, world.c.client.client_id, foreign) == {"active": False}
    assert (await introspect(client, world.b.client.client_id, foreign))["active"] is True


async def test_introspection_needs_client_authentication(
    client: httpx.AsyncClient, world: World
) -> None:
    cid = world.a.client.client_id
    token = await new_token(client, cid)
    for headers in ({}, basic(cid, "wrong"), {"Authorization": f"Bearer {token}"}):
        response = await client.post(INTROSPECT_URL, data={"token": token}, headers=headers)
        assert response.status_code == 401, response.text
        assert response.json()["error"] == "invalid_client"
        assert "active" not in response.json()
    missing = await client.post(INTROSPECT_URL, data={}, headers=basic(cid, TEST_SECRET))
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_request"


async def test_the_revocation_check_costs_no_extra_statement(
    client: httpx.AsyncClient, world: World, count_statements: StatementCounter
) -> None:
    token = await new_token(client, world.a.client.client_id)
    count_statements.statements.clear()
    assert (await cycles_status(client, token)).status_code == 200
    authentication = [s for s in count_statements.statements if "oauth_clients" in s]
    assert len(authentication) == 1, count_statements.statements
    assert "revoked_tokens" in authentication[0]


async def test_oauth_answers_are_the_ones_the_openapi_document_describes(
    client: httpx.AsyncClient, world: World
) -> None:
    # The OAuth errors (400, 401) and the key set's media type used to be undocumented.
    paths = (await client.get("/openapi.json")).json()["paths"]
    not_a_form = {"Content-Type": "application/json"}
    wrong_secret = basic(world.a.client.client_id, "wrong") | {
        "Content-Type": "application/x-www-form-urlencoded"
    }
    for url in ("/oauth/token", REVOKE_URL, INTROSPECT_URL):
        for headers, status in ((not_a_form, 400), (wrong_secret, 401)):
            response = await client.post(
                url, content=b"grant_type=client_credentials&token=x", headers=headers
            )
            assert response.status_code == status, (url, response.text)
            assert response.headers["content-type"] == "application/json"
            assert "error" in response.json()
            documented = paths[url]["post"]["responses"][str(status)]["content"]
            assert list(documented) == ["application/json"], (url, status)
    jwks = await client.get("/.well-known/jwks.json")
    assert jwks.headers["content-type"] == "application/jwk-set+json"
    documented = paths["/.well-known/jwks.json"]["get"]["responses"]["200"]["content"]
    assert list(documented) == ["application/jwk-set+json"]
    assert jwks.json()["keys"]
