"""Data point use cases called directly: the import limit for JSON rows, a full-size import,
and concurrent writers to one period."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from api.state import AppState
from domain.improvement.measures import points
from domain.improvement.measures.schemas import DataPointWrite, RawRow, UpsertOutcome
from domain.shared.errors import ValidationFailed
from domain.shared.principal import Principal, PrincipalKind
from domain.shared.uow import UnitOfWork
from tests.factories import Party, World, create_measure
from tests.measures.helpers import audit_rows, count_points


def writer(party: Party, world: World) -> Principal:
    return Principal(
        kind=PrincipalKind.client,
        subject=f"client:{party.client.client_id}",
        organisation_id=party.organisation.id,
        programme_ids=frozenset({world.programme.id}),
        scopes=frozenset({"cycles:read", "cycles:write"}),
    )


def weekly_rows(count: int) -> list[RawRow]:
    first = date(1930, 1, 6)  # a Monday
    return [
        RawRow(row=n, fields={"period": first + timedelta(weeks=n), "value": n})
        for n in range(count)
    ]


async def test_an_import_takes_at_most_5000_rows(app_state: AppState, world: World) -> None:
    measure = await create_measure(
        app_state, world.a.organisation, world.programme, reporting_period="week"
    )
    principal = writer(world.a, world)
    with pytest.raises(ValidationFailed) as refused:
        async with UnitOfWork(app_state.database.sessionmaker) as uow:
            await points.import_points(
                uow, principal, measure.id, weekly_rows(5001), pointer_prefix="/points"
            )
    assert refused.value.errors[0].pointer == "/points"
    assert refused.value.errors[0].code == "too_many_rows"

    async with UnitOfWork(app_state.database.sessionmaker) as uow:
        summary = await points.import_points(uow, principal, measure.id, weekly_rows(5000))
    assert (summary.applied, summary.created, summary.rejected) == (True, 5000, 0)
    assert await count_points(world, measure.id) == 5000
    assert len(await audit_rows(world, "data_point")) == 5000


async def test_concurrent_writers_to_one_period_queue_behind_each_other(
    app_state: AppState, world: World
) -> None:
    measure = await create_measure(app_state, world.a.organisation, world.programme)
    principal = writer(world.a, world)

    async def put(value: float) -> UpsertOutcome:
        async with UnitOfWork(app_state.database.sessionmaker) as uow:
            done = await points.upsert_point(
                uow, principal, measure.id, date(2025, 1, 1), DataPointWrite(value=value)
            )
            return done.outcome

    outcomes = await asyncio.gather(*(put(float(n)) for n in range(4)))
    assert outcomes.count(UpsertOutcome.created) == 1
    assert await count_points(world, measure.id) == 1
