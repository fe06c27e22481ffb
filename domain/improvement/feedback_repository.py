"""All SQL for practice-policy feedback items."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.improvement.feedback import FeedbackItem, FeedbackItemFilters
from domain.shared.authz import RowAccess
from domain.shared.pagination import PageRequest


class FeedbackRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, item: FeedbackItem) -> None:
        self.session.add(item)

    async def get(
        self, access: RowAccess, item_id: UUID, *, for_update: bool = False
    ) -> FeedbackItem | None:
        query = select(FeedbackItem).where(
            col(FeedbackItem.id) == item_id,
            col(FeedbackItem.deleted_at).is_(None),
            access.shared_rows(FeedbackItem),
        )
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def list(
        self, access: RowAccess, filters: FeedbackItemFilters, page: PageRequest
    ) -> list[FeedbackItem]:
        query = select(FeedbackItem).where(
            col(FeedbackItem.deleted_at).is_(None), access.shared_rows(FeedbackItem)
        )
        if filters.programme_id is not None:
            query = query.where(col(FeedbackItem.programme_id) == filters.programme_id)
        if filters.status is not None:
            query = query.where(col(FeedbackItem.status) == filters.status.value)
        if filters.cycle_id is not None:
            query = query.where(col(FeedbackItem.cycle_id) == filters.cycle_id)
        if page.after is not None:
            query = query.where(col(FeedbackItem.id) < page.after)
        query = query.order_by(col(FeedbackItem.id).desc()).limit(page.limit + 1)
        return list((await self.session.scalars(query)).all())
