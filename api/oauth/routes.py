"""The OAuth 2 token endpoint and the key set. RFC 6749 errors, not problem+json, because
OAuth client libraries read the `error` member (the problem fields are sent alongside)."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote_plus

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from api.deps import State, UoW
from api.problems import problem_body
from domain.identity import service as identity
from domain.identity.errors import InvalidClient, InvalidRequest, OAuthError, UnsupportedGrantType

router = APIRouter(tags=["oauth"])

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


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


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str, bool]:
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
        return unquote_plus(client_id), unquote_plus(secret), True
    client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    if not client_id or not secret:
        raise InvalidClient("Client authentication is required.")
    return client_id, secret, False


@router.post(
    "/oauth/token",
    summary="Get an access token (client_credentials)",
    description="Form-encoded (RFC 6749 section 4.4). Authenticate with HTTP Basic "
    "(client_secret_basic) or client_id and client_secret in the form (client_secret_post).",
)
async def token(request: Request, state: State, uow: UoW) -> Response:
    basic = False
    try:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            raise InvalidRequest("Send the request as application/x-www-form-urlencoded.")
        raw = await request.form()
        values = {k: v for k, v in raw.multi_items() if isinstance(v, str)}
        if len(values) != len(raw.multi_items()):
            raise InvalidRequest("Each parameter may be sent once.")
        form = dict(values)
        basic = bool(request.headers.get("authorization"))
        client_id, secret, basic = _client_credentials(request, form)
        grant_type = form.get("grant_type")
        if not grant_type:
            raise InvalidRequest("grant_type is required.")
        if grant_type != identity.CLIENT_CREDENTIALS:
            raise UnsupportedGrantType(f"The grant type '{grant_type}' is not supported here.")
        issued = await identity.issue_client_credentials_token(
            uow,
            state.keys,
            state.settings,
            client_id=client_id,
            client_secret=secret,
            scope=form.get("scope"),
        )
    except OAuthError as error:
        return _oauth_error(error, basic=basic)
    body = {
        "access_token": issued.access_token,
        "token_type": issued.token_type,
        "expires_in": issued.expires_in,
        "scope": issued.scope,
    }
    return Response(orjson.dumps(body), media_type="application/json", headers=NO_STORE)


@router.get("/.well-known/jwks.json", summary="Public keys that sign access tokens")
async def jwks(state: State) -> Response:
    ring = await state.keys.ring()
    return Response(
        orjson.dumps(ring.public_jwks()),
        media_type="application/jwk-set+json",
        headers={"Cache-Control": "public, max-age=300"},
    )
