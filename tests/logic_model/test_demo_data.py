"""The ANEW demo shows what it claims: its measures' data, run through the chart analysis,
give the signals the demo describes, and its logic model links those measures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlmodel import col

from api.state import AppState
from domain import demo
from domain.improvement.analysis import (
    Baseline,
    Direction,
    Point,
    Rebase,
    RunChartRule,
    ShewhartRule,
    p_chart,
    run_chart,
)
from domain.improvement.chart_models import LogicModel, MeasureRebase
from domain.improvement.feedback import FeedbackItem
from domain.improvement.logic_model import LogicModelDocument
from domain.improvement.measures.models import DataPoint, Measure
from domain.improvement.models import Cycle
from domain.shared.uow import UnitOfWork

TAC = "Days from wellbeing concern to Team Around the Child meeting"
PRE_BIRTH = "First-time parents with a pre-birth contact"
FAMILY_LEARNING = "Families attending family learning sessions"


async def _seed(app_state: AppState) -> None:
    async with UnitOfWork(app_state.database.sessionmaker) as uow:
        assert await demo.seed(uow) is not None


async def _measure(app_state: AppState, name: str) -> tuple[Measure, list[DataPoint]]:
    async with app_state.database.sessionmaker() as session:
        measure = (await session.scalars(select(Measure).where(col(Measure.name) == name))).one()
        points = await session.scalars(
            select(DataPoint)
            .where(col(DataPoint.measure_id) == measure.id)
            .order_by(col(DataPoint.period))
        )
        return measure, list(points.all())


def _points(rows: Sequence[DataPoint]) -> list[Point]:
    return [
        Point(row.period.isoformat(), row.value, row.numerator, row.denominator) for row in rows
    ]


def _months(rows: Sequence[DataPoint], first: date) -> None:
    """Consecutive months from `first`, each on the 1st."""
    expected = [
        date(first.year + (first.month - 1 + n) // 12, (first.month - 1 + n) % 12 + 1, 1)
        for n in range(len(rows))
    ]
    assert [row.period for row in rows] == expected


async def test_dundee_days_to_tac_shift_down_and_trend(app_state: AppState) -> None:
    await _seed(app_state)
    measure, rows = await _measure(app_state, TAC)
    assert (measure.value_type, measure.direction, measure.visibility) == (
        "measurement",
        "decrease",
        "programme",
    )
    assert len(rows) == 30
    _months(rows, date(2018, 1, 1))

    chart = run_chart(_points(rows), baseline=Baseline.first(12))
    (segment,) = chart.segments
    assert segment.median == 21
    shifts = [s for s in segment.signals if s.rule is RunChartRule.SHIFT]
    trends = [s for s in segment.signals if s.rule is RunChartRule.TREND]
    assert [(s.direction, rows[s.indices[0]].period) for s in shifts] == [
        (Direction.DOWN, date(2019, 6, 1))
    ]
    assert len(shifts[0].indices) >= 6
    assert trends
    assert all(s.direction is Direction.DOWN and len(s.indices) >= 5 for s in trends)

    # The rebase is where the shift starts: each side of it is then a stable process.
    async with app_state.database.sessionmaker() as session:
        rebases = list(
            (
                await session.scalars(
                    select(MeasureRebase).where(col(MeasureRebase.measure_id) == measure.id)
                )
            ).all()
        )
    assert [r.period for r in rebases] == [date(2019, 6, 1)]
    assert rebases[0].note
    rebased = run_chart(
        _points(rows),
        baseline=Baseline.first(12),
        rebase=[Rebase(rebases[0].period.isoformat())],
    )
    before, after = rebased.segments
    assert (before.median, after.median) == (21, 12)
    assert before.signals == after.signals == ()


async def test_tayside_pre_birth_contacts_shift_up_on_a_p_chart(app_state: AppState) -> None:
    await _seed(app_state)
    measure, rows = await _measure(app_state, PRE_BIRTH)
    assert (measure.value_type, measure.direction) == ("proportion", "increase")
    assert len(rows) >= 24
    _months(rows, date(2018, 11, 1))
    for row in rows:
        assert row.numerator is not None
        assert row.denominator is not None
        assert 20 <= row.denominator <= 40
        assert row.value == row.numerator / row.denominator
    assert len({row.denominator for row in rows}) > 10

    chart = p_chart(_points(rows), baseline=Baseline.first(12))
    (segment,) = chart.segments
    assert segment.centre is not None
    assert 0.35 < segment.centre < 0.45
    runs = [s for s in segment.signals if s.rule is ShewhartRule.RUN_OF_EIGHT]
    assert [(s.direction, rows[s.indices[0]].period) for s in runs] == [
        (Direction.UP, date(2019, 11, 1))
    ]
    # The run chart of the same proportions agrees.
    shifts = [
        s
        for s in run_chart(_points(rows), baseline=Baseline.first(12)).segments[0].signals
        if s.rule is RunChartRule.SHIFT
    ]
    assert [s.direction for s in shifts] == [Direction.UP]


async def test_inverclyde_family_learning_counts(app_state: AppState) -> None:
    await _seed(app_state)
    measure, rows = await _measure(app_state, FAMILY_LEARNING)
    assert (measure.value_type, measure.direction) == ("count", "increase")
    assert len(rows) == 24
    _months(rows, date(2018, 3, 1))
    assert all(row.value >= 0 and float(row.value).is_integer() for row in rows)
    assert run_chart(_points(rows), baseline=Baseline.first(12)).segments[0].median is not None


async def test_logic_model_and_feedback_item(app_state: AppState) -> None:
    await _seed(app_state)
    async with app_state.database.sessionmaker() as session:
        model = (await session.scalars(select(LogicModel))).one()
        measures = {m.name: m.id for m in (await session.scalars(select(Measure))).all()}
        item = (await session.scalars(select(FeedbackItem))).one()
        cycle = await session.get(Cycle, item.cycle_id)
    document = LogicModelDocument.model_validate(model.document)
    for name in ("inputs", "activities", "outputs"):
        assert 2 <= len(getattr(document, name)) <= 3
    linked = {i for _, _, outcome in document.outcomes() for i in outcome.measure_ids}
    assert linked == set(measures.values())
    assert model.version == 1
    assert (item.status, item.visibility, item.acknowledged_on is not None) == (
        "acknowledged",
        "programme",
        True,
    )
    assert item.response
    assert item.leadership_team == "Dundee Children and Families Executive Group"
    assert cycle is not None
    assert cycle.organisation_id == item.organisation_id
    assert cycle.title.startswith("TAC meetings")
