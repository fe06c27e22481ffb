"""SQL for the administration use cases: pages of trusted issuers, users and clients."""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.identity.federation_models import TrustedIssuer
from domain.identity.models import OAuthClient, User, UserRole
from domain.shared.pagination import PageRequest, keyset


class AdminRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def trusted_issuers(self, page: PageRequest) -> list[TrustedIssuer]:
        query = keyset(select(TrustedIssuer), col(TrustedIssuer.id), page)
        return list((await self.session.scalars(query)).all())

    async def users(
        self, page: PageRequest, *, organisation_id: UUID | None, disabled: bool | None
    ) -> list[User]:
        query = select(User)
        if organisation_id is not None:
            query = query.where(col(User.organisation_id) == organisation_id)
        if disabled is not None:
            column = col(User.disabled_at)
            query = query.where(column.is_not(None) if disabled else column.is_(None))
        return list((await self.session.scalars(keyset(query, col(User.id), page))).all())

    async def roles_of(self, user_ids: list[UUID]) -> dict[UUID, list[UserRole]]:
        """Every listed person's roles in one statement."""
        found: dict[UUID, list[UserRole]] = defaultdict(list)
        if user_ids:
            rows = await self.session.scalars(
                select(UserRole)
                .where(col(UserRole.user_id).in_(user_ids))
                .order_by(col(UserRole.created_at), col(UserRole.id))
            )
            for row in rows:
                found[row.user_id].append(row)
        return found

    async def replace_roles(self, user_id: UUID, roles: list[UserRole]) -> None:
        await self.session.execute(delete(UserRole).where(col(UserRole.user_id) == user_id))
        self.session.add_all(roles)

    async def clients(
        self, page: PageRequest, *, organisation_id: UUID | None
    ) -> list[OAuthClient]:
        query = select(OAuthClient)
        if organisation_id is not None:
            query = query.where(col(OAuthClient.organisation_id) == organisation_id)
        return list((await self.session.scalars(keyset(query, col(OAuthClient.id), page))).all())
