"""Federation: access tokens from an identity provider a platform administrator trusted.

A council's identity provider signs tokens for its own staff; the hub accepts them for the
organisation the issuer was registered for, with at most the scopes it was allowed. Its
keys are fetched from its JWKS URL over HTTPS and cached; a token naming a key the cache
does not hold makes one refetch, but never more often than a floor, so a stream of
made-up `kid`s cannot turn the hub into a load generator against the provider."""

from __future__ import annotations

import asyncio
import base64
import binascii
import time
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import func, select
from sqlmodel import col

from domain.identity import service as identity
from domain.identity.errors import InvalidToken
from domain.identity.federation_models import TrustedIssuer
from domain.identity.keys import KeyStore
from domain.identity.tokens import LEEWAY_SECONDS, MAX_TOKEN_BYTES
from domain.shared.config import Settings
from domain.shared.errors import ServiceUnavailable
from domain.shared.principal import Principal, PrincipalKind
from domain.shared.uow import UnitOfWork
from domain.tenancy.models import ProgrammeMember

# Asymmetric algorithms only: `none` and HMAC (whose key would be the public JWK) never.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]
# RFC 9068 access tokens say `at+jwt`; many providers still send `JWT` or nothing. An ID
# token presented instead is refused by the audience check (its `aud` is the client).
ACCEPTED_TYPES = {None, "JWT", "at+jwt", "application/at+jwt"}
MAX_JWKS_BYTES = 256 * 1024


def claimed_issuer(token: str) -> str | None:
    """The `iss` a JWT claims, read without verifying it: only to choose which keys to
    verify it with. None when the token is not a JWT with a string `iss`."""
    if len(token) > MAX_TOKEN_BYTES:
        return None
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = orjson.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error, orjson.JSONDecodeError):
        return None
    issuer = payload.get("iss") if isinstance(payload, dict) else None
    return issuer if isinstance(issuer, str) else None


@dataclass
class _CachedKeys:
    url: str
    keys: KeySet
    fetched_at: float


class FederationKeys:
    """Per process: each trusted issuer's key set, refreshed after `ttl` seconds, or on an
    unknown `kid` once `floor` seconds have passed since the last fetch."""

    def __init__(
        self,
        *,
        ttl: float = 300.0,
        floor: float = 30.0,
        timeout: float = 5.0,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.ttl = ttl
        self.floor = floor
        self.timeout = timeout
        # Tests put an in-process identity provider here; production makes its own client.
        self.http = http
        self.fetches = 0
        self._cache: dict[str, _CachedKeys] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def key_set(self, issuer: TrustedIssuer, wanted_kid: str | None) -> KeySet:
        key = str(issuer.id)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            cached = self._cache.get(key)
            now = time.monotonic()
            if (
                cached is None
                or cached.url != issuer.jwks_url
                or now - cached.fetched_at > self.ttl
            ) or (
                wanted_kid is not None
                and not _has_kid(cached.keys, wanted_kid)
                and now - cached.fetched_at > self.floor
            ):
                cached = await self._fetch(issuer, key, fallback=cached)
            return cached.keys

    async def _fetch(
        self, issuer: TrustedIssuer, key: str, fallback: _CachedKeys | None
    ) -> _CachedKeys:
        self.fetches += 1
        try:
            body = await self._get(issuer.jwks_url)
            keys = KeySet.import_key_set(orjson.loads(body))
        except (httpx.HTTPError, ValueError, JoseError, orjson.JSONDecodeError) as exc:
            if fallback is not None and fallback.url == issuer.jwks_url:
                # Keep verifying with what we had; try again after the floor, not at once.
                fallback.fetched_at = time.monotonic() - self.ttl + self.floor
                return fallback
            raise ServiceUnavailable(
                f"The keys of the issuer '{issuer.issuer}' could not be fetched; try again.",
                retry_after_seconds=int(self.floor),
            ) from exc
        cached = _CachedKeys(url=issuer.jwks_url, keys=keys, fetched_at=time.monotonic())
        self._cache[key] = cached
        return cached

    async def _get(self, url: str) -> bytes:
        client = self.http or httpx.AsyncClient(timeout=self.timeout, follow_redirects=False)
        try:
            async with client.stream("GET", url, headers={"Accept": "application/json"}) as r:
                r.raise_for_status()
                body = b""
                async for chunk in r.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_JWKS_BYTES:
                        raise ValueError("The JWKS document is too large.")
                return body
        finally:
            if self.http is None:
                await client.aclose()


def _has_kid(keys: KeySet, kid: str) -> bool:
    return any(k.kid == kid for k in keys.keys)


def _header(token: str) -> dict[str, Any]:
    segment = token.split(".")[0]
    try:
        header = orjson.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise InvalidToken("The token is not a JWT.") from exc
    if not isinstance(header, dict):
        raise InvalidToken("The token is not a JWT.")
    return header


def _scopes_of(claims: dict[str, Any]) -> set[str]:
    scope = claims.get("scope", claims.get("scp"))
    if isinstance(scope, str):
        return set(scope.split())
    if isinstance(scope, list):
        return {s for s in scope if isinstance(s, str)}
    return set()


async def federated_principal(
    uow: UnitOfWork, keys: FederationKeys, token: str, issuer_claim: str
) -> Principal:
    issuer = (
        await uow.session.scalars(
            select(TrustedIssuer).where(
                col(TrustedIssuer.issuer) == issuer_claim, col(TrustedIssuer.disabled_at).is_(None)
            )
        )
    ).one_or_none()
    if issuer is None:
        raise InvalidToken("The token's issuer is not this service or an issuer it trusts.")
    header = _header(token)
    if header.get("typ") not in ACCEPTED_TYPES:
        raise InvalidToken("The token's typ is not one of an access token.")
    kid = header.get("kid")
    key_set = await keys.key_set(issuer, kid if isinstance(kid, str) else None)
    try:
        decoded = jwt.decode(token, key_set, algorithms=ALGORITHMS)
    except JoseError as exc:
        raise InvalidToken("The token's signature or format is not valid.") from exc
    except ValueError as exc:
        raise InvalidToken("The token is not a JWT.") from exc
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": issuer.issuer},
        aud={"essential": True, "value": issuer.audience},
        exp={"essential": True},
    )
    try:
        registry.validate(decoded.claims)
    except JoseError as exc:
        raise InvalidToken(f"The token is not valid: {exc.error}.") from exc
    person = decoded.claims.get(issuer.subject_claim)
    if not isinstance(person, str) or not person.strip():
        raise InvalidToken(f"The token has no '{issuer.subject_claim}' naming the person.")
    programmes = (
        await uow.session.scalars(
            select(func.array_agg(col(ProgrammeMember.programme_id))).where(
                col(ProgrammeMember.organisation_id) == issuer.organisation_id
            )
        )
    ).one()
    jti = decoded.claims.get("jti")
    return Principal(
        kind=PrincipalKind.user,
        subject=f"federated:{issuer.id}:{person}",
        organisation_id=issuer.organisation_id,
        client_id=f"issuer:{issuer.id}",
        programme_ids=frozenset(programmes or ()),
        # A provider grants what its token says, never beyond what the hub allowed it.
        scopes=frozenset(_scopes_of(decoded.claims) & set(issuer.max_scopes)),
        token_id=jti if isinstance(jti, str) else None,
    )


async def principal_for_bearer(
    uow: UnitOfWork,
    keys: KeyStore,
    federation: FederationKeys,
    settings: Settings,
    token: str,
) -> Principal:
    """Whoever signed it: the hub's own tokens are checked by the identity service, any
    other `iss` only if a platform administrator registered it."""
    issuer = claimed_issuer(token)
    if issuer is None or issuer == settings.token_issuer:
        return await identity.principal_for_token(uow, keys, settings, token)
    return await federated_principal(uow, federation, token, issuer)
