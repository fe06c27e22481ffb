"""All SQL for ramps and the cycles in them."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.improvement.models import Cycle, Ramp
from domain.improvement.ramp_rules import Link
from domain.improvement.ramp_schemas import RampFilters
from domain.shared.authz import RowAccess
from domain.shared.pagination import PageRequest


class RampChainRepository:
    """Ramps, and the chains of cycles in them."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, ramp: Ramp) -> None:
        self.session.add(ramp)

    async def get(
        self, access: RowAccess, ramp_id: UUID, *, for_update: bool = False
    ) -> Ramp | None:
        query = select(Ramp).where(
            col(Ramp.id) == ramp_id, col(Ramp.deleted_at).is_(None), access.shared_rows(Ramp)
        )
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def live_cycle_count(self, ramp_id: UUID) -> int:
        """Every live cycle in the ramp, whoever may see it: a ramp in use is not deleted."""
        count = await self.session.scalar(
            select(func.count())
            .select_from(Cycle)
            .where(col(Cycle.ramp_id) == ramp_id, col(Cycle.deleted_at).is_(None))
        )
        return int(count or 0)

    async def links(self, access: RowAccess, ramp_ids: Sequence[UUID]) -> dict[UUID, list[Link]]:
        """How the cycles of the ramps the caller may see follow each other, deleted and
        hidden cycles included (ids and links only, no content), in one statement."""
        rows = await self.session.execute(
            select(
                col(Cycle.ramp_id),
                col(Cycle.id),
                col(Cycle.previous_cycle_id),
                col(Cycle.deleted_at).is_(None),
            )
            .join(Ramp, col(Ramp.id) == col(Cycle.ramp_id))
            .where(
                col(Cycle.ramp_id).in_(ramp_ids),
                col(Ramp.deleted_at).is_(None),
                access.shared_rows(Ramp),
            )
        )
        found: dict[UUID, list[Link]] = {ramp_id: [] for ramp_id in ramp_ids}
        for ramp_id, cycle_id, previous_id, live in rows.all():
            if ramp_id is not None:  # always, by the WHERE clause
                found[ramp_id].append(Link(id=cycle_id, previous_id=previous_id, live=live))
        return found

    async def visible_cycles(self, access: RowAccess, ramp_ids: Sequence[UUID]) -> list[Cycle]:
        """The live cycles of these ramps that the caller may see, in one statement."""
        query = select(Cycle).where(
            col(Cycle.ramp_id).in_(ramp_ids),
            col(Cycle.deleted_at).is_(None),
            access.shared_rows(Cycle),
        )
        return list((await self.session.scalars(query)).all())

    async def list(self, access: RowAccess, filters: RampFilters, page: PageRequest) -> list[Ramp]:
        query = select(Ramp).where(col(Ramp.deleted_at).is_(None), access.shared_rows(Ramp))
        if filters.programme_id is not None:
            query = query.where(col(Ramp.programme_id) == filters.programme_id)
        if page.after is not None:
            query = query.where(col(Ramp.id) < page.after)
        query = query.order_by(col(Ramp.id).desc()).limit(page.limit + 1)
        return list((await self.session.scalars(query)).all())
