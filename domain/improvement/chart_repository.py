"""All SQL for chart reading: rebase marks, and the do phases of a programme's cycles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.improvement.chart_models import MeasureRebase
from domain.improvement.models import Cycle, CycleTransition
from domain.shared.authz import RowAccess


@dataclass(frozen=True)
class Move:
    cycle_id: UUID
    programme_id: UUID
    title: str
    status: str
    to_status: str
    occurred_at: datetime


class ChartRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def rebases_for(self, measure_ids: Sequence[UUID]) -> dict[UUID, list[MeasureRebase]]:
        """The caller has already read these measures through its RowAccess."""
        rows = await self.session.scalars(
            select(MeasureRebase)
            .where(col(MeasureRebase.measure_id).in_(measure_ids))
            .order_by(col(MeasureRebase.measure_id), col(MeasureRebase.period))
        )
        found: dict[UUID, list[MeasureRebase]] = {m: [] for m in measure_ids}
        for row in rows.all():
            found[row.measure_id].append(row)
        return found

    async def get_rebase(self, measure_id: UUID, period: date) -> MeasureRebase | None:
        return await self.session.get(MeasureRebase, (measure_id, period))

    def add_rebase(self, rebase: MeasureRebase) -> None:
        self.session.add(rebase)

    async def remove_rebase(self, measure_id: UUID, period: date) -> None:
        await self.session.execute(
            delete(MeasureRebase).where(
                col(MeasureRebase.measure_id) == measure_id, col(MeasureRebase.period) == period
            )
        )

    async def moves_in_programmes(
        self, access: RowAccess, programme_ids: Sequence[UUID]
    ) -> list[Move]:
        """Every phase move of the cycles the caller may see in these programmes, in one
        statement, in time order per cycle."""
        query = (
            select(
                col(CycleTransition.cycle_id),
                col(Cycle.programme_id),
                col(Cycle.title),
                col(Cycle.status),
                col(CycleTransition.to_status),
                col(CycleTransition.occurred_at),
            )
            .join(Cycle, col(Cycle.id) == col(CycleTransition.cycle_id))
            .where(
                col(Cycle.programme_id).in_(programme_ids),
                col(Cycle.deleted_at).is_(None),
                access.shared_rows(Cycle),
            )
            .order_by(col(CycleTransition.cycle_id), col(CycleTransition.occurred_at))
        )
        return [Move(*row) for row in (await self.session.execute(query)).all()]
