"""OAuth clients, the service's signing keys, and revoked access tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import DateTime, LargeBinary, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from domain.shared.ids import utcnow
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
