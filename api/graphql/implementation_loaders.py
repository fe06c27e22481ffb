"""Per-request DataLoaders for implementation tracking. They hang off the request's
context (made on first use, never at start-up, so no cache is shared across callers)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from strawberry.dataloader import DataLoader

from domain.implementation import assessments, implementations, innovations, instruments, teams
from domain.implementation.assessments import AssessmentView
from domain.implementation.implementations import ImplementationView
from domain.implementation.innovations import ProfileView
from domain.implementation.models import (
    Adaptation,
    AssessmentAction,
    Innovation,
    Instrument,
    Team,
    TeamChecklistItem,
    TeamMember,
)
from domain.implementation.schemas import AssessmentResult, TimelineRead
from domain.shared.principal import Principal
from domain.shared.uow import UnitOfWork

T = TypeVar("T")
BatchRead = Callable[[UnitOfWork, Principal, list[UUID]], Awaitable[dict[UUID, T]]]


def _loader(context: Any, read: BatchRead[T]) -> DataLoader[UUID, T | None]:
    async def load(ids: Sequence[UUID]) -> list[T | None]:
        # Each batch has its own session: loaders run concurrently.
        async with context.uow() as uow:
            found = await read(uow, context.principal, list(ids))
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)


@dataclass
class ImplementationLoaders:
    innovation: DataLoader[UUID, Innovation | None]
    profile: DataLoader[UUID, ProfileView | None]
    team: DataLoader[UUID, Team | None]
    team_members: DataLoader[UUID, list[TeamMember] | None]
    implementation: DataLoader[UUID, ImplementationView | None]
    timeline: DataLoader[UUID, TimelineRead | None]
    instrument: DataLoader[UUID, Instrument | None]
    assessment: DataLoader[UUID, AssessmentView | None]
    result: DataLoader[UUID, AssessmentResult | None]
    profile_versions: DataLoader[UUID, list[ProfileView] | None]
    adaptations: DataLoader[UUID, list[Adaptation] | None]
    team_actions: DataLoader[UUID, list[AssessmentAction] | None]
    checklist_items: DataLoader[UUID, list[TeamChecklistItem] | None]
    team_implementations: DataLoader[UUID, list[ImplementationView] | None]


def implementation_loaders(context: Any) -> ImplementationLoaders:
    found: ImplementationLoaders | None = getattr(context, "_implementation_loaders", None)
    if found is None:
        found = ImplementationLoaders(
            innovation=_loader(context, innovations.innovations_by_ids),
            profile=_loader(context, innovations.profiles_by_ids),
            team=_loader(context, teams.teams_by_ids),
            team_members=_loader(context, teams.members_by_team_ids),
            implementation=_loader(context, implementations.implementations_by_ids),
            timeline=_loader(context, implementations.timelines_by_ids),
            instrument=_loader(context, instruments.instruments_by_ids),
            assessment=_loader(context, assessments.assessments_by_ids),
            result=_loader(context, assessments.assessment_results_by_ids),
            profile_versions=_loader(context, innovations.profile_versions_by_innovation_ids),
            adaptations=_loader(context, implementations.adaptations_by_ids),
            team_actions=_loader(context, teams.actions_by_team_ids),
            checklist_items=_loader(context, teams.checklist_items_by_team_ids),
            team_implementations=_loader(context, implementations.implementations_by_team_ids),
        )
        context._implementation_loaders = found
    return found
