"""All SQL for OAuth clients."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.identity.models import OAuthClient
from domain.tenancy.models import ProgrammeMember


@dataclass(frozen=True)
class ClientStanding:
    """What a request needs to know about its client, read in one statement."""

    organisation_id: UUID
    roles: frozenset[str]
    disabled_at: datetime | None
    programme_ids: frozenset[UUID]


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

    async def standing(self, client_id: str) -> ClientStanding | None:
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
        )
