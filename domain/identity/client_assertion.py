"""private_key_jwt client authentication (RFC 7523 section 2.2 and 3; OpenID Connect Core 9).

A confidential client whose public JWK set is registered signs a short JWT with its private
key instead of sending a secret: `iss` and `sub` are its client id, `aud` is our token
endpoint (or our issuer), `exp` is soon, and `jti` is never used twice. Only asymmetric
algorithms are accepted, so `alg: none` and HS256 "signed" with the public key fail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from domain.identity.errors import InvalidClient
from domain.identity.models import OAuthClient
from domain.identity.repository import ClientRepository, UsedAssertionRepository
from domain.shared.ids import utcnow
from domain.shared.uow import UnitOfWork

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = [
    "ES256",
    "ES384",
    "ES512",
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "EdDSA",
]
ASYMMETRIC_KEY_TYPES = frozenset({"EC", "RSA", "OKP"})
MAX_ASSERTION_BYTES = 8192
# An assertion is for one request: refuse any that lives longer than this (a long-lived one
# would be a bearer secret by another name).
MAX_LIFETIME_SECONDS = 600
LEEWAY_SECONDS = 30


def _failed() -> InvalidClient:
    # One answer for every reason, like a wrong secret: the caller learns nothing about
    # which check failed (the reason is in the server's hands, not the attacker's).
    return InvalidClient("Client authentication failed.")


def _unverified_claims(assertion: str) -> dict[str, Any]:
    try:
        payload = jws.extract_compact(assertion.encode()).payload
        claims = orjson.loads(payload)
    except (JoseError, ValueError, UnicodeError) as exc:
        raise _failed() from exc
    if not isinstance(claims, dict):
        raise _failed()
    return claims


def client_key_set(client: OAuthClient) -> KeySet | None:
    """The client's registered public keys, asymmetric ones only."""
    if not client.jwks or not isinstance(client.jwks.get("keys"), list):
        return None
    keys = [
        k
        for k in client.jwks["keys"]
        if isinstance(k, dict) and k.get("kty") in ASYMMETRIC_KEY_TYPES and "d" not in k
    ]
    if not keys:
        return None
    try:
        return KeySet.import_key_set({"keys": keys})
    except (JoseError, ValueError) as exc:
        raise _failed() from exc


def validate_jwks(value: dict[str, Any]) -> str | None:
    """Why a JWK set cannot be registered on a client, or None when it can."""
    keys = value.get("keys")
    if not isinstance(keys, list) or not keys:
        return "must be a JWK set with at least one key"
    for key in keys:
        if not isinstance(key, dict) or key.get("kty") not in ASYMMETRIC_KEY_TYPES:
            return "keys must be public EC, RSA or OKP keys"
        if "d" in key:
            return "register the public key only (no private part)"
    try:
        KeySet.import_key_set({"keys": keys})
    except (JoseError, ValueError):
        return "is not a valid JWK set"
    return None


async def authenticate_with_assertion(
    uow: UnitOfWork,
    *,
    assertion: str,
    client_id: str | None,
    audiences: list[str],
) -> OAuthClient:
    """The client that signed `assertion`; InvalidClient otherwise. Records the jti and
    commits it at once, so a replay fails even if the rest of the request does."""
    if len(assertion) > MAX_ASSERTION_BYTES:
        raise _failed()
    unverified = _unverified_claims(assertion)
    subject = unverified.get("sub")
    if not isinstance(subject, str) or (client_id is not None and client_id != subject):
        raise _failed()
    client = await ClientRepository(uow.session).by_client_id(subject)
    if client is None or client.disabled_at is not None:
        raise _failed()
    keys = client_key_set(client)
    if keys is None:
        raise _failed()
    try:
        decoded = jwt.decode(assertion, keys, algorithms=ALGORITHMS)
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": client.client_id},
            sub={"essential": True, "value": client.client_id},
            aud={"essential": True, "values": audiences},
            exp={"essential": True},
            jti={"essential": True},
        ).validate(decoded.claims)
    except (JoseError, ValueError) as exc:
        raise _failed() from exc
    claims = decoded.claims
    now = utcnow()
    expires_at = datetime.fromtimestamp(int(claims["exp"]), UTC)
    if expires_at - now > timedelta(seconds=MAX_LIFETIME_SECONDS):
        raise _failed()
    jti = str(claims["jti"])
    if not jti or len(jti) > 200:
        raise _failed()
    used = UsedAssertionRepository(uow.session)
    await used.delete_expired(now - timedelta(seconds=LEEWAY_SECONDS))
    fresh = await used.claim(
        client_id=client.client_id,
        jti=jti,
        expires_at=expires_at + timedelta(seconds=LEEWAY_SECONDS),
    )
    # Committed now, on its own: the jti must stay used whatever happens next in the request.
    await uow.commit()
    if not fresh:
        raise _failed()
    return client
