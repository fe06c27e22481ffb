"""All SQL for OAuth clients and revoked tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.identity.models import OAuthClient, RevokedToken
from domain.shared.ids import utcnow
from domain.tenancy.models import ProgrammeMember


@dataclass(frozen=True)
class ClientStanding:
    """What a request needs to know about its client, read in one statement."""

    organisation_id: UUID
    roles: frozenset[str]
    disabled_at: datetime | None
    programme_ids: frozenset[UUID]
    token_revoked: bool


class ClientRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, client: OAuthClient) -> None:
        self.session.add(client)

    async def by_client_id(self, client_id: str) -> OAuthClient | None:
        return (
            await self.session.scalars(
                select(OAuthClient).where(col(OAuthClient.client_id) == client_id)
            )
        ).one_or_none()

    async def standing(self, client_id: str, *, token_id: str) -> ClientStanding | None:
        """The client behind a token and whether that token was revoked: authenticating a
        request costs this one statement."""
        revoked = select(col(RevokedToken.jti)).where(col(RevokedToken.jti) == token_id).exists()
        programmes = (
            select(func.array_agg(col(ProgrammeMember.programme_id)))
            .where(col(ProgrammeMember.organisation_id) == col(OAuthClient.organisation_id))
            .scalar_subquery()
        )
        row = (
            await self.session.execute(
                select(
                    col(OAuthClient.organisation_id),
                    col(OAuthClient.roles),
                    col(OAuthClient.disabled_at),
                    programmes,
                    revoked,
                ).where(col(OAuthClient.client_id) == client_id)
            )
        ).one_or_none()
        if row is None:
            return None
        return ClientStanding(
            organisation_id=row[0],
            roles=frozenset(row[1] or ()),
            disabled_at=row[2],
            programme_ids=frozenset(row[3] or ()),
            token_revoked=bool(row[4]),
        )


class RevokedTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *, jti: str, client_id: str, expires_at: datetime) -> None:
        # Revoking twice (or two revocations racing) is not an error: RFC 7009 answers 200.
        await self.session.execute(
            insert(RevokedToken)
            .values(jti=jti, client_id=client_id, expires_at=expires_at, revoked_at=utcnow())
            .on_conflict_do_nothing(index_elements=[col(RevokedToken.jti)])
        )

    async def delete_expired(self, before: datetime) -> None:
        await self.session.execute(
            delete(RevokedToken).where(col(RevokedToken.expires_at) < before)
        )
