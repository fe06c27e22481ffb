"""Per-request GraphQL context: the caller, and DataLoaders made fresh for each request
(a loader shared across requests would share its cache across tenants)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar
from uuid import UUID

from fastapi import Request
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from api.deps import resolve_principal
from api.state import AppState
from domain.improvement import charts, logic_model, ramp_service
from domain.improvement import service as cycles
from domain.improvement.charts import ChartOptions, MeasureChart
from domain.improvement.measures import points as measure_points
from domain.improvement.measures.models import DataPoint, Measure
from domain.improvement.models import Cycle
from domain.improvement.ramp_schemas import RampStep
from domain.improvement.schemas import CycleHistory
from domain.shared.principal import Principal
from domain.shared.uow import UnitOfWork
from domain.tenancy import service as tenancy
from domain.tenancy.models import Organisation, Programme, Site

T = TypeVar("T")
BatchRead = Callable[[UnitOfWork, Principal, list[UUID]], Awaitable[dict[UUID, T]]]


def _loader(
    state: AppState, principal: Principal, read: BatchRead[T]
) -> DataLoader[UUID, T | None]:
    async def load(ids: Sequence[UUID]) -> list[T | None]:
        # Each batch has its own session: loaders run concurrently, and one AsyncSession
        # must never be used by two tasks at once.
        async with UnitOfWork(state.database.sessionmaker) as uow:
            found = await read(uow, principal, list(ids))
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)


def _chart_loader(
    state: AppState, principal: Principal
) -> DataLoader[tuple[UUID, ChartOptions], MeasureChart | None]:
    async def load(keys: Sequence[tuple[UUID, ChartOptions]]) -> list[MeasureChart | None]:
        # One batch per set of chart options: a dashboard usually asks for one.
        found: dict[tuple[UUID, ChartOptions], MeasureChart] = {}
        async with UnitOfWork(state.database.sessionmaker) as uow:
            for options in dict.fromkeys(options for _, options in keys):
                ids = [measure_id for measure_id, o in keys if o == options]
                batch = await charts.charts_for_measures(uow, principal, ids, options)
                found.update({(m, options): c for m, c in batch.items()})
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load)


@dataclass
class Loaders:
    organisation: DataLoader[UUID, Organisation | None]
    programme: DataLoader[UUID, Programme | None]
    site: DataLoader[UUID, Site | None]
    programme_members: DataLoader[UUID, list[Organisation] | None]
    cycle_history: DataLoader[UUID, CycleHistory | None]
    cycle: DataLoader[UUID, Cycle | None]
    ramp_cycles: DataLoader[UUID, list[RampStep] | None]
    measure_points: DataLoader[UUID, list[DataPoint] | None]
    measure: DataLoader[UUID, Measure | None]
    chart: DataLoader[tuple[UUID, ChartOptions], MeasureChart | None]


@dataclass
class Context(BaseContext):
    state: AppState
    principal: Principal
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        super().__init__()
        self.loaders = Loaders(
            organisation=_loader(self.state, self.principal, tenancy.organisations_by_ids),
            programme=_loader(self.state, self.principal, tenancy.programmes_by_ids),
            site=_loader(self.state, self.principal, tenancy.sites_by_ids),
            programme_members=_loader(self.state, self.principal, tenancy.programme_members_by_ids),
            cycle_history=_loader(self.state, self.principal, cycles.histories_by_cycle_ids),
            cycle=_loader(self.state, self.principal, cycles.get_cycles_by_ids),
            ramp_cycles=_loader(self.state, self.principal, ramp_service.steps_by_ramp_ids),
            measure_points=_loader(
                self.state, self.principal, measure_points.points_by_measure_ids
            ),
            measure=_loader(self.state, self.principal, logic_model.measures_by_ids),
            chart=_chart_loader(self.state, self.principal),
        )

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.state.database.sessionmaker)


async def get_context(request: Request) -> Context:
    state: AppState = request.app.state.hub
    async with UnitOfWork(state.database.sessionmaker) as uow:
        principal = await resolve_principal(state, uow, request.headers.get("authorization"))
    return Context(state=state, principal=principal)
