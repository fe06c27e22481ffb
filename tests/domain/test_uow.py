"""The unit of work: nothing uncommitted survives, and database overload becomes a domain
error that both front doors answer with 503."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from api.state import AppState
from domain.shared.uow import DatabaseBusy, UnitOfWork
from domain.tenancy.models import Organisation


async def test_uncommitted_work_is_rolled_back(app_state: AppState) -> None:
    with pytest.raises(RuntimeError):
        async with UnitOfWork(app_state.database.sessionmaker) as uow:
            uow.session.add(Organisation(name="Half done", kind="school", created_by="test"))
            await uow.session.flush()
            raise RuntimeError("the use case failed after writing")
    async with app_state.database.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Organisation)) == 0


async def test_a_statement_timeout_is_reported_as_busy(app_state: AppState) -> None:
    with pytest.raises(DatabaseBusy) as busy:
        async with UnitOfWork(app_state.database.sessionmaker) as uow:
            await uow.session.execute(text("SET LOCAL statement_timeout = 50"))
            await uow.session.execute(text("SELECT pg_sleep(2)"))
    assert busy.value.retry_after_seconds == 2
