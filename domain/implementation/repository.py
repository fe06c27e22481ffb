"""All SQL for implementation tracking. Organisation-owned rows are filtered only through
a `RowAccess`; repositories flush, never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Date, cast, delete, func, literal, select, tuple_
from sqlalchemy.dialects.postgresql import distinct_on, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.implementation.models import (
    Adaptation,
    Assessment,
    AssessmentAction,
    AssessmentScore,
    AssessmentStatus,
    AssessmentVote,
    CoreComponent,
    Implementation,
    Innovation,
    Instrument,
    PracticeProfileVersion,
    StageTransition,
    Team,
    TeamChecklistItem,
    TeamMember,
)
from domain.implementation.schemas import (
    AssessmentFilters,
    ImplementationFilters,
    InnovationFilters,
    InstrumentFilters,
    TeamFilters,
)
from domain.improvement.models import Cycle
from domain.shared.authz import RowAccess
from domain.shared.pagination import PageRequest, keyset


def _current_transition_order() -> list[Any]:
    # Latest effective date first; on the same day, the one recorded last.
    return [
        col(StageTransition.effective_on).desc(),
        col(StageTransition.recorded_at).desc(),
        col(StageTransition.id).desc(),
    ]


@dataclass(frozen=True)
class CurrentStage:
    stage: str
    since: date


class ImplementationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, *rows: Any) -> None:
        self.session.add_all(rows)

    async def flush(self) -> None:
        await self.session.flush()

    # Innovations and practice profiles --------------------------------------------------

    async def get_innovation(
        self, access: RowAccess, innovation_id: UUID, *, for_update: bool = False
    ) -> Innovation | None:
        query = select(Innovation).where(
            col(Innovation.id) == innovation_id,
            col(Innovation.deleted_at).is_(None),
            access.shared_rows(Innovation),
        )
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def innovations_by_ids(self, access: RowAccess, ids: Sequence[UUID]) -> list[Innovation]:
        query = select(Innovation).where(
            col(Innovation.id).in_(ids),
            col(Innovation.deleted_at).is_(None),
            access.shared_rows(Innovation),
        )
        return list((await self.session.scalars(query)).all())

    async def list_innovations(
        self, access: RowAccess, filters: InnovationFilters, page: PageRequest
    ) -> list[Innovation]:
        query = select(Innovation).where(
            col(Innovation.deleted_at).is_(None), access.shared_rows(Innovation)
        )
        if filters.programme_id is not None:
            query = query.where(col(Innovation.programme_id) == filters.programme_id)
        return list((await self.session.scalars(keyset(query, col(Innovation.id), page))).all())

    async def get_profile(
        self, access: RowAccess, profile_id: UUID, *, for_update: bool = False
    ) -> PracticeProfileVersion | None:
        query = select(PracticeProfileVersion).where(
            col(PracticeProfileVersion.id) == profile_id,
            access.shared_rows(PracticeProfileVersion),
        )
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def profiles_by_ids(
        self, access: RowAccess, ids: Sequence[UUID]
    ) -> list[PracticeProfileVersion]:
        query = select(PracticeProfileVersion).where(
            col(PracticeProfileVersion.id).in_(ids), access.shared_rows(PracticeProfileVersion)
        )
        return list((await self.session.scalars(query)).all())

    async def profiles_of(self, innovation_id: UUID) -> list[PracticeProfileVersion]:
        return (await self.profiles_of_many([innovation_id]))[innovation_id]

    async def profiles_of_many(
        self, innovation_ids: Sequence[UUID]
    ) -> dict[UUID, list[PracticeProfileVersion]]:
        """Every version of these innovations, newest first, in one statement."""
        rows = await self.session.scalars(
            select(PracticeProfileVersion)
            .where(col(PracticeProfileVersion.innovation_id).in_(innovation_ids))
            .order_by(
                col(PracticeProfileVersion.innovation_id),
                col(PracticeProfileVersion.version_number).desc(),
            )
        )
        found: dict[UUID, list[PracticeProfileVersion]] = {i: [] for i in innovation_ids}
        for row in rows.all():
            found[row.innovation_id].append(row)
        return found

    async def components_of(self, profile_ids: Sequence[UUID]) -> dict[UUID, list[CoreComponent]]:
        rows = await self.session.scalars(
            select(CoreComponent)
            .where(col(CoreComponent.profile_version_id).in_(profile_ids))
            .order_by(col(CoreComponent.profile_version_id), col(CoreComponent.position))
        )
        found: dict[UUID, list[CoreComponent]] = {pid: [] for pid in profile_ids}
        for row in rows.all():
            found[row.profile_version_id].append(row)
        return found

    async def get_component(self, component_id: UUID) -> CoreComponent | None:
        return await self.session.get(CoreComponent, component_id)

    async def replace_components(self, profile_id: UUID, components: list[CoreComponent]) -> None:
        await self.session.execute(
            delete(CoreComponent).where(col(CoreComponent.profile_version_id) == profile_id)
        )
        self.session.add_all(components)
        await self.session.flush()

    async def share_profiles(self, innovation_id: UUID, visibility: str) -> None:
        """Profile versions follow their innovation's visibility."""
        rows = await self.session.scalars(
            select(PracticeProfileVersion).where(
                col(PracticeProfileVersion.innovation_id) == innovation_id
            )
        )
        for row in rows.all():
            row.visibility = visibility

    # Teams --------------------------------------------------------------------------------

    async def get_team(
        self, access: RowAccess, team_id: UUID, *, for_update: bool = False
    ) -> Team | None:
        query = select(Team).where(
            col(Team.id) == team_id, col(Team.deleted_at).is_(None), access.shared_rows(Team)
        )
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def teams_by_ids(self, access: RowAccess, ids: Sequence[UUID]) -> list[Team]:
        query = select(Team).where(
            col(Team.id).in_(ids), col(Team.deleted_at).is_(None), access.shared_rows(Team)
        )
        return list((await self.session.scalars(query)).all())

    async def list_teams(
        self, access: RowAccess, filters: TeamFilters, page: PageRequest
    ) -> list[Team]:
        query = select(Team).where(col(Team.deleted_at).is_(None), access.shared_rows(Team))
        if filters.programme_id is not None:
            query = query.where(col(Team.programme_id) == filters.programme_id)
        if filters.user_id is not None:
            query = query.where(
                select(TeamMember.id)  # type: ignore[call-overload]
                .where(
                    col(TeamMember.team_id) == col(Team.id),
                    col(TeamMember.user_id) == filters.user_id,
                )
                .exists()
            )
        return list((await self.session.scalars(keyset(query, col(Team.id), page))).all())

    async def members_of(self, team_ids: Sequence[UUID]) -> dict[UUID, list[TeamMember]]:
        rows = await self.session.scalars(
            select(TeamMember)
            .where(col(TeamMember.team_id).in_(team_ids))
            .order_by(col(TeamMember.team_id), col(TeamMember.id))
        )
        found: dict[UUID, list[TeamMember]] = {tid: [] for tid in team_ids}
        for row in rows.all():
            found[row.team_id].append(row)
        return found

    async def get_member(self, member_id: UUID) -> TeamMember | None:
        return await self.session.get(TeamMember, member_id)

    # Implementations and stages -----------------------------------------------------------

    async def get_implementation(
        self, access: RowAccess, implementation_id: UUID, *, for_update: bool = False
    ) -> Implementation | None:
        query = select(Implementation).where(
            col(Implementation.id) == implementation_id,
            col(Implementation.deleted_at).is_(None),
            access.shared_rows(Implementation),
        )
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def implementations_by_ids(
        self, access: RowAccess, ids: Sequence[UUID]
    ) -> list[Implementation]:
        query = select(Implementation).where(
            col(Implementation.id).in_(ids),
            col(Implementation.deleted_at).is_(None),
            access.shared_rows(Implementation),
        )
        return list((await self.session.scalars(query)).all())

    async def list_implementations(
        self, access: RowAccess, filters: ImplementationFilters, page: PageRequest
    ) -> list[Implementation]:
        query = select(Implementation).where(
            col(Implementation.deleted_at).is_(None), access.shared_rows(Implementation)
        )
        for name in ("programme_id", "site_id", "innovation_id", "team_id"):
            value = getattr(filters, name)
            if value is not None:
                query = query.where(getattr(Implementation, name) == value)
        if filters.stage is not None:
            current = (
                select(col(StageTransition.to_stage))
                .where(col(StageTransition.implementation_id) == col(Implementation.id))
                .order_by(*_current_transition_order())
                .limit(1)
                .scalar_subquery()
            )
            query = query.where(current == filters.stage.value)
        return list((await self.session.scalars(keyset(query, col(Implementation.id), page))).all())

    async def implementations_of_teams(
        self, access: RowAccess, team_ids: Sequence[UUID]
    ) -> dict[UUID, list[Implementation]]:
        """The implementations each team leads that the caller may see, newest first."""
        rows = await self.session.scalars(
            select(Implementation)
            .where(
                col(Implementation.team_id).in_(team_ids),
                col(Implementation.deleted_at).is_(None),
                access.shared_rows(Implementation),
            )
            .order_by(col(Implementation.team_id), col(Implementation.id).desc())
        )
        found: dict[UUID, list[Implementation]] = {i: [] for i in team_ids}
        for row in rows.all():
            found[row.team_id].append(row)
        return found

    async def current_stages(self, ids: Sequence[UUID]) -> dict[UUID, CurrentStage]:
        """The latest transition of each implementation, in one statement."""
        if not ids:
            return {}
        query = (
            select(
                col(StageTransition.implementation_id),
                col(StageTransition.to_stage),
                col(StageTransition.effective_on),
            )
            .where(col(StageTransition.implementation_id).in_(ids))
            .ext(distinct_on(col(StageTransition.implementation_id)))
            .order_by(col(StageTransition.implementation_id), *_current_transition_order())
        )
        rows = (await self.session.execute(query)).all()
        return {row[0]: CurrentStage(row[1], row[2]) for row in rows}

    async def transitions_of(self, ids: Sequence[UUID]) -> dict[UUID, list[StageTransition]]:
        """Every transition of these implementations, oldest first, in one statement."""
        rows = await self.session.scalars(
            select(StageTransition)
            .where(col(StageTransition.implementation_id).in_(ids))
            .order_by(
                col(StageTransition.implementation_id),
                col(StageTransition.effective_on),
                col(StageTransition.recorded_at),
                col(StageTransition.id),
            )
        )
        found: dict[UUID, list[StageTransition]] = {i: [] for i in ids}
        for row in rows.all():
            found[row.implementation_id].append(row)
        return found

    async def visible_cycle_ids(self, access: RowAccess, ids: Sequence[UUID]) -> set[UUID]:
        """Which of these cycles exist and the caller may see (evidence for a stage move)."""
        rows = await self.session.scalars(
            select(col(Cycle.id)).where(
                col(Cycle.id).in_(ids), col(Cycle.deleted_at).is_(None), access.shared_rows(Cycle)
            )
        )
        return set(rows.all())

    async def adaptations_of(self, implementation_id: UUID) -> list[Adaptation]:
        return (await self.adaptations_of_many([implementation_id]))[implementation_id]

    async def adaptations_of_many(self, ids: Sequence[UUID]) -> dict[UUID, list[Adaptation]]:
        rows = await self.session.scalars(
            select(Adaptation)
            .where(col(Adaptation.implementation_id).in_(ids))
            .order_by(col(Adaptation.implementation_id), col(Adaptation.id))
        )
        found: dict[UUID, list[Adaptation]] = {i: [] for i in ids}
        for row in rows.all():
            found[row.implementation_id].append(row)
        return found

    async def stage_summary(
        self, access: RowAccess, programme_id: UUID, as_of: date
    ) -> list[tuple[UUID | None, UUID | None, str, int, float | None]]:
        """(site_id, innovation_id, stage, count, median days in stage) per site and per
        innovation, in one statement whatever the number of implementations. A row with a
        site has no innovation and the other way round (GROUPING SETS)."""
        current = (
            select(
                col(StageTransition.implementation_id).label("implementation_id"),
                col(StageTransition.to_stage).label("stage"),
                col(StageTransition.effective_on).label("since"),
            )
            .join(Implementation, col(Implementation.id) == col(StageTransition.implementation_id))
            .where(
                col(Implementation.programme_id) == programme_id,
                col(Implementation.deleted_at).is_(None),
                access.shared_rows(Implementation),
                col(StageTransition.effective_on) <= as_of,
            )
            .ext(distinct_on(col(StageTransition.implementation_id)))
            .order_by(col(StageTransition.implementation_id), *_current_transition_order())
            .subquery()
        )
        days = cast(literal(as_of), Date) - current.c.since
        site, innovation = col(Implementation.site_id), col(Implementation.innovation_id)
        query = (
            select(
                site,
                innovation,
                current.c.stage,
                func.count(),
                func.percentile_cont(0.5).within_group(days),
                func.grouping(site),
            )
            .join(current, current.c.implementation_id == col(Implementation.id))
            .group_by(
                func.grouping_sets(
                    tuple_(site, current.c.stage), tuple_(innovation, current.c.stage)
                )
            )
        )
        rows = (await self.session.execute(query)).all()
        return [
            (
                None if row[5] else row[0],
                row[1] if row[5] else None,
                row[2],
                int(row[3]),
                None if row[4] is None else float(row[4]),
            )
            for row in rows
        ]

    # Instruments --------------------------------------------------------------------------

    async def get_instrument(self, instrument_id: UUID) -> Instrument | None:
        return await self.session.get(Instrument, instrument_id)

    async def instruments_by_ids(self, ids: Sequence[UUID]) -> list[Instrument]:
        rows = await self.session.scalars(select(Instrument).where(col(Instrument.id).in_(ids)))
        return list(rows.all())

    async def instrument_by_key(self, key: str, version: str) -> Instrument | None:
        query = select(Instrument).where(
            col(Instrument.key) == key, col(Instrument.instrument_version) == version
        )
        return (await self.session.scalars(query)).one_or_none()

    async def instrument_for_profile(self, profile_id: UUID) -> Instrument | None:
        query = select(Instrument).where(col(Instrument.profile_version_id) == profile_id)
        return (await self.session.scalars(query)).one_or_none()

    async def list_instruments(
        self, filters: InstrumentFilters, page: PageRequest
    ) -> list[Instrument]:
        # Fidelity instruments made from a practice profile are read through the profile.
        query = select(Instrument).where(col(Instrument.profile_version_id).is_(None))
        if filters.key is not None:
            query = query.where(col(Instrument.key) == filters.key)
        if filters.applies_to is not None:
            query = query.where(col(Instrument.applies_to) == filters.applies_to.value)
        return list((await self.session.scalars(keyset(query, col(Instrument.id), page))).all())

    # Assessments --------------------------------------------------------------------------

    async def get_assessment(
        self, access: RowAccess, assessment_id: UUID, *, for_update: bool = False
    ) -> Assessment | None:
        query = select(Assessment).where(
            col(Assessment.id) == assessment_id,
            col(Assessment.deleted_at).is_(None),
            access.shared_rows(Assessment),
        )
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def assessments_by_ids(self, access: RowAccess, ids: Sequence[UUID]) -> list[Assessment]:
        query = select(Assessment).where(
            col(Assessment.id).in_(ids),
            col(Assessment.deleted_at).is_(None),
            access.shared_rows(Assessment),
        )
        return list((await self.session.scalars(query)).all())

    async def list_assessments(
        self, access: RowAccess, filters: AssessmentFilters, page: PageRequest
    ) -> list[Assessment]:
        query = select(Assessment).where(
            col(Assessment.deleted_at).is_(None), access.shared_rows(Assessment)
        )
        for name in ("programme_id", "instrument_id", "subject_id", "team_id"):
            value = getattr(filters, name)
            if value is not None:
                query = query.where(getattr(Assessment, name) == value)
        if filters.status is not None:
            query = query.where(col(Assessment.status) == filters.status.value)
        return list((await self.session.scalars(keyset(query, col(Assessment.id), page))).all())

    async def series(
        self, access: RowAccess, instrument_id: UUID, subject_id: UUID
    ) -> list[Assessment]:
        """Submitted assessments of one subject with one instrument, oldest first."""
        query = (
            select(Assessment)
            .where(
                col(Assessment.instrument_id) == instrument_id,
                col(Assessment.subject_id) == subject_id,
                col(Assessment.status) == AssessmentStatus.submitted.value,
                col(Assessment.deleted_at).is_(None),
                access.shared_rows(Assessment),
            )
            .order_by(col(Assessment.assessed_on), col(Assessment.id))
        )
        return list((await self.session.scalars(query)).all())

    async def submitted_of_subjects(
        self, access: RowAccess, pairs: Sequence[tuple[UUID, UUID]]
    ) -> list[Assessment]:
        """Submitted assessments for these (instrument, subject) pairs, in one statement."""
        query = select(Assessment).where(
            tuple_(col(Assessment.instrument_id), col(Assessment.subject_id)).in_(pairs),
            col(Assessment.status) == AssessmentStatus.submitted.value,
            col(Assessment.deleted_at).is_(None),
            access.shared_rows(Assessment),
        )
        return list((await self.session.scalars(query)).all())

    async def scores_of(self, ids: Sequence[UUID]) -> dict[UUID, list[AssessmentScore]]:
        rows = await self.session.scalars(
            select(AssessmentScore)
            .where(col(AssessmentScore.assessment_id).in_(ids))
            .order_by(col(AssessmentScore.assessment_id), col(AssessmentScore.item_key))
        )
        found: dict[UUID, list[AssessmentScore]] = {i: [] for i in ids}
        for row in rows.all():
            found[row.assessment_id].append(row)
        return found

    async def upsert_scores(
        self, assessment_id: UUID, scores: list[tuple[str, int | None, str]]
    ) -> None:
        statement = insert(AssessmentScore).values(
            [
                {"assessment_id": assessment_id, "item_key": key, "score": score, "note": note}
                for key, score, note in scores
            ]
        )
        statement = statement.on_conflict_do_update(
            index_elements=["assessment_id", "item_key"],
            set_={"score": statement.excluded.score, "note": statement.excluded.note},
        )
        await self.session.execute(statement)

    async def upsert_votes(self, assessment_id: UUID, votes: list[tuple[str, str, int]]) -> None:
        statement = insert(AssessmentVote).values(
            [
                {
                    "assessment_id": assessment_id,
                    "item_key": key,
                    "participant": participant,
                    "score": score,
                }
                for key, participant, score in votes
            ]
        )
        statement = statement.on_conflict_do_update(
            index_elements=["assessment_id", "item_key", "participant"],
            set_={"score": statement.excluded.score},
        )
        await self.session.execute(statement)

    async def votes_of_many(self, ids: Sequence[UUID]) -> dict[UUID, list[AssessmentVote]]:
        rows = await self.session.scalars(
            select(AssessmentVote)
            .where(col(AssessmentVote.assessment_id).in_(ids))
            .order_by(
                col(AssessmentVote.assessment_id),
                col(AssessmentVote.item_key),
                col(AssessmentVote.participant),
            )
        )
        found: dict[UUID, list[AssessmentVote]] = {i: [] for i in ids}
        for row in rows.all():
            found[row.assessment_id].append(row)
        return found

    async def votes_of(self, assessment_id: UUID) -> list[AssessmentVote]:
        rows = await self.session.scalars(
            select(AssessmentVote)
            .where(col(AssessmentVote.assessment_id) == assessment_id)
            .order_by(col(AssessmentVote.item_key), col(AssessmentVote.participant))
        )
        return list(rows.all())

    # Actions and team checklist items -----------------------------------------------------

    async def get_action(
        self, action_id: UUID, *, for_update: bool = False
    ) -> AssessmentAction | None:
        query = select(AssessmentAction).where(col(AssessmentAction.id) == action_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def actions_of_assessment(self, assessment_id: UUID) -> list[AssessmentAction]:
        rows = await self.session.scalars(
            select(AssessmentAction)
            .where(col(AssessmentAction.assessment_id) == assessment_id)
            .order_by(col(AssessmentAction.id))
        )
        return list(rows.all())

    async def open_actions_of_team(
        self, access: RowAccess, team_id: UUID
    ) -> list[AssessmentAction]:
        return (await self.open_actions_of_teams(access, [team_id]))[team_id]

    async def open_actions_of_teams(
        self, access: RowAccess, team_ids: Sequence[UUID]
    ) -> dict[UUID, list[AssessmentAction]]:
        """Actions not yet done, on assessments the caller may see, soonest due first."""
        rows = await self.session.scalars(
            select(AssessmentAction)
            .join(Assessment, col(Assessment.id) == col(AssessmentAction.assessment_id))
            .where(
                col(AssessmentAction.team_id).in_(team_ids),
                col(AssessmentAction.done_on).is_(None),
                col(Assessment.deleted_at).is_(None),
                access.shared_rows(Assessment),
            )
            .order_by(col(AssessmentAction.due_on).asc().nulls_last(), col(AssessmentAction.id))
        )
        found: dict[UUID, list[AssessmentAction]] = {i: [] for i in team_ids}
        for row in rows.all():
            if row.team_id is not None:
                found[row.team_id].append(row)
        return found

    async def checklist_items_of_teams(
        self, team_ids: Sequence[UUID]
    ) -> dict[UUID, list[TeamChecklistItem]]:
        rows = await self.session.scalars(
            select(TeamChecklistItem)
            .where(col(TeamChecklistItem.team_id).in_(team_ids))
            .order_by(
                col(TeamChecklistItem.team_id),
                col(TeamChecklistItem.position),
                col(TeamChecklistItem.id),
            )
        )
        found: dict[UUID, list[TeamChecklistItem]] = {i: [] for i in team_ids}
        for row in rows.all():
            found[row.team_id].append(row)
        return found

    async def checklist_items(
        self, team_id: UUID, instrument_id: UUID | None = None
    ) -> list[TeamChecklistItem]:
        query = select(TeamChecklistItem).where(col(TeamChecklistItem.team_id) == team_id)
        if instrument_id is not None:
            query = query.where(col(TeamChecklistItem.instrument_id) == instrument_id)
        rows = await self.session.scalars(
            query.order_by(col(TeamChecklistItem.position), col(TeamChecklistItem.id))
        )
        return list(rows.all())
