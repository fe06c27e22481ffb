"""The OAuth 2 token, revocation (RFC 7009) and introspection (RFC 7662) endpoints, the key
set and the server metadata (RFC 8414). RFC 6749 errors, not problem+json, because OAuth
client libraries read the `error` member (the problem fields are sent alongside)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

import orjson
from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from api import openapi_docs as docs
from api.deps import State, UoW
from api.problems import problem_body
from domain.identity import service as identity
from domain.identity.errors import InvalidClient, InvalidRequest, OAuthError, UnsupportedGrantType
from domain.shared.principal import Scope

router = APIRouter(tags=["oauth"])

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
TOKEN_PATH = "/oauth/token"
REVOKE_PATH = "/oauth/revoke"
INTROSPECT_PATH = "/oauth/introspect"
JWKS_PATH = "/.well-known/jwks.json"
CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
JWK_SET_JSON = "application/jwk-set+json"
JWK_SET_SCHEMA = {
    "type": "object",
    "required": ["keys"],
    "properties": {"keys": {"type": "array", "items": {"type": "object"}}},
}


class JWKSetResponse(JSONResponse):
    """A JSON Web Key Set (RFC 7517 section 5), served and documented with its media type."""

    media_type = JWK_SET_JSON

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def _oauth_error(error: OAuthError, *, basic: bool) -> Response:
    body = problem_body(error.status, error.error, error.title, error.detail)
    body.update({"error": error.error, "error_description": error.detail})
    headers = dict(NO_STORE)
    if isinstance(error, InvalidClient) and basic:
        headers["WWW-Authenticate"] = 'Basic realm="implementation-hub"'
    return Response(
        orjson.dumps(body),
        status_code=error.status,
        media_type="application/json",
        headers=headers,
    )


@dataclass(frozen=True)
class ClientRequest:
    """A form-encoded request from a confidential client: its parameters and credentials."""

    form: dict[str, str]
    client_id: str
    client_secret: str


def _uses_basic(request: Request) -> bool:
    # RFC 6749 5.2: a client that sent an Authorization header gets a Basic challenge back.
    return bool(request.headers.get("authorization"))


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            raise InvalidClient("Use HTTP Basic or client_secret_post to authenticate.")
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise InvalidClient("The Basic credentials are not valid base64.") from exc
        client_id, sep, secret = decoded.partition(":")
        if not sep or "client_secret" in form:
            raise InvalidRequest("Send the client credentials one way only.")
        return unquote_plus(client_id), unquote_plus(secret)
    client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    if not client_id or not secret:
        raise InvalidClient("Client authentication is required.")
    return client_id, secret


async def _client_request(request: Request) -> ClientRequest:
    """The form and the client's credentials, the same way at every endpoint a client
    authenticates to (client_secret_basic or client_secret_post)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise InvalidRequest("Send the request as application/x-www-form-urlencoded.")
    raw = await request.form()
    values = {k: v for k, v in raw.multi_items() if isinstance(v, str)}
    if len(values) != len(raw.multi_items()):
        raise InvalidRequest("Each parameter may be sent once.")
    form = dict(values)
    client_id, secret = _client_credentials(request, form)
    return ClientRequest(form=form, client_id=client_id, client_secret=secret)


def _token_parameter(form: dict[str, str]) -> str:
    token = form.get("token", "").strip()
    if not token:
        raise InvalidRequest("token is required.")
    return token


def _json(body: dict[str, Any], headers: dict[str, str]) -> Response:
    return Response(orjson.dumps(body), media_type="application/json", headers=headers)


@router.post(
    TOKEN_PATH,
    responses=docs.OAUTH_ERRORS,
    summary="Get an access token (client_credentials)",
    description="Form-encoded (RFC 6749 section 4.4). Authenticate with HTTP Basic "
    "(client_secret_basic) or client_id and client_secret in the form (client_secret_post).",
)
async def token(request: Request, state: State, uow: UoW) -> Response:
    basic = _uses_basic(request)
    try:
        client = await _client_request(request)
        grant_type = client.form.get("grant_type")
        if not grant_type:
            raise InvalidRequest("grant_type is required.")
        if grant_type != identity.CLIENT_CREDENTIALS:
            raise UnsupportedGrantType(f"The grant type '{grant_type}' is not supported here.")
        issued = await identity.issue_client_credentials_token(
            uow,
            state.keys,
            state.settings,
            client_id=client.client_id,
            client_secret=client.client_secret,
            scope=client.form.get("scope"),
        )
    except OAuthError as error:
        return _oauth_error(error, basic=basic)
    body = {
        "access_token": issued.access_token,
        "token_type": issued.token_type,
        "expires_in": issued.expires_in,
        "scope": issued.scope,
    }
    return _json(body, NO_STORE)


@router.post(
    REVOKE_PATH,
    responses=docs.OAUTH_ERRORS,
    summary="Revoke an access token (RFC 7009)",
    description="Form-encoded: `token`, optional `token_type_hint` (ignored: every token is "
    "an access token). Authenticate as at the token endpoint. A client can revoke only "
    "tokens issued to it; the answer is 200 with an empty body whether or not the token was "
    "valid, already revoked or another client's, so it reveals nothing about the token.",
)
async def revoke(request: Request, state: State, uow: UoW) -> Response:
    basic = _uses_basic(request)
    try:
        client = await _client_request(request)
        await identity.revoke_token(
            uow,
            state.keys,
            state.settings,
            client_id=client.client_id,
            client_secret=client.client_secret,
            token=_token_parameter(client.form),
        )
    except OAuthError as error:
        return _oauth_error(error, basic=basic)
    return Response(status_code=200, headers=NO_STORE)


@router.post(
    INTROSPECT_PATH,
    responses=docs.OAUTH_ERRORS,
    summary="Introspect an access token (RFC 7662)",
    description="Form-encoded: `token`, optional `token_type_hint`. Authenticate as at the "
    "token endpoint. A client sees only tokens of its own organisation: any other token, "
    'and any invalid, expired or revoked one, is `{"active": false}`.',
)
async def introspect(request: Request, state: State, uow: UoW) -> Response:
    basic = _uses_basic(request)
    try:
        client = await _client_request(request)
        active = await identity.introspect_token(
            uow,
            state.keys,
            state.settings,
            client_id=client.client_id,
            client_secret=client.client_secret,
            token=_token_parameter(client.form),
        )
    except OAuthError as error:
        return _oauth_error(error, basic=basic)
    if active is None:
        return _json({"active": False}, NO_STORE)
    body: dict[str, Any] = {
        "active": True,
        "scope": active.scope,
        "client_id": active.client_id,
        "token_type": active.token_type,
        "exp": active.exp,
        "iat": active.iat,
        "sub": active.sub,
        "aud": active.aud,
        "iss": active.iss,
        "jti": active.jti,
        "org": str(active.org),
    }
    return _json({k: v for k, v in body.items() if v is not None}, NO_STORE)


@router.get(
    JWKS_PATH,
    summary="Public keys that sign access tokens",
    response_class=JWKSetResponse,
    responses={200: {"content": {JWK_SET_JSON: {"schema": JWK_SET_SCHEMA}}}},
)
async def jwks(state: State) -> Response:
    ring = await state.keys.ring()
    return JWKSetResponse(
        ring.public_jwks(),
        headers={"Cache-Control": "public, max-age=300"},
    )


@router.get(
    "/.well-known/oauth-authorization-server",
    summary="Authorisation server metadata (RFC 8414)",
)
async def metadata(state: State) -> Response:
    issuer = state.settings.token_issuer
    base = issuer.rstrip("/")
    body = {
        "issuer": issuer,
        "token_endpoint": base + TOKEN_PATH,
        "jwks_uri": base + JWKS_PATH,
        "revocation_endpoint": base + REVOKE_PATH,
        "introspection_endpoint": base + INTROSPECT_PATH,
        "grant_types_supported": [identity.CLIENT_CREDENTIALS],
        # No authorization endpoint yet: the authorisation code grant comes later.
        "response_types_supported": [],
        "token_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "revocation_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "introspection_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "scopes_supported": [s.value for s in Scope],
    }
    return _json(body, {"Cache-Control": "public, max-age=300"})
