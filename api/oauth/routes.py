"""The OAuth 2 token (client_credentials, authorization_code with PKCE, refresh_token),
revocation (RFC 7009) and introspection (RFC 7662) endpoints, the key set and the server
metadata (RFC 8414). RFC 6749 errors, not problem+json, because OAuth
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
from domain.identity import admin, authorization, refresh
from domain.identity import service as identity
from domain.identity.client_assertion import ALGORITHMS as ASSERTION_ALGORITHMS
from domain.identity.client_assertion import ASSERTION_TYPE
from domain.identity.errors import InvalidClient, InvalidRequest, OAuthError, UnsupportedGrantType
from domain.shared.principal import Scope

router = APIRouter(tags=["oauth"])

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
TOKEN_PATH = identity.TOKEN_ENDPOINT_PATH
AUTHORIZE_PATH = "/oauth/authorize"
REVOKE_PATH = "/oauth/revoke"
INTROSPECT_PATH = "/oauth/introspect"
JWKS_PATH = "/.well-known/jwks.json"
CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"]
# Public clients (no secret, no keys) name themselves at the token endpoint; PKCE binds the
# code to them and rotation binds the refresh token.
TOKEN_AUTH_METHODS = [*CLIENT_AUTH_METHODS, "none"]
GRANT_TYPES = [identity.CLIENT_CREDENTIALS, refresh.AUTHORIZATION_CODE, refresh.REFRESH_TOKEN]
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
    """A form-encoded request from a client: its parameters and how it authenticated."""

    form: dict[str, str]
    credentials: identity.ClientCredentials


def _uses_basic(request: Request) -> bool:
    # RFC 6749 5.2: a client that sent an Authorization header gets a Basic challenge back.
    return bool(request.headers.get("authorization"))


def _client_credentials(request: Request, form: dict[str, str]) -> identity.ClientCredentials:
    """One way of authenticating per request (RFC 6749 2.3): HTTP Basic, a secret in the
    form, a private_key_jwt assertion, or (public clients) the client id alone. Whether the
    client may use the way it chose is the domain's decision."""
    header = request.headers.get("authorization")
    has_assertion = "client_assertion" in form or "client_assertion_type" in form
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            raise InvalidClient("Use HTTP Basic, client_secret_post or private_key_jwt.")
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise InvalidClient("The Basic credentials are not valid base64.") from exc
        basic_id, sep, secret = decoded.partition(":")
        if not sep or "client_secret" in form or has_assertion:
            raise InvalidRequest("Send the client credentials one way only.")
        return identity.ClientCredentials(
            client_id=unquote_plus(basic_id), secret=unquote_plus(secret)
        )
    client_id = form.get("client_id") or None
    if has_assertion:
        if "client_secret" in form:
            raise InvalidRequest("Send the client credentials one way only.")
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise InvalidClient(f"client_assertion_type must be {ASSERTION_TYPE}.")
        assertion = form.get("client_assertion", "")
        if not assertion:
            raise InvalidClient("client_assertion is required with client_assertion_type.")
        return identity.ClientCredentials(client_id=client_id, assertion=assertion)
    if "client_secret" in form:
        if not client_id or not form["client_secret"]:
            raise InvalidClient("Client authentication is required.")
        return identity.ClientCredentials(client_id=client_id, secret=form["client_secret"])
    return identity.ClientCredentials(client_id=client_id)


async def _client_request(request: Request) -> ClientRequest:
    """The form and the client's credentials, the same way at every endpoint a client
    authenticates to."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise InvalidRequest("Send the request as application/x-www-form-urlencoded.")
    raw = await request.form()
    values = {k: v for k, v in raw.multi_items() if isinstance(v, str)}
    if len(values) != len(raw.multi_items()):
        raise InvalidRequest("Each parameter may be sent once.")
    form = dict(values)
    return ClientRequest(form=form, credentials=_client_credentials(request, form))


def _token_parameter(form: dict[str, str]) -> str:
    token = form.get("token", "").strip()
    if not token:
        raise InvalidRequest("token is required.")
    return token


def _json(body: dict[str, Any], headers: dict[str, str]) -> Response:
    return Response(orjson.dumps(body), media_type="application/json", headers=headers)


def _form(required: list[str], fields: dict[str, str]) -> dict[str, Any]:
    """The request body as OpenAPI sees it: the handlers read the form themselves (to answer
    RFC 6749 errors rather than FastAPI's), so the document says what they read."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": required,
                        "properties": {
                            name: {"type": "string", "description": text}
                            for name, text in fields.items()
                        },
                    }
                }
            },
        }
    }


_CLIENT_FIELDS = {
    "client_id": "The client, unless it authenticates with HTTP Basic",
    "client_secret": "client_secret_post",
    "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    "client_assertion": "private_key_jwt (RFC 7523)",
}
TOKEN_FORM = _form(
    ["grant_type"],
    {
        "grant_type": "client_credentials, authorization_code or refresh_token",
        "scope": "Space-separated scopes; at most what the client (and person) may have",
        "code": "authorization_code: the code from the redirect",
        "redirect_uri": "authorization_code: the redirect URI the code was sent to",
        "code_verifier": "authorization_code: the PKCE verifier",
        "refresh_token": "refresh_token: the newest refresh token",
        **_CLIENT_FIELDS,
    },
)
TOKEN_CHECK_FORM = _form(
    ["token"],
    {"token": "The token", "token_type_hint": "access_token or refresh_token", **_CLIENT_FIELDS},
)


@router.post(
    TOKEN_PATH,
    responses=docs.OAUTH_ERRORS,
    openapi_extra=TOKEN_FORM,
    summary="Get an access token",
    description="Form-encoded (RFC 6749). Grants: `client_credentials` (partner systems; "
    "never a refresh token), `authorization_code` with PKCE S256 (`code`, `redirect_uri`, "
    "`code_verifier`; RFC 7636) and `refresh_token` (rotated on every use; reusing an old one "
    "revokes its whole family). Confidential clients authenticate with HTTP Basic "
    "(client_secret_basic), `client_id` and `client_secret` in the form "
    "(client_secret_post), or a signed `client_assertion` (private_key_jwt, RFC 7523); "
    "public clients send only `client_id`.",
)
async def token(request: Request, state: State, uow: UoW) -> Response:
    basic = _uses_basic(request)
    try:
        client = await _client_request(request)
        form = client.form
        grant_type = form.get("grant_type")
        if not grant_type:
            raise InvalidRequest("grant_type is required.")
        if grant_type not in GRANT_TYPES:
            raise UnsupportedGrantType(f"The grant type '{grant_type}' is not supported here.")
        authenticated = await identity.authenticate(
            uow,
            state.settings,
            client.credentials,
            allow_public=grant_type != identity.CLIENT_CREDENTIALS,
        )
        body: dict[str, Any]
        if grant_type == identity.CLIENT_CREDENTIALS:
            issued = await identity.client_credentials_token(
                state.keys, state.settings, client=authenticated, scope=form.get("scope")
            )
            body = {
                "access_token": issued.access_token,
                "token_type": issued.token_type,
                "expires_in": issued.expires_in,
                "scope": issued.scope,
            }
            # Only once a token is issued: a refused request changes nothing.
            await admin.mark_client_used(uow, authenticated)
            return _json(body, NO_STORE)
        if grant_type == refresh.AUTHORIZATION_CODE:
            tokens = await authorization.exchange_code(
                uow,
                state.keys,
                state.settings,
                client=authenticated,
                code=form.get("code", ""),
                redirect_uri=form.get("redirect_uri"),
                code_verifier=form.get("code_verifier"),
            )
        else:
            refresh_token = form.get("refresh_token", "")
            if not refresh_token:
                raise InvalidRequest("refresh_token is required.")
            tokens = await refresh.refresh_tokens(
                uow,
                state.keys,
                state.settings,
                client=authenticated,
                refresh_token=refresh_token,
                scope=form.get("scope"),
            )
        await admin.mark_client_used(uow, authenticated)
    except OAuthError as error:
        return _oauth_error(error, basic=basic)
    body = {
        "access_token": tokens.access_token,
        "token_type": tokens.token_type,
        "expires_in": tokens.expires_in,
        "scope": tokens.scope,
    }
    if tokens.refresh_token is not None:
        body["refresh_token"] = tokens.refresh_token
    return _json(body, NO_STORE)


@router.post(
    REVOKE_PATH,
    responses=docs.OAUTH_ERRORS,
    openapi_extra=TOKEN_CHECK_FORM,
    summary="Revoke an access token (RFC 7009)",
    description="Form-encoded: `token`, optional `token_type_hint` (not needed: access and "
    "refresh tokens are told apart by their form). Authenticate as at the token endpoint; "
    "public clients send their `client_id`. Revoking a refresh token ends its whole family "
    "and the access tokens it issued. A client can revoke only tokens issued to it; the "
    "answer is 200 with an empty body whether or not the token was valid, already revoked "
    "or another client's, so it reveals nothing about the token.",
)
async def revoke(request: Request, state: State, uow: UoW) -> Response:
    basic = _uses_basic(request)
    try:
        client = await _client_request(request)
        await identity.revoke_token(
            uow,
            state.keys,
            state.settings,
            token=_token_parameter(client.form),
            credentials=client.credentials,
        )
    except OAuthError as error:
        return _oauth_error(error, basic=basic)
    return Response(status_code=200, headers=NO_STORE)


@router.post(
    INTROSPECT_PATH,
    responses=docs.OAUTH_ERRORS,
    openapi_extra=TOKEN_CHECK_FORM,
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
            token=_token_parameter(client.form),
            credentials=client.credentials,
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
        "authorization_endpoint": base + AUTHORIZE_PATH,
        "token_endpoint": base + TOKEN_PATH,
        "jwks_uri": base + JWKS_PATH,
        "revocation_endpoint": base + REVOKE_PATH,
        "introspection_endpoint": base + INTROSPECT_PATH,
        "grant_types_supported": GRANT_TYPES,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "code_challenge_methods_supported": [authorization.S256],
        "token_endpoint_auth_methods_supported": TOKEN_AUTH_METHODS,
        "token_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGORITHMS,
        "revocation_endpoint_auth_methods_supported": TOKEN_AUTH_METHODS,
        "revocation_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGORITHMS,
        "introspection_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "introspection_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGORITHMS,
        # RFC 9207: the authorisation response carries `iss`.
        "authorization_response_iss_parameter_supported": True,
        "scopes_supported": [s.value for s in Scope],
    }
    return _json(body, {"Cache-Control": "public, max-age=300"})
