"""All SQL for organisations, programmes and sites."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.tenancy.models import Organisation, Programme, ProgrammeMember, Site


class TenancyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def programme_ids_of(self, organisation_id: UUID) -> frozenset[UUID]:
        rows = await self.session.scalars(
            select(col(ProgrammeMember.programme_id)).where(
                col(ProgrammeMember.organisation_id) == organisation_id
            )
        )
        return frozenset(rows.all())

    async def site_in_programme(self, site_id: UUID, programme_id: UUID) -> bool:
        """A site may carry a programme's records when a member organisation owns it."""
        query = (
            select(col(Site.id))
            .join(
                ProgrammeMember, col(ProgrammeMember.organisation_id) == col(Site.organisation_id)
            )
            .where(col(Site.id) == site_id, col(ProgrammeMember.programme_id) == programme_id)
        )
        return (await self.session.scalar(query)) is not None

    async def organisations_by_ids(self, ids: Sequence[UUID]) -> list[Organisation]:
        rows = await self.session.scalars(select(Organisation).where(col(Organisation.id).in_(ids)))
        return list(rows.all())

    async def programmes_by_ids(self, ids: Sequence[UUID]) -> list[Programme]:
        rows = await self.session.scalars(select(Programme).where(col(Programme.id).in_(ids)))
        return list(rows.all())

    async def sites_by_ids(self, ids: Sequence[UUID]) -> list[Site]:
        rows = await self.session.scalars(select(Site).where(col(Site.id).in_(ids)))
        return list(rows.all())
