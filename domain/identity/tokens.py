"""RFC 9068 JWT access tokens: issued with the newest key, verified against the key ring."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet

from domain.identity.errors import InvalidToken

# The service's signing algorithm; keys.py makes its keys for it.
ALGORITHM = "ES256"
TOKEN_TYPE = "at+jwt"
# A token no larger than this is plenty for our claims; anything bigger is refused unread.
MAX_TOKEN_BYTES = 8192
# Clock skew allowed on `exp` and `nbf`; a revocation must outlive a token by as much.
LEEWAY_SECONDS = 30


@dataclass(frozen=True)
class AccessClaims:
    subject: str
    client_id: str
    organisation_id: UUID
    scopes: frozenset[str]
    token_id: str
    expires_at: int
    issued_at: int | None


def issue(
    key: ECKey,
    *,
    issuer: str,
    audience: str,
    subject: str,
    client_id: str,
    organisation_id: UUID,
    scopes: list[str],
    ttl_seconds: int,
    token_id: str | None = None,
) -> str:
    """A signed access token; `token_id` (the `jti`) is made here unless the caller needs to
    know it first (to record it, so that revoking a refresh family can revoke it too)."""
    now = int(time.time())
    header = {"alg": ALGORITHM, "typ": TOKEN_TYPE, "kid": key.kid}
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": subject,
        "aud": audience,
        "exp": now + ttl_seconds,
        "iat": now,
        "nbf": now,
        "jti": token_id or new_token_id(),
        "client_id": client_id,
        "scope": " ".join(scopes),
        "org": str(organisation_id),
    }
    return jwt.encode(header, claims, key, algorithms=[ALGORITHM])


def new_token_id() -> str:
    return secrets.token_urlsafe(16)


def unverified_kid(token: str) -> str | None:
    try:
        header = jws.extract_compact(token.encode()).headers()
    except (JoseError, ValueError, UnicodeError):
        return None
    kid = header.get("kid")
    return kid if isinstance(kid, str) else None


def verify(
    token: str, keys: KeySet, *, issuer: str, audience: str, leeway: int = LEEWAY_SECONDS
) -> AccessClaims:
    if len(token) > MAX_TOKEN_BYTES:
        raise InvalidToken("The token is too large.")
    try:
        # Only our algorithm: refuses `alg: none`, HS256 with a public key, and the rest.
        decoded = jwt.decode(token, keys, algorithms=[ALGORITHM])
    except JoseError as exc:
        raise InvalidToken("The token's signature or format is not valid.") from exc
    except ValueError as exc:
        raise InvalidToken("The token is not a JWT.") from exc
    if decoded.header.get("typ") != TOKEN_TYPE:
        raise InvalidToken(f"The token's typ must be '{TOKEN_TYPE}'.")
    registry = jwt.JWTClaimsRegistry(
        leeway=leeway,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": audience},
        exp={"essential": True},
        sub={"essential": True},
        jti={"essential": True},
        client_id={"essential": True},
        org={"essential": True},
    )
    try:
        registry.validate(decoded.claims)
    except JoseError as exc:
        raise InvalidToken(_describe(exc)) from exc
    claims = decoded.claims
    try:
        organisation_id = UUID(str(claims["org"]))
    except ValueError as exc:
        raise InvalidToken("The token's organisation is not valid.") from exc
    scope = claims.get("scope", "")
    issued_at = claims.get("iat")
    return AccessClaims(
        subject=str(claims["sub"]),
        client_id=str(claims["client_id"]),
        organisation_id=organisation_id,
        scopes=frozenset(str(scope).split()),
        token_id=str(claims["jti"]),
        expires_at=int(claims["exp"]),
        issued_at=int(issued_at) if isinstance(issued_at, int | float) else None,
    )


def _describe(exc: JoseError) -> str:
    name = type(exc).__name__
    if name == "ExpiredTokenError":
        return "The token has expired."
    return f"The token's claims are not valid ({exc.description or name})."
