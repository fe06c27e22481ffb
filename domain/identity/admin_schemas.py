"""What administrators send and get back: users, OAuth clients and trusted issuers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlsplit
from uuid import UUID

from pydantic import AfterValidator, Field, SecretStr, field_validator

from domain.identity.roles import RoleName
from domain.shared.principal import Scope
from domain.shared.schemas import InputModel, ReadModel, ShortText

MAX_ROLES = 50
MAX_REDIRECT_URIS = 10


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _https(value: str) -> str:
    if not value.startswith("https://") or len(value) <= len("https://"):
        raise ValueError("must be an https:// URL")
    return value


Name = Annotated[ShortText, AfterValidator(_not_blank)]
HttpsUrl = Annotated[str, Field(max_length=2000), AfterValidator(_https)]
Issuer = Annotated[str, Field(max_length=500), AfterValidator(_https)]
ClaimName = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z_][\w:.\-/]*$")]


def _unique(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


# People


class RoleGrantInput(InputModel):
    role: RoleName
    programme_id: UUID | None = None
    team_id: UUID | None = None


class RoleGrantRead(ReadModel):
    role: str
    programme_id: UUID | None
    team_id: UUID | None


class UserCreate(InputModel):
    email: Annotated[str, Field(min_length=3, max_length=320)]
    display_name: Name
    # Optional: people who sign in only through their council's identity provider have none.
    password: SecretStr | None = None
    roles: Annotated[list[RoleGrantInput], Field(max_length=MAX_ROLES)] = []
    # Platform administrators name the organisation; an organisation's admin may omit it.
    organisation_id: UUID | None = None


class UserUpdate(InputModel):
    """Every field optional. `roles`, when sent, replaces the person's roles."""

    display_name: Name | None = None
    roles: Annotated[list[RoleGrantInput], Field(max_length=MAX_ROLES)] | None = None
    disabled: bool | None = None
    # Clears a lockout after repeated failed sign-ins.
    unlock: bool | None = None


class UserRead(ReadModel):
    id: UUID
    organisation_id: UUID
    email: str
    display_name: str
    roles: list[RoleGrantRead]
    has_password: bool
    disabled_at: datetime | None
    locked_until: datetime | None
    last_login_at: datetime | None
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class UserFilters(InputModel):
    organisation_id: UUID | None = None
    disabled: bool | None = None


# OAuth clients


class ClientKind(StrEnum):
    # A partner's server: authenticates with a secret or a registered key.
    confidential = "confidential"
    # A mobile or browser app acting for a person: PKCE, no secret.
    public = "public"


class GrantType(StrEnum):
    client_credentials = "client_credentials"
    authorization_code = "authorization_code"
    refresh_token = "refresh_token"


def _redirect_uri(value: str) -> str:
    # Exact-match URIs (RFC 9700 2.1): https, the loopback for native apps, or an app's
    # private-use scheme (RFC 8252 7.1, reverse domain name). No fragments.
    if "#" in value:
        raise ValueError("must not contain a fragment")
    parts = urlsplit(value)
    if "@" in parts.netloc:
        raise ValueError("must not carry a user name or password")
    # The loopback host exactly: `http://127.0.0.1.example.org` is a remote host in clear.
    loopback = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "::1")
    https = parts.scheme == "https" and bool(parts.hostname)
    private_use = (
        "." in parts.scheme and parts.scheme.isascii() and not parts.netloc and bool(parts.path)
    )
    if not (https or loopback or private_use):
        raise ValueError("must be https://, the loopback address or an app's private scheme")
    return value


RedirectUri = Annotated[str, Field(min_length=8, max_length=2000), AfterValidator(_redirect_uri)]


class ClientCreate(InputModel):
    name: Name
    kind: ClientKind = ClientKind.confidential
    grant_types: Annotated[list[GrantType], Field(min_length=1, max_length=3)] = [
        GrantType.client_credentials
    ]
    scopes: Annotated[list[Scope], Field(max_length=len(Scope))] = []
    roles: Annotated[list[RoleName], Field(max_length=len(RoleName))] = []
    redirect_uris: Annotated[list[RedirectUri], Field(max_length=MAX_REDIRECT_URIS)] = []
    # Public JWKs for private_key_jwt (RFC 7523) instead of, or besides, a secret.
    jwks: dict[str, Any] | None = None
    organisation_id: UUID | None = None

    _dedupe = field_validator("grant_types", "scopes", "roles", "redirect_uris")(_unique)


class ClientUpdate(InputModel):
    name: Name | None = None
    scopes: Annotated[list[Scope], Field(max_length=len(Scope))] | None = None
    redirect_uris: Annotated[list[RedirectUri], Field(max_length=MAX_REDIRECT_URIS)] | None = None
    jwks: dict[str, Any] | None = None
    disabled: bool | None = None

    _dedupe = field_validator("scopes", "redirect_uris")(
        lambda v: None if v is None else _unique(v)
    )


class ClientRead(ReadModel):
    id: UUID
    client_id: str
    name: str
    organisation_id: UUID
    kind: ClientKind
    grant_types: list[str]
    scopes: list[str]
    roles: list[str]
    redirect_uris: list[str]
    has_secret: bool
    has_keys: bool
    disabled_at: datetime | None
    last_used_at: datetime | None
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class ClientWithSecret(ClientRead):
    """Returned once, when a client is made or its secret rotated; only a hash is kept."""

    client_secret: str | None


class ClientFilters(InputModel):
    organisation_id: UUID | None = None


# Trusted issuers


class TrustedIssuerCreate(InputModel):
    name: Name
    issuer: Issuer
    jwks_url: HttpsUrl
    audience: Annotated[str, Field(min_length=1, max_length=500)]
    subject_claim: ClaimName = "sub"
    organisation_id: UUID
    max_scopes: Annotated[list[Scope], Field(max_length=len(Scope))] = []

    _dedupe = field_validator("max_scopes")(_unique)


class TrustedIssuerUpdate(InputModel):
    name: Name | None = None
    jwks_url: HttpsUrl | None = None
    audience: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    subject_claim: ClaimName | None = None
    max_scopes: Annotated[list[Scope], Field(max_length=len(Scope))] | None = None
    disabled: bool | None = None


class TrustedIssuerRead(ReadModel):
    id: UUID
    name: str
    issuer: str
    jwks_url: str
    audience: str
    subject_claim: str
    organisation_id: UUID
    max_scopes: list[str]
    disabled_at: datetime | None
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int
