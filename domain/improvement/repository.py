"""All SQL for cycles."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from domain.improvement.models import Cycle, CycleTransition, Ramp
from domain.improvement.schemas import CycleFilters
from domain.shared.authz import RowAccess
from domain.shared.pagination import PageRequest


class CycleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, cycle: Cycle) -> None:
        self.session.add(cycle)

    async def get(
        self, access: RowAccess, cycle_id: UUID, *, for_update: bool = False
    ) -> Cycle | None:
        query = select(Cycle).where(
            col(Cycle.id) == cycle_id,
            col(Cycle.deleted_at).is_(None),
            access.shared_rows(Cycle),
        )
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def has_successor(self, cycle_id: UUID) -> bool:
        """Whether any cycle, visible to the caller or not, follows this one."""
        query = select(col(Cycle.id)).where(col(Cycle.previous_cycle_id) == cycle_id).limit(1)
        return (await self.session.scalar(query)) is not None

    async def get_many_by_ids(self, access: RowAccess, ids: Sequence[UUID]) -> list[Cycle]:
        query = select(Cycle).where(
            col(Cycle.id).in_(ids),
            col(Cycle.deleted_at).is_(None),
            access.shared_rows(Cycle),
        )
        return list((await self.session.scalars(query)).all())

    async def list(
        self, access: RowAccess, filters: CycleFilters, page: PageRequest
    ) -> list[Cycle]:
        query = select(Cycle).where(col(Cycle.deleted_at).is_(None), access.shared_rows(Cycle))
        if filters.programme_id is not None:
            query = query.where(col(Cycle.programme_id) == filters.programme_id)
        if filters.site_id is not None:
            query = query.where(col(Cycle.site_id) == filters.site_id)
        if filters.status is not None:
            query = query.where(col(Cycle.status) == filters.status.value)
        if filters.kind is not None:
            query = query.where(col(Cycle.kind) == filters.kind.value)
        if filters.ramp_id is not None:
            query = query.where(col(Cycle.ramp_id) == filters.ramp_id)
        if filters.q is not None:
            query = query.where(
                col(Cycle.search).bool_op("@@")(func.websearch_to_tsquery("english", filters.q))
            )
        if page.after is not None:
            query = query.where(col(Cycle.id) < page.after)
        query = query.order_by(col(Cycle.id).desc()).limit(page.limit + 1)
        return list((await self.session.scalars(query)).all())


class TransitionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, transition: CycleTransition) -> None:
        self.session.add(transition)

    async def for_cycles(self, cycle_ids: Sequence[UUID]) -> dict[UUID, list[CycleTransition]]:
        """Every transition of these cycles, oldest first, in one statement."""
        rows = await self.session.scalars(
            select(CycleTransition)
            .where(col(CycleTransition.cycle_id).in_(cycle_ids))
            .order_by(col(CycleTransition.cycle_id), col(CycleTransition.occurred_at))
        )
        found: dict[UUID, list[CycleTransition]] = {cycle_id: [] for cycle_id in cycle_ids}
        for row in rows.all():
            found[row.cycle_id].append(row)
        return found


class RampRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, access: RowAccess, ramp_id: UUID) -> Ramp | None:
        query = select(Ramp).where(
            col(Ramp.id) == ramp_id, col(Ramp.deleted_at).is_(None), access.shared_rows(Ramp)
        )
        return (await self.session.scalars(query)).one_or_none()


async def cycles_by_phase(
    session: AsyncSession, access: RowAccess, programme_id: UUID, per_phase: int
) -> list[tuple[Cycle, int]]:
    """The newest `per_phase` cycles of each phase with the phase's total, in one statement."""
    ranked = (
        select(
            Cycle,
            func.count().over(partition_by=col(Cycle.status)).label("total"),
            func.row_number()
            .over(partition_by=col(Cycle.status), order_by=col(Cycle.id).desc())
            .label("rank"),
        )
        .where(
            col(Cycle.programme_id) == programme_id,
            col(Cycle.deleted_at).is_(None),
            access.shared_rows(Cycle),
        )
        .subquery()
    )
    row = aliased(Cycle, ranked)
    query = (
        select(row, ranked.c.total)
        .where(ranked.c.rank <= per_phase)
        .order_by(ranked.c.status, ranked.c.id.desc())
    )
    return [(cycle, int(total)) for cycle, total in (await session.execute(query)).all()]
