"""All SQL for measures and their data points."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from uuid import UUID

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.improvement.measures.models import DataPoint, Measure
from domain.improvement.measures.schemas import MeasureFilters
from domain.shared.authz import RowAccess
from domain.shared.pagination import PageRequest


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class MeasureRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, measure: Measure) -> None:
        self.session.add(measure)

    async def get(
        self, access: RowAccess, measure_id: UUID, *, for_update: bool = False
    ) -> Measure | None:
        query = select(Measure).where(
            col(Measure.id) == measure_id,
            col(Measure.deleted_at).is_(None),
            access.shared_rows(Measure),
        )
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def get_many(self, access: RowAccess, measure_ids: Sequence[UUID]) -> list[Measure]:
        query = select(Measure).where(
            col(Measure.id).in_(measure_ids),
            col(Measure.deleted_at).is_(None),
            access.shared_rows(Measure),
        )
        return list((await self.session.scalars(query)).all())

    async def list(
        self, access: RowAccess, filters: MeasureFilters, page: PageRequest
    ) -> list[Measure]:
        query = select(Measure).where(
            col(Measure.deleted_at).is_(None), access.shared_rows(Measure)
        )
        if filters.programme_id is not None:
            query = query.where(col(Measure.programme_id) == filters.programme_id)
        if filters.kind is not None:
            query = query.where(col(Measure.kind) == filters.kind.value)
        if filters.q is not None:
            query = query.where(
                col(Measure.name).ilike(f"%{_escape_like(filters.q)}%", escape="\\")
            )
        if page.after is not None:
            query = query.where(col(Measure.id) < page.after)
        query = query.order_by(col(Measure.id).desc()).limit(page.limit + 1)
        return list((await self.session.scalars(query)).all())


class DataPointRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add_all(self, points: Sequence[DataPoint]) -> None:
        self.session.add_all(points)

    async def for_measure(self, measure_id: UUID) -> list[DataPoint]:
        """Every point of one measure, oldest period first. The caller has already read the
        measure through its RowAccess, which is what decides who sees its points."""
        query = (
            select(DataPoint)
            .where(col(DataPoint.measure_id) == measure_id)
            .order_by(col(DataPoint.period))
        )
        return list((await self.session.scalars(query)).all())

    async def get(self, measure_id: UUID, period: date) -> DataPoint | None:
        query = select(DataPoint).where(
            col(DataPoint.measure_id) == measure_id, col(DataPoint.period) == period
        )
        return (await self.session.scalars(query)).one_or_none()

    async def exist_for(self, measure_id: UUID) -> bool:
        query = select(exists().where(col(DataPoint.measure_id) == measure_id))
        return bool(await self.session.scalar(query))

    async def for_measures(
        self, access: RowAccess, measure_ids: Sequence[UUID]
    ) -> dict[UUID, list[DataPoint]]:
        """Points of many measures in one statement, for DataLoaders: only measures the
        caller may see (and not deleted) contribute."""
        query = (
            select(DataPoint)
            .join(Measure, col(Measure.id) == col(DataPoint.measure_id))
            .where(
                col(DataPoint.measure_id).in_(measure_ids),
                col(Measure.deleted_at).is_(None),
                access.shared_rows(Measure),
            )
            .order_by(col(DataPoint.measure_id), col(DataPoint.period))
        )
        found: dict[UUID, list[DataPoint]] = defaultdict(list)
        for point in (await self.session.scalars(query)).all():
            found[point.measure_id].append(point)
        return dict(found)

    async def remove(self, point: DataPoint) -> None:
        await self.session.delete(point)
