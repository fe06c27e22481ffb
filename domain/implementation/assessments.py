"""Use cases for assessments: apply an instrument to a subject on a date, record item
scores (and consensus votes), submit, score, compare with the previous one, chart the
series, and follow up items not in place with actions on the team's action list."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.audit import service as audit
from domain.implementation import instruments
from domain.implementation.common import apply, programme_member_ids, require_programme, snapshot
from domain.implementation.instrument_schema import InstrumentDefinition
from domain.implementation.models import (
    Assessment,
    AssessmentAction,
    AssessmentScore,
    AssessmentStatus,
    Instrument,
    SubjectKind,
)
from domain.implementation.repository import ImplementationRepository
from domain.implementation.schemas import (
    ActionCreate,
    ActionUpdate,
    AssessmentCreate,
    AssessmentFilters,
    AssessmentRead,
    AssessmentResult,
    AssessmentSeries,
    AssessmentUpdate,
    GroupScoreRead,
    ItemScoreRead,
    ScoresInput,
    SectionScoreRead,
    SeriesPoint,
    SpreadRead,
    TallyRead,
    UnscoredItemRead,
    VotesInput,
)
from domain.implementation.scoring import LocalItem, Result, Tally, change, score, spreads
from domain.implementation.teams import local_key
from domain.shared.authz import RowAccess, require_owner, visible_to
from domain.shared.errors import Conflict, FieldError, NotFound, ValidationFailed
from domain.shared.ids import utcnow
from domain.shared.pagination import Page, PageRequest, make_page
from domain.shared.principal import Principal, Scope
from domain.shared.records import check_version, touch
from domain.shared.uow import UnitOfWork

ENTITY = "assessment"


@dataclass(frozen=True)
class AssessmentView:
    assessment: Assessment
    scores: list[AssessmentScore]

    def read(self) -> AssessmentRead:
        a = self.assessment
        return AssessmentRead(
            id=a.id,
            organisation_id=a.organisation_id,
            programme_id=a.programme_id,
            visibility=a.visibility,
            instrument_id=a.instrument_id,
            subject_kind=SubjectKind(a.subject_kind),
            subject_id=a.subject_id,
            team_id=a.team_id,
            assessed_on=a.assessed_on,
            status=AssessmentStatus(a.status),
            submitted_at=a.submitted_at,
            notes=a.notes,
            scores=[ItemScoreRead.model_validate(s) for s in self.scores],
            created_at=a.created_at,
            updated_at=a.updated_at,
            created_by=a.created_by,
            version=a.version,
        )


def definition_of(instrument: Instrument) -> InstrumentDefinition:
    return InstrumentDefinition.model_validate(instrument.definition)


async def _subject(
    uow: UnitOfWork, principal: Principal, access: RowAccess, data: AssessmentCreate
) -> tuple[UUID, UUID | None]:
    """The programme the assessment belongs to, and the team whose action list it feeds."""
    repo = ImplementationRepository(uow.session)
    missing = FieldError("/subject_id", f"is not a {data.subject_kind.value} you may see")
    if data.subject_kind is SubjectKind.team:
        team = await repo.get_team(access, data.subject_id)
        if team is None:
            raise ValidationFailed([missing])
        return team.programme_id, team.id
    if data.subject_kind is SubjectKind.implementation:
        implementation = await repo.get_implementation(access, data.subject_id)
        if implementation is None:
            raise ValidationFailed([missing])
        return implementation.programme_id, implementation.team_id
    if data.subject_kind is SubjectKind.practitioner:
        member = await repo.get_member(data.subject_id)
        team = await repo.get_team(access, member.team_id) if member else None
        if team is None:
            raise ValidationFailed(
                [FieldError("/subject_id", "is not a member of a team you may see")]
            )
        return team.programme_id, team.id
    if data.programme_id is None:
        raise ValidationFailed(
            [FieldError("/programme_id", "is required when the subject is an organisation")]
        )
    require_programme(principal, data.programme_id, "/programme_id")
    if data.subject_id not in await programme_member_ids(uow, data.programme_id):
        raise ValidationFailed([FieldError("/subject_id", "is not a member of the programme")])
    return data.programme_id, None


async def _instrument_for(
    uow: UnitOfWork, principal: Principal, access: RowAccess, data: AssessmentCreate
) -> Instrument:
    if (data.instrument_id is None) == (data.profile_version_id is None):
        raise ValidationFailed(
            [
                FieldError(
                    "/instrument_id", "give exactly one of instrument_id and profile_version_id"
                )
            ]
        )
    if data.profile_version_id is not None:
        profile = await ImplementationRepository(uow.session).get_profile(
            access, data.profile_version_id
        )
        if profile is None:
            raise ValidationFailed(
                [FieldError("/profile_version_id", "is not a practice-profile version you may see")]
            )
        return await instruments.fidelity_instrument(uow, principal, profile)
    assert data.instrument_id is not None
    try:
        return await instruments.get_instrument(uow, principal, data.instrument_id)
    except NotFound as exc:
        raise ValidationFailed([FieldError("/instrument_id", "is not an instrument")]) from exc


async def create_assessment(
    uow: UnitOfWork, principal: Principal, data: AssessmentCreate
) -> AssessmentView:
    access = visible_to(principal, Scope.implementation_write)
    instrument = await _instrument_for(uow, principal, access, data)
    if instrument.applies_to != data.subject_kind.value:
        raise ValidationFailed(
            [
                FieldError(
                    "/subject_kind",
                    f"must be {instrument.applies_to}: the instrument applies to that",
                )
            ]
        )
    programme_id, team_id = await _subject(uow, principal, access, data)
    assessment = Assessment(
        organisation_id=access.organisation_id,
        programme_id=programme_id,
        visibility=data.visibility.value,
        instrument_id=instrument.id,
        subject_kind=data.subject_kind.value,
        subject_id=data.subject_id,
        team_id=team_id,
        assessed_on=data.assessed_on,
        notes=data.notes,
        created_by=principal.subject,
    )
    ImplementationRepository(uow.session).add(assessment)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="create",
        entity_type=ENTITY,
        entity_id=assessment.id,
        changes=snapshot(assessment, AssessmentRead),
    )
    await uow.commit()
    return AssessmentView(assessment, [])


async def _visible(
    uow: UnitOfWork, access: RowAccess, assessment_id: UUID, *, for_update: bool = False
) -> Assessment:
    found = await ImplementationRepository(uow.session).get_assessment(
        access, assessment_id, for_update=for_update
    )
    if found is None:
        raise NotFound("No assessment with that id.")
    return found


async def get_assessment(
    uow: UnitOfWork, principal: Principal, assessment_id: UUID
) -> AssessmentView:
    access = visible_to(principal, Scope.implementation_read)
    assessment = await _visible(uow, access, assessment_id)
    scores = await ImplementationRepository(uow.session).scores_of([assessment.id])
    return AssessmentView(assessment, scores[assessment.id])


async def assessments_by_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, AssessmentView]:
    access = visible_to(principal, Scope.implementation_read)
    repo = ImplementationRepository(uow.session)
    rows = await repo.assessments_by_ids(access, ids)
    scores = await repo.scores_of([r.id for r in rows]) if rows else {}
    return {r.id: AssessmentView(r, scores[r.id]) for r in rows}


async def list_assessments(
    uow: UnitOfWork, principal: Principal, filters: AssessmentFilters, page: PageRequest
) -> Page[AssessmentView]:
    access = visible_to(principal, Scope.implementation_read)
    repo = ImplementationRepository(uow.session)
    rows = await repo.list_assessments(access, filters, page)
    scores = await repo.scores_of([r.id for r in rows]) if rows else {}
    return make_page(
        [AssessmentView(r, scores[r.id]) for r in rows], page, lambda v: v.assessment.id
    )


async def _draft(
    uow: UnitOfWork, principal: Principal, assessment_id: UUID, expected_version: int
) -> Assessment:
    access = visible_to(principal, Scope.implementation_write)
    assessment = await _visible(uow, access, assessment_id, for_update=True)
    require_owner(principal, Scope.implementation_write, assessment, ENTITY)
    if assessment.status == AssessmentStatus.submitted.value:
        raise Conflict("The assessment is submitted and read-only.")
    check_version(ENTITY, assessment.version, expected_version)
    return assessment


async def update_assessment(
    uow: UnitOfWork,
    principal: Principal,
    assessment_id: UUID,
    data: AssessmentUpdate,
    *,
    expected_version: int,
) -> AssessmentView:
    assessment = await _draft(uow, principal, assessment_id, expected_version)
    changes = data.model_dump(exclude_unset=True)
    for name in ("assessed_on", "visibility", "notes"):
        if name in changes and changes[name] is None:
            raise ValidationFailed([FieldError(f"/{name}", "must not be null")])
    changed = apply(assessment, changes)
    if changed:
        touch(assessment)
        await uow.session.flush()
        audit.record(
            uow,
            principal,
            action="update",
            entity_type=ENTITY,
            entity_id=assessment.id,
            changes=changed,
        )
        await uow.commit()
    scores = await ImplementationRepository(uow.session).scores_of([assessment.id])
    return AssessmentView(assessment, scores[assessment.id])


async def _allowed_values(
    uow: UnitOfWork, assessment: Assessment, instrument: Instrument
) -> dict[str, set[int]]:
    """Every item key the assessment may score, with the values its scale allows; the
    team's own checklist items use the instrument's scale."""
    definition = definition_of(instrument)
    allowed = {
        item.key: {p.value for p in definition.item_scale(item)} for _, item in definition.items()
    }
    for item in await _local_items(uow, assessment):
        allowed[item.key] = {p.value for p in definition.scale}
    return allowed


async def _local_items(uow: UnitOfWork, assessment: Assessment) -> list[LocalItem]:
    if assessment.team_id is None:
        return []
    rows = await ImplementationRepository(uow.session).checklist_items(
        assessment.team_id, assessment.instrument_id
    )
    return [LocalItem(local_key(r.id), r.section_key, r.text) for r in rows]


def _score_errors(
    allowed: dict[str, set[int]], entries: list[tuple[str, int | None]], pointer: str
) -> list[FieldError]:
    errors: list[FieldError] = []
    for index, (key, value) in enumerate(entries):
        if key not in allowed:
            errors.append(
                FieldError(f"{pointer}/{index}/item_key", "is not an item of this assessment")
            )
        elif value is not None and value not in allowed[key]:
            values = ", ".join(str(v) for v in sorted(allowed[key]))
            errors.append(
                FieldError(f"{pointer}/{index}/score", f"must be one of {values}", "out_of_scale")
            )
    return errors


async def set_scores(
    uow: UnitOfWork,
    principal: Principal,
    assessment_id: UUID,
    data: ScoresInput,
    *,
    expected_version: int,
) -> AssessmentView:
    """Records (or clears, with null) the agreed score and note of each item given."""
    assessment = await _draft(uow, principal, assessment_id, expected_version)
    repo = ImplementationRepository(uow.session)
    instrument = await repo.get_instrument(assessment.instrument_id)
    assert instrument is not None
    allowed = await _allowed_values(uow, assessment, instrument)
    keys = [s.item_key for s in data.scores]
    errors = _score_errors(allowed, [(s.item_key, s.score) for s in data.scores], "/scores")
    errors += [
        FieldError(f"/scores/{i}/item_key", "is given twice", "duplicate")
        for i, key in enumerate(keys)
        if key in keys[:i]
    ]
    if errors:
        raise ValidationFailed(errors)
    await repo.upsert_scores(assessment.id, [(s.item_key, s.score, s.note) for s in data.scores])
    touch(assessment)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="score",
        entity_type=ENTITY,
        entity_id=assessment.id,
        changes={s.item_key: s.score for s in data.scores},
    )
    await uow.commit()
    scores = await repo.scores_of([assessment.id])
    return AssessmentView(assessment, scores[assessment.id])


async def set_votes(
    uow: UnitOfWork,
    principal: Principal,
    assessment_id: UUID,
    data: VotesInput,
    *,
    expected_version: int,
) -> AssessmentView:
    """Each participant's vote per item, for instruments scored by consensus; the agreed
    score is recorded with `set_scores` after the team has talked through the spread."""
    assessment = await _draft(uow, principal, assessment_id, expected_version)
    repo = ImplementationRepository(uow.session)
    instrument = await repo.get_instrument(assessment.instrument_id)
    assert instrument is not None
    if not instrument.consensus:
        raise ValidationFailed(
            [FieldError("/votes", "this instrument is not scored by consensus", "not_consensus")]
        )
    allowed = await _allowed_values(uow, assessment, instrument)
    errors = _score_errors(allowed, [(v.item_key, v.score) for v in data.votes], "/votes")
    pairs = [(v.item_key, v.participant) for v in data.votes]
    errors += [
        FieldError(f"/votes/{i}/participant", "has two votes on this item", "duplicate")
        for i, pair in enumerate(pairs)
        if pair in pairs[:i]
    ]
    if errors:
        raise ValidationFailed(errors)
    await repo.upsert_votes(
        assessment.id, [(v.item_key, v.participant, v.score) for v in data.votes]
    )
    touch(assessment)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="vote",
        entity_type=ENTITY,
        entity_id=assessment.id,
        changes={"votes": len(data.votes)},
    )
    await uow.commit()
    scores = await repo.scores_of([assessment.id])
    return AssessmentView(assessment, scores[assessment.id])


async def submit_assessment(
    uow: UnitOfWork, principal: Principal, assessment_id: UUID, *, expected_version: int
) -> AssessmentView:
    assessment = await _draft(uow, principal, assessment_id, expected_version)
    assessment.status = AssessmentStatus.submitted.value
    assessment.submitted_at = utcnow()
    touch(assessment)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="submit",
        entity_type=ENTITY,
        entity_id=assessment.id,
        changes={"status": [AssessmentStatus.draft.value, AssessmentStatus.submitted.value]},
    )
    await uow.commit()
    scores = await ImplementationRepository(uow.session).scores_of([assessment.id])
    return AssessmentView(assessment, scores[assessment.id])


def _tally(t: Tally) -> TallyRead:
    return TallyRead(
        points=t.points,
        max_points=t.max_points,
        percent=t.percent,
        scored=t.scored,
        unscored=t.unscored,
    )


def _score_map(rows: list[AssessmentScore]) -> dict[str, int | None]:
    return {row.item_key: row.score for row in rows}


async def assessment_result(
    uow: UnitOfWork, principal: Principal, assessment_id: UUID
) -> AssessmentResult:
    """Scores per section, per driver group and overall, the unscored items, the change
    since the previous submitted assessment of the same subject and instrument, and the
    spread of consensus votes."""
    found = await assessment_results_by_ids(uow, principal, [assessment_id])
    if assessment_id not in found:
        raise NotFound("No assessment with that id.")
    return found[assessment_id]


def _previous(current: Assessment, candidates: list[Assessment]) -> Assessment | None:
    earlier = [
        c
        for c in candidates
        if c.instrument_id == current.instrument_id
        and c.subject_id == current.subject_id
        and (c.assessed_on, c.id) < (current.assessed_on, current.id)
    ]
    return max(earlier, key=lambda c: (c.assessed_on, c.id), default=None)


async def assessment_results_by_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, AssessmentResult]:
    """Results of many assessments in a fixed handful of statements (for DataLoaders)."""
    access = visible_to(principal, Scope.implementation_read)
    repo = ImplementationRepository(uow.session)
    rows = await repo.assessments_by_ids(access, ids)
    if not rows:
        return {}
    found_instruments = {
        i.id: i for i in await repo.instruments_by_ids(list({r.instrument_id for r in rows}))
    }
    candidates = await repo.submitted_of_subjects(
        access, list({(r.instrument_id, r.subject_id) for r in rows})
    )
    previous = {r.id: _previous(r, candidates) for r in rows}
    wanted = [r.id for r in rows] + [p.id for p in previous.values() if p is not None]
    scores = await repo.scores_of(list(dict.fromkeys(wanted)))
    team_ids = list({r.team_id for r in rows if r.team_id is not None})
    team_items = await repo.checklist_items_of_teams(team_ids) if team_ids else {}
    consensus = [r.id for r in rows if found_instruments[r.instrument_id].consensus]
    votes = await repo.votes_of_many(consensus) if consensus else {}
    results: dict[UUID, AssessmentResult] = {}
    for row in rows:
        items = team_items.get(row.team_id, []) if row.team_id is not None else []
        local = [
            LocalItem(local_key(item.id), item.section_key, item.text)
            for item in items
            if item.instrument_id == row.instrument_id
        ]
        before = previous[row.id]
        results[row.id] = _result(
            row,
            definition_of(found_instruments[row.instrument_id]),
            _score_map(scores[row.id]),
            (before.id, _score_map(scores[before.id])) if before is not None else None,
            local,
            [(v.item_key, v.participant, v.score) for v in votes.get(row.id, [])],
        )
    return results


def _result(
    assessment: Assessment,
    definition: InstrumentDefinition,
    current_scores: dict[str, int | None],
    previous: tuple[UUID, dict[str, int | None]] | None,
    local: list[LocalItem],
    votes: list[tuple[str, str, int]],
) -> AssessmentResult:
    current = score(definition, current_scores, local)
    before: Result | None = score(definition, previous[1], local) if previous else None
    before_sections = {s.key: s.tally.percent for s in before.sections} if before else {}
    before_groups = {g.group: g.tally.percent for g in before.groups} if before else {}
    return AssessmentResult(
        assessment_id=assessment.id,
        assessed_on=assessment.assessed_on,
        overall=_tally(current.overall),
        overall_change=change(current.overall.percent, before.overall.percent) if before else None,
        previous_assessment_id=previous[0] if previous else None,
        sections=[
            SectionScoreRead(
                key=s.key,
                title=s.title,
                stage=s.stage,
                group=s.group,
                score=_tally(s.tally),
                change=change(s.tally.percent, before_sections.get(s.key)),
            )
            for s in current.sections
        ],
        groups=[
            GroupScoreRead(
                group=g.group,
                score=_tally(g.tally),
                change=change(g.tally.percent, before_groups.get(g.group)),
            )
            for g in current.groups
        ],
        unscored_items=[
            UnscoredItemRead(key=u.key, section_key=u.section_key, text=u.text)
            for u in current.unscored
        ],
        local_items=_tally(current.local),
        spread=[
            SpreadRead(
                item_key=s.key,
                votes=s.votes,
                lowest=s.lowest,
                highest=s.highest,
                spread=s.spread,
                wide=s.wide,
            )
            for s in spreads(votes, definition.scoring.spread_threshold)
        ],
    )


async def assessment_series(
    uow: UnitOfWork, principal: Principal, instrument_id: UUID, subject_id: UUID
) -> AssessmentSeries:
    """Submitted assessments of one subject with one instrument over time, for charts."""
    access = visible_to(principal, Scope.implementation_read)
    instrument = await instruments.get_instrument(uow, principal, instrument_id)
    definition = definition_of(instrument)
    repo = ImplementationRepository(uow.session)
    rows = await repo.series(access, instrument.id, subject_id)
    scores = await repo.scores_of([r.id for r in rows]) if rows else {}
    points = []
    for row in rows:
        result = score(definition, _score_map(scores[row.id]))
        points.append(
            SeriesPoint(
                assessment_id=row.id,
                assessed_on=row.assessed_on,
                status=AssessmentStatus(row.status),
                overall=result.overall.percent,
                sections={s.key: s.tally.percent for s in result.sections},
                groups={g.group: g.tally.percent for g in result.groups},
            )
        )
    return AssessmentSeries(instrument_id=instrument.id, subject_id=subject_id, points=points)


# Actions -------------------------------------------------------------------------------


async def create_action(
    uow: UnitOfWork, principal: Principal, assessment_id: UUID, data: ActionCreate
) -> AssessmentAction:
    """An action on an item not (fully) in place; it stays on the team's action list until
    it is done. Allowed on submitted assessments too: follow-up comes after the scoring."""
    access = visible_to(principal, Scope.implementation_write)
    assessment = await _visible(uow, access, assessment_id, for_update=True)
    require_owner(principal, Scope.implementation_write, assessment, ENTITY)
    repo = ImplementationRepository(uow.session)
    instrument = await repo.get_instrument(assessment.instrument_id)
    assert instrument is not None
    allowed = await _allowed_values(uow, assessment, instrument)
    if data.item_key not in allowed:
        raise ValidationFailed([FieldError("/item_key", "is not an item of this assessment")])
    current = _score_map((await repo.scores_of([assessment.id]))[assessment.id]).get(data.item_key)
    if current is not None and current == max(allowed[data.item_key]):
        raise ValidationFailed([FieldError("/item_key", "is already fully in place", "in_place")])
    action = AssessmentAction(
        assessment_id=assessment.id,
        team_id=assessment.team_id,
        item_key=data.item_key,
        what=data.what,
        who=data.who,
        due_on=data.due_on,
        created_by=principal.subject,
    )
    repo.add(action)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="create",
        entity_type="assessment_action",
        entity_id=action.id,
        changes={"assessment_id": assessment.id, "item_key": data.item_key, "what": data.what},
    )
    await uow.commit()
    return action


async def list_actions(
    uow: UnitOfWork, principal: Principal, assessment_id: UUID
) -> list[AssessmentAction]:
    access = visible_to(principal, Scope.implementation_read)
    assessment = await _visible(uow, access, assessment_id)
    return await ImplementationRepository(uow.session).actions_of_assessment(assessment.id)


async def update_action(
    uow: UnitOfWork,
    principal: Principal,
    action_id: UUID,
    data: ActionUpdate,
    *,
    expected_version: int,
) -> AssessmentAction:
    """Changes an action; setting `done_on` takes it off the team's action list."""
    access = visible_to(principal, Scope.implementation_write)
    repo = ImplementationRepository(uow.session)
    action = await repo.get_action(action_id, for_update=True)
    assessment = (
        await repo.get_assessment(access, action.assessment_id) if action is not None else None
    )
    if action is None or assessment is None:
        raise NotFound("No action with that id.")
    require_owner(principal, Scope.implementation_write, assessment, "action")
    check_version("action", action.version, expected_version)
    changes = data.model_dump(exclude_unset=True)
    for name in ("what", "who"):
        if name in changes and changes[name] is None:
            raise ValidationFailed([FieldError(f"/{name}", "must not be null")])
    changed = apply(action, changes)
    if changed:
        touch(action)
        await uow.session.flush()
        audit.record(
            uow,
            principal,
            action="update",
            entity_type="assessment_action",
            entity_id=action.id,
            changes=changed,
        )
        await uow.commit()
    return action
