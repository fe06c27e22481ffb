"""The authorisation code grant with PKCE (RFC 6749 section 4.1, RFC 7636, RFC 9700).

Driven from async code on joserfc and Authlib's PKCE primitive rather than through Authlib's
synchronous AuthorizationServer: the rest of the service (client_credentials, verification,
revocation) is already async code on joserfc, and one async session per request keeps one
transaction per use case instead of a second, synchronous session in a thread pool.

The steps: `begin` checks the client and its exact redirect URI (errors there are shown to
the person, never redirected, so a forged link cannot bounce them to an attacker) and then
the rest of the request (errors from here go back to the client's redirect URI with
`state`). `login` signs the person in and returns a consent ticket: a short JWT signed by
the service (typ `hub-consent+jwt`, never accepted as an access token) that carries the
checked request and the person, bound to the browser's CSRF cookie, so the service keeps no
session between the two pages. `consent` turns an approved ticket into a single-use code
that lives `Settings.authorization_code_ttl_seconds` and is stored only as its SHA-256.
`exchange_code` checks the code, client, redirect URI and PKCE verifier; a second exchange
of one code revokes everything the first one issued."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit
from uuid import UUID

from authlib.oauth2.rfc7636 import create_s256_code_challenge  # type: ignore[import-untyped]
from joserfc import jwt
from joserfc.errors import JoseError

from domain.audit import service as audit
from domain.identity import refresh
from domain.identity.errors import InvalidGrant, UnauthorizedClient
from domain.identity.keys import KeyStore
from domain.identity.models import AuthorizationCode, OAuthClient, User
from domain.identity.repository import (
    AuthorizationCodeRepository,
    ClientRepository,
    RefreshRepository,
    UsedAssertionRepository,
    UserRepository,
)
from domain.identity.roles import permitted_scopes
from domain.identity.tokens import ALGORITHM, unverified_kid
from domain.identity.users import authenticate_user, principal_of
from domain.shared.config import Settings
from domain.shared.errors import DomainError
from domain.shared.ids import utcnow
from domain.shared.principal import SCOPE_DESCRIPTIONS, Scope
from domain.shared.uow import UnitOfWork

AUTHORIZATION_CODE = refresh.AUTHORIZATION_CODE
S256 = "S256"
CONSENT_TYPE = "hub-consent+jwt"
CODE_PREFIX = "hubac_"
# RFC 7636 4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
# An S256 challenge is the unpadded base64url of a SHA-256: exactly 43 characters.
S256_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")
MAX_STATE = 1024


class AuthorizePageError(DomainError):
    """The request cannot be trusted to name a redirect URI: tell the person, not the
    client (RFC 6749 4.1.2.1)."""

    code = "invalid_authorization_request"
    title = "This sign-in link is not valid"


class AuthorizeRedirectError(DomainError):
    """An error the client hears about at its (checked) redirect URI."""

    code = "authorization_error"
    title = "Authorisation error"

    def __init__(self, error: str, detail: str, *, redirect_uri: str, state: str | None) -> None:
        super().__init__(detail)
        self.error = error
        self.redirect_uri = redirect_uri
        self.state = state

    @property
    def location(self) -> str:
        params = {"error": self.error, "error_description": self.detail}
        return redirect_with(self.redirect_uri, params, state=self.state)


@dataclass(frozen=True)
class AuthorizationRequest:
    """A checked request: the client, its exact redirect URI, what it asks for."""

    client_id: str
    client_name: str
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    code_challenge: str

    def as_params(self) -> dict[str, str]:
        """The request as the query parameters that made it (for the login form)."""
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": " ".join(self.scopes),
            "code_challenge": self.code_challenge,
            "code_challenge_method": S256,
        }
        if self.state is not None:
            params["state"] = self.state
        return params


@dataclass(frozen=True)
class Consent:
    """What the consent page shows, and the ticket its form sends back."""

    request: AuthorizationRequest
    user_display_name: str
    scopes: tuple[str, ...]
    ticket: str

    def scope_descriptions(self) -> list[tuple[str, str]]:
        return [(s, SCOPE_DESCRIPTIONS.get(Scope(s), s)) for s in self.scopes]


def s256(verifier: str) -> str:
    """BASE64URL(SHA256(verifier)) without padding (RFC 7636 4.2), by Authlib."""
    return str(create_s256_code_challenge(verifier))


def redirect_with(uri: str, params: Mapping[str, str], *, state: str | None) -> str:
    """`uri` with `params` (and `state`) added to its query, keeping its own query."""
    values = dict(params)
    if state is not None:
        values["state"] = state
    parts = urlsplit(uri)
    extra = urlencode(values)
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))


async def check_client(uow: UnitOfWork, client_id: str, redirect_uri: str) -> OAuthClient:
    """The client and its redirect URI, compared exactly (RFC 9700 2.1): no prefix, no
    pattern, no normalisation; one character's difference is a different URI."""
    if not client_id:
        raise AuthorizePageError("The link does not say which application is asking.")
    client = await ClientRepository(uow.session).by_client_id(client_id)
    if client is None or client.disabled_at is not None:
        raise AuthorizePageError("The application that sent you here is not registered.")
    if AUTHORIZATION_CODE not in client.grant_types:
        raise AuthorizePageError("The application that sent you here may not ask people.")
    if not redirect_uri:
        raise AuthorizePageError("The link does not say where to return to.")
    if redirect_uri not in client.redirect_uris:
        raise AuthorizePageError(
            "The address the application asked to return to is not one it registered."
        )
    return client


def check_request(client: OAuthClient, params: Mapping[str, str]) -> AuthorizationRequest:
    """The rest of the request, once the redirect URI can be trusted."""
    redirect_uri = params["redirect_uri"]
    state = params.get("state")
    if state is not None and len(state) > MAX_STATE:
        raise AuthorizeRedirectError(
            "invalid_request", "state is too long.", redirect_uri=redirect_uri, state=None
        )

    def fail(error: str, detail: str) -> AuthorizeRedirectError:
        return AuthorizeRedirectError(error, detail, redirect_uri=redirect_uri, state=state)

    if params.get("response_type") != "code":
        raise fail("unsupported_response_type", "Only response_type=code is supported.")
    challenge = params.get("code_challenge")
    if not challenge:
        raise fail("invalid_request", "PKCE is required: send code_challenge (S256).")
    # A missing method means "plain" (RFC 7636 4.3), which proves nothing if the request is
    # seen; OAuth 2.1 and RFC 9700 want S256.
    if params.get("code_challenge_method") != S256:
        raise fail("invalid_request", "code_challenge_method must be S256.")
    if not S256_CHALLENGE.match(challenge):
        raise fail("invalid_request", "code_challenge is not an S256 challenge.")
    allowed = set(client.scopes)
    raw_scope = params.get("scope", "").strip()
    if raw_scope:
        requested = set(raw_scope.split())
        refused = sorted(requested - allowed)
        if refused:
            raise fail("invalid_scope", f"Scopes not allowed for this client: {' '.join(refused)}.")
        scopes = tuple(sorted(requested))
    else:
        scopes = tuple(sorted(allowed))
    return AuthorizationRequest(
        client_id=client.client_id,
        client_name=client.name,
        redirect_uri=redirect_uri,
        scopes=scopes,
        state=state,
        code_challenge=challenge,
    )


async def begin(uow: UnitOfWork, params: Mapping[str, str]) -> AuthorizationRequest:
    client = await check_client(uow, params.get("client_id", ""), params.get("redirect_uri", ""))
    return check_request(client, params)


def _ticket_claims(settings: Settings) -> tuple[str, str]:
    issuer = settings.token_issuer
    return issuer, issuer.rstrip("/") + "/oauth/authorize"


async def login(
    uow: UnitOfWork,
    keys: KeyStore,
    settings: Settings,
    request: AuthorizationRequest,
    *,
    email: str,
    password: str,
    browser_binding: str,
) -> Consent:
    """Signs the person in (LoginFailed otherwise) and asks for their consent. The scopes
    offered are what the client asked for, cut to what the person's roles permit."""
    user = await authenticate_user(
        uow, settings, email=email, password=password, client_id=request.client_id
    )
    roles = await UserRepository(uow.session).role_names(user.id)
    scopes = tuple(s for s in request.scopes if s in permitted_scopes(roles))
    if not scopes:
        raise AuthorizeRedirectError(
            "access_denied",
            "None of the requested scopes is permitted to this person.",
            redirect_uri=request.redirect_uri,
            state=request.state,
        )
    issuer, audience = _ticket_claims(settings)
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": str(user.id),
        "iat": now,
        "exp": now + settings.consent_ticket_ttl_seconds,
        "browser": browser_binding,
        "jti": secrets.token_urlsafe(16),
        "request": request.as_params(),
        "granted": list(scopes),
    }
    ring = await keys.ring()
    ticket = jwt.encode(
        {"alg": ALGORITHM, "typ": CONSENT_TYPE, "kid": ring.signing.kid},
        claims,
        ring.signing,
        algorithms=[ALGORITHM],
    )
    return Consent(
        request=request, user_display_name=user.display_name, scopes=scopes, ticket=ticket
    )


@dataclass(frozen=True)
class _Ticket:
    user_id: UUID
    params: dict[str, str]
    granted: tuple[str, ...]
    jti: str
    expires_at: int


async def _open_ticket(
    keys: KeyStore, settings: Settings, ticket: str, browser_binding: str
) -> _Ticket:
    issuer, audience = _ticket_claims(settings)
    expired = AuthorizePageError(
        "This consent page has expired or was not sent by this browser; start again from "
        "the application."
    )
    try:
        ring = await keys.ring(wanted_kid=unverified_kid(ticket))
        decoded = jwt.decode(ticket, ring.verifying, algorithms=[ALGORITHM])
        if decoded.header.get("typ") != CONSENT_TYPE:
            raise expired
        jwt.JWTClaimsRegistry(
            leeway=5,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            sub={"essential": True},
            jti={"essential": True},
            browser={"essential": True, "value": browser_binding},
        ).validate(decoded.claims)
        claims = decoded.claims
        params = {str(k): str(v) for k, v in dict(claims["request"]).items()}
        return _Ticket(
            user_id=UUID(str(claims["sub"])),
            params=params,
            granted=tuple(str(s) for s in claims["granted"]),
            jti=str(claims["jti"]),
            expires_at=int(claims["exp"]),
        )
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise expired from exc


async def consent(
    uow: UnitOfWork,
    keys: KeyStore,
    settings: Settings,
    *,
    ticket: str,
    browser_binding: str,
    approved: bool,
) -> str:
    """The person's answer; returns where to send the browser (the client's redirect URI
    with a code, or with access_denied)."""
    opened = await _open_ticket(keys, settings, ticket, browser_binding)
    # The client and its redirect URI again: it may have been disabled meanwhile.
    request = await begin(uow, opened.params)
    # One answer per ticket: a replayed consent form (same browser, same ticket) must not
    # mint a second code. The ticket's jti is kept until it expires, as an assertion's is.
    used = UsedAssertionRepository(uow.session)
    expires_at = datetime.fromtimestamp(opened.expires_at, UTC)
    if not await used.claim(
        client_id=f"consent:{request.client_id}"[:100], jti=opened.jti, expires_at=expires_at
    ):
        raise AuthorizePageError(
            "This consent page was already answered; start again from the application."
        )
    user = await UserRepository(uow.session).get(opened.user_id)
    if not approved or user is None or user.disabled_at is not None:
        raise AuthorizeRedirectError(
            "access_denied",
            "The person did not allow access.",
            redirect_uri=request.redirect_uri,
            state=request.state,
        )
    code = CODE_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    codes = AuthorizationCodeRepository(uow.session)
    await codes.delete_expired(now)
    codes.add(
        AuthorizationCode(
            code_hash=refresh.digest(code),
            client_id=request.client_id,
            user_id=user.id,
            redirect_uri=request.redirect_uri,
            scopes=list(opened.granted),
            code_challenge=request.code_challenge,
            created_at=now,
            expires_at=now + timedelta(seconds=settings.authorization_code_ttl_seconds),
        )
    )
    audit.record(
        uow,
        principal_of(user, client_id=request.client_id),
        action="authorize",
        entity_type="user",
        entity_id=user.id,
        changes={"client_id": request.client_id, "scopes": list(opened.granted)},
    )
    await uow.commit()
    # RFC 9207: `iss` tells the client which server answered (mix-up defence).
    return redirect_with(
        request.redirect_uri, {"code": code, "iss": settings.token_issuer}, state=request.state
    )


async def exchange_code(
    uow: UnitOfWork,
    keys: KeyStore,
    settings: Settings,
    *,
    client: OAuthClient,
    code: str,
    redirect_uri: str | None,
    code_verifier: str | None,
) -> refresh.UserTokens:
    """The token request of the code grant (RFC 6749 4.1.3, RFC 7636 4.5)."""
    if AUTHORIZATION_CODE not in client.grant_types:
        raise UnauthorizedClient("This client may not use the authorization_code grant.")
    if not code:
        raise InvalidGrant("code is required.")
    codes = AuthorizationCodeRepository(uow.session)
    row = await codes.for_update(refresh.digest(code))
    if row is None or row.client_id != client.client_id:
        raise InvalidGrant("The authorisation code is not valid.")
    user = await UserRepository(uow.session).get(row.user_id)
    if row.used_at is not None:
        # A replayed code: someone else may hold it. Revoke what it issued (RFC 6749 4.1.2).
        if row.family_id is not None and user is not None:
            family = await RefreshRepository(uow.session).family_for_update(row.family_id)
            if family is not None:
                await refresh.revoke_family(
                    uow, family, reason="authorization_code_reused", actor=principal_of(user)
                )
                await uow.commit()
        raise InvalidGrant("The authorisation code was already used; its tokens are revoked.")
    if row.expires_at <= utcnow():
        raise InvalidGrant("The authorisation code has expired.")
    if redirect_uri != row.redirect_uri:
        raise InvalidGrant("redirect_uri does not match the authorisation request.")
    if not code_verifier or not VERIFIER.match(code_verifier):
        raise InvalidGrant("code_verifier is missing or malformed.")
    if not refresh.same(s256(code_verifier), row.code_challenge):
        raise InvalidGrant("code_verifier does not match the code_challenge.")
    if user is None or user.disabled_at is not None:
        raise InvalidGrant("The account is disabled.")
    return await _issue_for_code(uow, keys, settings, client=client, row=row, user=user)


async def _issue_for_code(
    uow: UnitOfWork,
    keys: KeyStore,
    settings: Settings,
    *,
    client: OAuthClient,
    row: AuthorizationCode,
    user: User,
) -> refresh.UserTokens:
    family = refresh.new_family(settings, user=user, client=client, scopes=row.scopes)
    repo = RefreshRepository(uow.session)
    repo.add(family)
    await uow.session.flush()  # the family's row before the token rows that point at it
    issued = await refresh.issue(
        uow, keys, settings, user=user, client=client, family=family, scopes=list(row.scopes)
    )
    row.used_at = utcnow()
    row.family_id = family.id
    await uow.commit()
    return issued
