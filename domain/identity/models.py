"""OAuth clients, the service's signing keys, revoked access tokens, and people: users,
their roles, authorisation codes, refresh-token families and used client assertions."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import CheckConstraint, DateTime, LargeBinary, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from domain.identity.roles import RoleName
from domain.shared.ids import new_id, utcnow
from domain.shared.models import RecordFields


class OAuthClient(RecordFields, table=True):
    """A registered client. Partner systems are confidential clients of one organisation."""

    __tablename__ = "oauth_clients"

    client_id: str = Field(max_length=100, unique=True)
    name: str = Field(max_length=200)
    organisation_id: UUID = Field(foreign_key="organisations.id", index=True)
    # argon2 hash; NULL for public clients (authorisation code + PKCE, a later grant).
    secret_hash: str | None = Field(default=None, max_length=200)
    scopes: list[str] = Field(default_factory=list, sa_type=ARRAY(Text))
    roles: list[str] = Field(default_factory=list, sa_type=ARRAY(Text))
    grant_types: list[str] = Field(default_factory=list, sa_type=ARRAY(Text))
    disabled_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    # Exact-match redirect URIs for the authorisation code grant (RFC 9700 2.1).
    redirect_uris: list[str] = Field(default_factory=list, sa_type=ARRAY(Text))
    # Public JWKs for private_key_jwt client authentication (RFC 7523); NULL: no key.
    jwks: dict[str, Any] | None = Field(default=None, sa_type=JSONB)
    # When it last obtained a token, for administrators deciding what to disable.
    last_used_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class SigningKey(SQLModel, table=True):
    """A JWS signing key; the private half is encrypted with the configured key."""

    __tablename__ = "signing_keys"

    kid: str = Field(primary_key=True, max_length=64)
    alg: str = Field(max_length=16)
    public_jwk: dict[str, Any] = Field(sa_type=JSONB)
    private_jwk_encrypted: bytes = Field(sa_type=LargeBinary)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    # Signs new tokens while it is the newest unretired key; verifies until retired.
    retired_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class RevokedToken(SQLModel, table=True):
    """An access token its client revoked (RFC 7009), kept until the token expires: tokens
    are self-contained JWTs, so refusing one before its `exp` needs a list of its `jti`."""

    __tablename__ = "revoked_tokens"

    jti: str = Field(primary_key=True, max_length=200)
    client_id: str = Field(max_length=100)
    # The token's own `exp`; once past it (and the verification leeway) the row can go.
    expires_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    revoked_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class User(RecordFields, table=True):
    """A person in one organisation. The email is stored lower-cased (the check makes sure),
    so the unique constraint makes it unique case-insensitively."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("email = lower(email)", name="user_email_lower"),)

    organisation_id: UUID = Field(foreign_key="organisations.id", index=True)
    email: str = Field(max_length=320, unique=True)
    display_name: str = Field(max_length=200)
    # argon2; NULL for people who sign in only through a trusted issuer.
    password_hash: str | None = Field(default=None, max_length=200)
    disabled_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    failed_logins: int = Field(default=0)
    locked_until: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    last_login_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


def _roles_check() -> str:
    return f"role IN ({', '.join(repr(r.value) for r in RoleName)})"


class UserRole(SQLModel, table=True):
    """A role a person holds, organisation-wide or in one programme or team. Team ids come
    from the implementation area and carry no foreign key here."""

    __tablename__ = "user_roles"
    __table_args__ = (
        CheckConstraint(_roles_check(), name="user_role_name"),
        UniqueConstraint(
            "user_id",
            "role",
            "programme_id",
            "team_id",
            name="uq_user_roles_grant",
            postgresql_nulls_not_distinct=True,
        ),
    )

    id: UUID = Field(default_factory=new_id, primary_key=True)
    user_id: UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    role: str = Field(max_length=32)
    programme_id: UUID | None = Field(
        default=None, foreign_key="programmes.id", ondelete="CASCADE", index=True
    )
    team_id: UUID | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    created_by: str = Field(max_length=200)


class RefreshFamily(SQLModel, table=True):
    """One sign-in's chain of refresh tokens. Revoking the family ends every token in it;
    `expires_at` is the absolute cap however often the chain is rotated."""

    __tablename__ = "refresh_families"

    id: UUID = Field(default_factory=new_id, primary_key=True)
    user_id: UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    client_id: str = Field(max_length=100, index=True)
    organisation_id: UUID = Field(foreign_key="organisations.id")
    scopes: list[str] = Field(default_factory=list, sa_type=ARRAY(Text))
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    revoked_reason: str | None = Field(default=None, max_length=64)


class RefreshToken(SQLModel, table=True):
    """One issue in a family: the access token issued then (so revoking the family revokes
    it too) and, when the client may refresh, the hash of the refresh token."""

    __tablename__ = "refresh_tokens"

    id: UUID = Field(default_factory=new_id, primary_key=True)
    family_id: UUID = Field(foreign_key="refresh_families.id", ondelete="CASCADE", index=True)
    # SHA-256 of the opaque token; NULL when the client gets no refresh token.
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    access_token_jti: str = Field(max_length=200)
    access_expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    # Set when rotated: presenting it again is a replay and revokes the family.
    used_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class AuthorizationCode(SQLModel, table=True):
    """A code issued at the authorisation endpoint, stored as its SHA-256. Single use: the
    first exchange sets `used_at` and `family_id`; a second one revokes that family."""

    __tablename__ = "authorization_codes"

    code_hash: str = Field(primary_key=True, max_length=64)
    client_id: str = Field(max_length=100)
    user_id: UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    redirect_uri: str = Field(sa_type=Text)
    scopes: list[str] = Field(default_factory=list, sa_type=ARRAY(Text))
    code_challenge: str = Field(max_length=128)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    used_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    family_id: UUID | None = Field(
        default=None, foreign_key="refresh_families.id", ondelete="SET NULL"
    )


class UsedClientAssertion(SQLModel, table=True):
    """The `jti` of each private_key_jwt assertion a client used, kept until it expires, so
    an assertion cannot be replayed (RFC 7523 section 3)."""

    __tablename__ = "used_client_assertions"

    client_id: str = Field(primary_key=True, max_length=100)
    jti: str = Field(primary_key=True, max_length=200)
    expires_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
