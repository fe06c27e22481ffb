"""Use cases for access tokens: registering clients, authenticating them (secret,
private_key_jwt or, for public clients, none), the client_credentials grant, and checking,
revoking and introspecting tokens of clients and of people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from domain.audit import service as audit
from domain.identity import refresh, tokens
from domain.identity.client_assertion import authenticate_with_assertion
from domain.identity.errors import InvalidClient, InvalidScope, InvalidToken, UnauthorizedClient
from domain.identity.keys import KeyStore
from domain.identity.models import OAuthClient
from domain.identity.repository import (
    ClientRepository,
    RefreshRepository,
    RevokedTokenRepository,
    UserRepository,
)
from domain.identity.roles import permitted_scopes
from domain.identity.secrets import hash_secret, new_client_id, new_secret, verify_secret
from domain.shared.config import Settings
from domain.shared.errors import FieldError, ValidationFailed
from domain.shared.ids import utcnow
from domain.shared.principal import Principal, PrincipalKind, Role, Scope
from domain.shared.uow import UnitOfWork
from domain.tenancy.models import Organisation

CLIENT_CREDENTIALS = "client_credentials"
TOKEN_ENDPOINT_PATH = "/oauth/token"
CLIENT_PREFIX = "client:"
KNOWN_SCOPES = frozenset(s.value for s in Scope)
KNOWN_ROLES = frozenset(r.value for r in Role)


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scope: str
    token_type: str = "Bearer"


@dataclass(frozen=True)
class ActiveToken:
    """What introspection (RFC 7662) says about a token that is active."""

    scope: str
    client_id: str
    sub: str
    aud: str
    iss: str
    exp: int
    iat: int | None
    jti: str
    org: UUID
    token_type: str = "Bearer"


@dataclass(frozen=True)
class RegisteredClient:
    client: OAuthClient
    secret: str  # shown once; only its hash is stored


async def register_client(
    uow: UnitOfWork,
    principal: Principal,
    *,
    organisation_id: UUID,
    name: str,
    scopes: list[str],
    roles: list[str],
) -> RegisteredClient:
    if principal.kind is not PrincipalKind.system:
        principal.require_platform_admin(Scope.admin)
    errors = [
        FieldError("/scopes", f"unknown scope '{s}'") for s in scopes if s not in KNOWN_SCOPES
    ] + [FieldError("/roles", f"unknown role '{r}'") for r in roles if r not in KNOWN_ROLES]
    if not name.strip():
        errors.append(FieldError("/name", "must not be empty"))
    if await uow.session.get(Organisation, organisation_id) is None:
        errors.append(FieldError("/organisation_id", "no such organisation"))
    if errors:
        raise ValidationFailed(errors)
    secret = new_secret()
    client = OAuthClient(
        client_id=new_client_id(),
        name=name.strip(),
        organisation_id=organisation_id,
        secret_hash=hash_secret(secret),
        scopes=sorted(set(scopes)),
        roles=sorted(set(roles)),
        grant_types=[CLIENT_CREDENTIALS],
        created_by=principal.subject,
    )
    ClientRepository(uow.session).add(client)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="create",
        entity_type="oauth_client",
        entity_id=client.id,
        changes={
            "client_id": client.client_id,
            "name": client.name,
            "scopes": client.scopes,
            "roles": client.roles,
            "organisation_id": organisation_id,
        },
    )
    await uow.commit()
    return RegisteredClient(client=client, secret=secret)


@dataclass(frozen=True)
class ClientCredentials:
    """How a client identified itself at the token, revocation or introspection endpoint:
    a secret (client_secret_basic / _post), a signed assertion (private_key_jwt), or, for a
    public client, only its id."""

    client_id: str | None
    secret: str | None = None
    assertion: str | None = None


def token_endpoint_audiences(settings: Settings) -> list[str]:
    """What a private_key_jwt assertion's `aud` may be: our token endpoint or our issuer."""
    issuer = settings.token_issuer
    return [issuer.rstrip("/") + TOKEN_ENDPOINT_PATH, issuer, issuer.rstrip("/")]


async def authenticate(
    uow: UnitOfWork, settings: Settings, credentials: ClientCredentials, *, allow_public: bool
) -> OAuthClient:
    """The client behind a request. Confidential clients must prove who they are with the
    means they registered; a public client (no secret, no keys) names itself, which is
    enough only where `allow_public` (the code and refresh grants, bound by PKCE and by
    the refresh token itself)."""
    if credentials.assertion is not None:
        return await authenticate_with_assertion(
            uow,
            assertion=credentials.assertion,
            client_id=credentials.client_id,
            audiences=token_endpoint_audiences(settings),
        )
    if credentials.secret is not None:
        return await authenticate_client(uow, credentials.client_id or "", credentials.secret)
    if not credentials.client_id:
        raise InvalidClient("Client authentication is required.")
    client = await ClientRepository(uow.session).by_client_id(credentials.client_id)
    if (
        client is None
        or client.disabled_at is not None
        or client.secret_hash is not None
        or client.jwks is not None
        or not allow_public
    ):
        raise InvalidClient("Client authentication failed.")
    return client


async def authenticate_client(uow: UnitOfWork, client_id: str, secret: str) -> OAuthClient:
    """A confidential client by its id and secret, for the token, revocation and
    introspection endpoints; InvalidClient for anything else."""
    client = await ClientRepository(uow.session).by_client_id(client_id)
    # Always run the hash check, so an unknown client id costs the same as a wrong secret.
    secret_ok = await verify_secret(client.secret_hash if client else None, secret)
    if client is None or not secret_ok or client.disabled_at is not None:
        raise InvalidClient("Client authentication failed.")
    return client


async def issue_client_credentials_token(
    uow: UnitOfWork,
    keys: KeyStore,
    settings: Settings,
    *,
    client_id: str,
    client_secret: str,
    scope: str | None,
) -> IssuedToken:
    client = await authenticate_client(uow, client_id, client_secret)
    return await client_credentials_token(keys, settings, client=client, scope=scope)


async def client_credentials_token(
    keys: KeyStore, settings: Settings, *, client: OAuthClient, scope: str | None
) -> IssuedToken:
    """RFC 6749 section 4.4 for an authenticated client. Never a refresh token: the client
    can always authenticate again."""
    if CLIENT_CREDENTIALS not in client.grant_types:
        raise UnauthorizedClient("This client may not use the client_credentials grant.")
    allowed = set(client.scopes)
    if scope is None or not scope.strip():
        granted = sorted(allowed)
    else:
        requested = set(scope.split())
        refused = sorted(requested - allowed)
        if refused:
            raise InvalidScope(f"Scopes not allowed for this client: {' '.join(refused)}.")
        granted = sorted(requested)
    ring = await keys.ring()
    token = tokens.issue(
        ring.signing,
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        subject=f"{CLIENT_PREFIX}{client.client_id}",
        client_id=client.client_id,
        organisation_id=client.organisation_id,
        scopes=granted,
        ttl_seconds=settings.access_token_ttl_seconds,
    )
    return IssuedToken(
        access_token=token, expires_in=settings.access_token_ttl_seconds, scope=" ".join(granted)
    )


async def _claims(keys: KeyStore, settings: Settings, token: str) -> tokens.AccessClaims:
    """The claims of a token we signed that has not expired; InvalidToken otherwise."""
    ring = await keys.ring(wanted_kid=tokens.unverified_kid(token))
    return tokens.verify(
        token, ring.verifying, issuer=settings.token_issuer, audience=settings.token_audience
    )


async def _active(
    uow: UnitOfWork, keys: KeyStore, settings: Settings, token: str
) -> tuple[tokens.AccessClaims, Principal]:
    """A token the API would accept now, and who it speaks for (one statement)."""
    claims = await _claims(keys, settings, token)
    if claims.subject.startswith(CLIENT_PREFIX):
        return claims, await _client_principal(uow, claims)
    return claims, await _user_principal(uow, claims)


async def _client_principal(uow: UnitOfWork, claims: tokens.AccessClaims) -> Principal:
    standing = await ClientRepository(uow.session).standing(
        claims.client_id, token_id=claims.token_id
    )
    # A disabled or deleted client, or one moved to another organisation, loses its tokens
    # at once rather than when they expire.
    if (
        standing is None
        or standing.disabled_at is not None
        or standing.organisation_id != claims.organisation_id
    ):
        raise InvalidToken("The token's client is no longer active.")
    if standing.token_revoked:
        raise InvalidToken("The token has been revoked.")
    return Principal(
        kind=PrincipalKind.client,
        subject=claims.subject,
        organisation_id=claims.organisation_id,
        client_id=claims.client_id,
        programme_ids=standing.programme_ids,
        roles=standing.roles,
        scopes=claims.scopes,
        token_id=claims.token_id,
    )


async def _user_principal(uow: UnitOfWork, claims: tokens.AccessClaims) -> Principal:
    """A person's token: `sub` is their user id. A disabled person, a disabled client or a
    move to another organisation ends the token at once. A locked-out person's tokens keep
    working: the lock stops password guessing, and anyone can trigger it by typing wrong
    passwords for someone else's email, so it must not sign the real person out."""
    try:
        user_id = UUID(claims.subject)
    except ValueError as exc:
        raise InvalidToken("The token's subject is not valid.") from exc
    standing = await UserRepository(uow.session).standing(
        user_id, client_id=claims.client_id, token_id=claims.token_id
    )
    if (
        standing is None
        or standing.disabled_at is not None
        or standing.organisation_id != claims.organisation_id
        or not standing.client_active
    ):
        raise InvalidToken("The token's user or client is no longer active.")
    if standing.token_revoked:
        raise InvalidToken("The token has been revoked.")
    return Principal(
        kind=PrincipalKind.user,
        subject=f"user:{user_id}",
        organisation_id=claims.organisation_id,
        client_id=claims.client_id,
        programme_ids=standing.programme_ids,
        roles=standing.roles,
        # Roles taken away since the token was issued take their scopes with them now.
        scopes=claims.scopes & permitted_scopes(standing.roles),
        token_id=claims.token_id,
    )


async def principal_for_token(
    uow: UnitOfWork, keys: KeyStore, settings: Settings, token: str
) -> Principal:
    _, principal = await _active(uow, keys, settings, token)
    return principal


async def _authenticated(
    uow: UnitOfWork,
    settings: Settings,
    *,
    client_id: str,
    client_secret: str | None,
    credentials: ClientCredentials | None,
    allow_public: bool,
) -> OAuthClient:
    if credentials is not None:
        return await authenticate(uow, settings, credentials, allow_public=allow_public)
    return await authenticate_client(uow, client_id, client_secret or "")


async def revoke_token(
    uow: UnitOfWork,
    keys: KeyStore,
    settings: Settings,
    *,
    client_id: str = "",
    client_secret: str | None = None,
    token: str,
    credentials: ClientCredentials | None = None,
) -> None:
    """RFC 7009. The caller learns nothing about the token: an unknown, expired, already
    revoked or another client's token is answered like a revoked one, and only the client a
    token was issued to can revoke it. An access token goes on the revocation list; a
    refresh token ends its whole family (and the access tokens it issued). Public clients
    may revoke their own refresh tokens with their client id alone (RFC 7009 section 2.1):
    holding the token is the proof. The `token_type_hint` is not needed to tell them apart."""
    client = await _authenticated(
        uow,
        settings,
        client_id=client_id,
        client_secret=client_secret,
        credentials=credentials,
        allow_public=True,
    )
    try:
        claims = await _claims(keys, settings, token)
    except InvalidToken:
        await _revoke_refresh_token(uow, client, token)
        return
    if claims.client_id != client.client_id:
        return
    revoked = RevokedTokenRepository(uow.session)
    await revoked.add(
        jti=claims.token_id,
        client_id=client.client_id,
        expires_at=datetime.fromtimestamp(claims.expires_at, UTC),
    )
    # Housekeeping while we are here: a row is needed only while its token would verify.
    await revoked.delete_expired(utcnow() - timedelta(seconds=tokens.LEEWAY_SECONDS))
    await uow.commit()


async def _revoke_refresh_token(uow: UnitOfWork, client: OAuthClient, token: str) -> None:
    repo = RefreshRepository(uow.session)
    row = await repo.token_for_update(refresh.digest(token))
    if row is None:
        return
    family = await repo.family_for_update(row.family_id)
    if family is None or family.client_id != client.client_id:
        return
    actor = Principal(
        kind=PrincipalKind.client,
        subject=f"{CLIENT_PREFIX}{client.client_id}",
        organisation_id=client.organisation_id,
        client_id=client.client_id,
    )
    await refresh.revoke_family(uow, family, reason="revoked_by_client", actor=actor)
    await uow.commit()


async def introspect_token(
    uow: UnitOfWork,
    keys: KeyStore,
    settings: Settings,
    *,
    client_id: str = "",
    client_secret: str | None = None,
    token: str,
    credentials: ClientCredentials | None = None,
) -> ActiveToken | None:
    """RFC 7662, for authenticated (confidential) clients; None means `{"active": false}`.
    A client sees only tokens of its own organisation (a partner gateway checks the tokens
    its own systems hold): another organisation's token is inactive to it, so introspection
    cannot be used to learn about other organisations' clients or people."""
    client = await _authenticated(
        uow,
        settings,
        client_id=client_id,
        client_secret=client_secret,
        credentials=credentials,
        allow_public=False,
    )
    try:
        claims, _ = await _active(uow, keys, settings, token)
    except InvalidToken:
        return None
    if claims.organisation_id != client.organisation_id:
        return None
    return ActiveToken(
        scope=" ".join(sorted(claims.scopes)),
        client_id=claims.client_id,
        sub=claims.subject,
        aud=settings.token_audience,  # verify() required exactly these two
        iss=settings.token_issuer,
        exp=claims.expires_at,
        iat=claims.issued_at,
        jti=claims.token_id,
        org=claims.organisation_id,
    )
