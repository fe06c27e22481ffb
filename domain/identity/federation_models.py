"""Trusted external issuers: a council's identity provider whose access tokens the hub
accepts for people of one organisation, up to a ceiling of scopes."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import DateTime, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field

from domain.shared.models import RecordFields


class TrustedIssuer(RecordFields, table=True):
    __tablename__ = "trusted_issuers"

    name: str = Field(max_length=200)
    # The exact `iss` its tokens carry; one registration per issuer.
    issuer: str = Field(max_length=500, unique=True)
    jwks_url: str = Field(max_length=2000)
    # The `aud` its tokens must carry for this hub.
    audience: str = Field(max_length=500)
    # The claim naming the person (`sub`, `email`, `oid`, ...).
    subject_claim: str = Field(default="sub", max_length=100)
    # People it vouches for act for this organisation.
    organisation_id: UUID = Field(foreign_key="organisations.id", index=True)
    # The most a token from it may carry: its own `scope` claim is intersected with this.
    max_scopes: list[str] = Field(default_factory=list, sa_type=ARRAY(Text))
    disabled_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
