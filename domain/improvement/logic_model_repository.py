"""All SQL for programme logic models, and the batch read of the measures they link to."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.improvement.chart_models import LogicModel
from domain.improvement.measures.models import Measure
from domain.shared.authz import RowAccess
from domain.tenancy.models import Programme


class LogicModelRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: LogicModel) -> None:
        self.session.add(row)

    async def programme_lead(self, programme_id: UUID, *, lock: bool = False) -> UUID | None:
        """The lead organisation of a programme (None if there is no such programme). The
        caller has checked membership. With `lock`, writers of one programme's logic model
        queue behind one another, the first create included (there is no logic model row to
        lock yet). FOR NO KEY UPDATE, so rows that merely reference the programme (new
        cycles, measures) are not held up."""
        query = select(col(Programme.lead_organisation_id)).where(col(Programme.id) == programme_id)
        if lock:
            query = query.with_for_update(key_share=True)
        return (await self.session.scalars(query)).one_or_none()

    async def get(self, programme_id: UUID) -> LogicModel | None:
        query = select(LogicModel).where(col(LogicModel.programme_id) == programme_id)
        return (await self.session.scalars(query)).one_or_none()

    async def measures_by_ids(self, access: RowAccess, ids: Sequence[UUID]) -> list[Measure]:
        """Live measures the caller may see, among `ids`, in one statement (for validating a
        document's links, resolving them, and the GraphQL DataLoader)."""
        if not ids:
            return []
        query = select(Measure).where(
            col(Measure.id).in_(ids),
            col(Measure.deleted_at).is_(None),
            access.shared_rows(Measure),
        )
        return list((await self.session.scalars(query)).all())
