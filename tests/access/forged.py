"""Tokens an attacker might present: each must be refused with 401 wherever it is sent."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import orjson
from joserfc.jwk import ECKey

from api.state import AppState
from domain.identity import tokens
from domain.identity.models import OAuthClient
from tests.factories import mint_token


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _claims_of(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = orjson.loads(_unb64(token.split(".")[1]))
    return claims


async def forged_tokens(state: AppState, client: OAuthClient) -> dict[str, str]:
    """Name -> token, all for a client that is otherwise allowed everything."""
    valid = await mint_token(state, client)
    claims = _claims_of(valid)
    ring = await state.keys.ring()
    stranger = ECKey.generate_key("P-256", parameters={"kid": "not-one-of-ours"})
    unknown_key = tokens.issue(
        stranger,
        issuer=state.settings.token_issuer,
        audience=state.settings.token_audience,
        subject=claims["sub"],
        client_id=client.client_id,
        organisation_id=client.organisation_id,
        scopes=client.scopes,
        ttl_seconds=600,
    )
    kid = ring.signing.kid
    none_header = _b64(orjson.dumps({"alg": "none", "typ": "at+jwt", "kid": kid}))
    alg_none = f"{none_header}.{valid.split('.')[1]}."
    # The classic confusion: HS256 keyed with the service's PUBLIC key, which anyone can fetch.
    public_pem = ring.signing.as_pem(private=False)
    hs_header = _b64(orjson.dumps({"alg": "HS256", "typ": "at+jwt", "kid": kid}))
    signing_input = f"{hs_header}.{valid.split('.')[1]}".encode()
    signature = hmac.new(public_pem, signing_input, hashlib.sha256).digest()
    hs256_public = f"{signing_input.decode()}.{_b64(signature)}"
    return {
        "expired": await mint_token(state, client, ttl_seconds=-300),
        "unknown_key": unknown_key,
        "alg_none": alg_none,
        "hs256_with_public_key": hs256_public,
        "wrong_audience": await mint_token(state, client, audience="someone-else"),
    }
