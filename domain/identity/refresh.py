"""Tokens for people: access tokens with a rotating refresh-token family behind them.

A family is one sign-in at one client. Every issue (the code exchange, each refresh) adds a
row that records the access token's `jti`, and, when the client may refresh, the SHA-256 of
a new opaque refresh token. Using a refresh token marks it used and issues the next one;
presenting a used one again is a replay (RFC 9700 4.14.2), so the whole family is revoked:
its refresh tokens stop working and its live access tokens go on the revocation list.
A family also has an absolute end (`Settings.refresh_family_max_seconds`) however often it
is rotated."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from domain.audit import service as audit
from domain.identity import tokens
from domain.identity.errors import InvalidGrant, InvalidScope, UnauthorizedClient
from domain.identity.keys import KeyStore
from domain.identity.models import OAuthClient, RefreshFamily, RefreshToken, User
from domain.identity.repository import RefreshRepository, RevokedTokenRepository, UserRepository
from domain.identity.roles import permitted_scopes
from domain.identity.users import principal_of
from domain.shared.config import Settings
from domain.shared.ids import utcnow
from domain.shared.principal import Principal
from domain.shared.uow import UnitOfWork

REFRESH_TOKEN = "refresh_token"
AUTHORIZATION_CODE = "authorization_code"
# Opaque tokens get a prefix so a secret scanner (and a person) can tell what leaked.
REFRESH_PREFIX = "hubrt_"


@dataclass(frozen=True)
class UserTokens:
    access_token: str
    expires_in: int
    scope: str
    refresh_token: str | None
    token_type: str = "Bearer"


def digest(value: str) -> str:
    """SHA-256 hex: codes and refresh tokens are long random strings, so a fast hash is
    enough to keep them useless to whoever reads the table."""
    return hashlib.sha256(value.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def new_family(
    settings: Settings, *, user: User, client: OAuthClient, scopes: list[str]
) -> RefreshFamily:
    now = utcnow()
    return RefreshFamily(
        user_id=user.id,
        client_id=client.client_id,
        organisation_id=user.organisation_id,
        scopes=sorted(scopes),
        created_at=now,
        expires_at=now + timedelta(seconds=settings.refresh_family_max_seconds),
    )


async def issue(
    uow: UnitOfWork,
    keys: KeyStore,
    settings: Settings,
    *,
    user: User,
    client: OAuthClient,
    family: RefreshFamily,
    scopes: list[str],
) -> UserTokens:
    """An access token (and a refresh token if the client may refresh) in `family`. The
    caller has added the family and commits."""
    now = utcnow()
    jti = tokens.new_token_id()
    ttl = settings.access_token_ttl_seconds
    ring = await keys.ring()
    access = tokens.issue(
        ring.signing,
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        subject=str(user.id),
        client_id=client.client_id,
        organisation_id=user.organisation_id,
        scopes=scopes,
        ttl_seconds=ttl,
        token_id=jti,
    )
    refresh: str | None = None
    if REFRESH_TOKEN in client.grant_types:
        refresh = REFRESH_PREFIX + secrets.token_urlsafe(32)
    expires_at = min(now + timedelta(seconds=settings.refresh_token_ttl_seconds), family.expires_at)
    RefreshRepository(uow.session).add(
        RefreshToken(
            family_id=family.id,
            token_hash=digest(refresh) if refresh else None,
            access_token_jti=jti,
            # The token's own exp, plus the leeway it may still verify within.
            access_expires_at=now + timedelta(seconds=ttl + tokens.LEEWAY_SECONDS),
            created_at=now,
            expires_at=expires_at,
        )
    )
    return UserTokens(
        access_token=access, expires_in=ttl, scope=" ".join(scopes), refresh_token=refresh
    )


async def revoke_family(
    uow: UnitOfWork, family: RefreshFamily, *, reason: str, actor: Principal
) -> None:
    """Ends a family: its refresh tokens and every access token it issued that could still
    verify. The caller commits."""
    if family.revoked_at is not None:
        return
    now = utcnow()
    refresh = RefreshRepository(uow.session)
    await refresh.mark_family_revoked(family.id, reason=reason, now=now)
    family.revoked_at = now
    family.revoked_reason = reason
    revoked = RevokedTokenRepository(uow.session)
    for jti, expires_at in await refresh.live_access_tokens(family.id, now):
        await revoked.add(jti=jti, client_id=family.client_id, expires_at=expires_at)
    audit.record(
        uow,
        actor,
        action="revoke",
        entity_type="refresh_family",
        entity_id=family.id,
        changes={"reason": reason, "client_id": family.client_id},
    )


async def refresh_tokens(
    uow: UnitOfWork,
    keys: KeyStore,
    settings: Settings,
    *,
    client: OAuthClient,
    refresh_token: str,
    scope: str | None,
) -> UserTokens:
    """The refresh_token grant with rotation (RFC 6749 section 6, RFC 9700 4.14.2)."""
    if REFRESH_TOKEN not in client.grant_types:
        raise UnauthorizedClient("This client may not use the refresh_token grant.")
    repo = RefreshRepository(uow.session)
    row = await repo.token_for_update(digest(refresh_token))
    if row is None:
        raise InvalidGrant("The refresh token is not valid.")
    family = await repo.family_for_update(row.family_id)
    if family is None or family.client_id != client.client_id:
        # Another client's token (or a family deleted with its user): say nothing more.
        raise InvalidGrant("The refresh token is not valid.")
    user = await UserRepository(uow.session).get(family.user_id)
    if user is None:
        raise InvalidGrant("The refresh token is not valid.")
    now = utcnow()
    if family.revoked_at is not None:
        raise InvalidGrant("The refresh token has been revoked.")
    if row.used_at is not None:
        await revoke_family(uow, family, reason="refresh_token_reused", actor=principal_of(user))
        await uow.commit()
        raise InvalidGrant("The refresh token was already used; its sign-in has been revoked.")
    if row.expires_at <= now or family.expires_at <= now:
        raise InvalidGrant("The refresh token has expired; sign in again.")
    if user.disabled_at is not None:
        raise InvalidGrant("The account is disabled.")
    # Roles may have shrunk since sign-in: a refresh never grants more than they permit now.
    allowed = (
        set(family.scopes)
        & set(client.scopes)
        & permitted_scopes(await UserRepository(uow.session).role_names(user.id))
    )
    scopes = sorted(allowed)
    if scope is not None and scope.strip():
        requested = set(scope.split())
        if not requested <= set(family.scopes):
            raise InvalidScope("A refresh cannot add scopes the sign-in did not grant.")
        scopes = sorted(requested & allowed)
    row.used_at = now
    issued = await issue(
        uow, keys, settings, user=user, client=client, family=family, scopes=scopes
    )
    await uow.commit()
    return issued
