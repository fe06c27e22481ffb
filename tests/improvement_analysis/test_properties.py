"""Properties over arbitrary input: no chart crashes, and every signal points at real points
of its own segment, in order."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from enum import Enum

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.improvement.analysis import (
    Baseline,
    InvalidAnalysisInput,
    PChart,
    PChartSegment,
    Point,
    Rebase,
    RuleStatus,
    RunChart,
    RunChartSegment,
    RunsRuleSet,
    XmrChart,
    XmrSegment,
    p_chart,
    run_chart,
    xmr_chart,
)
from domain.improvement.analysis.baseline import RebaseSpec

finite = st.floats(allow_nan=False, allow_infinity=False)
values_strategy = st.one_of(
    st.lists(finite, max_size=40),
    # Few distinct values, so ties with the median and equal neighbours are common.
    st.lists(st.sampled_from([0.0, 1.0, 2.0, 5.0]), max_size=40),
    st.builds(lambda value, size: [value] * size, finite, st.integers(0, 20)),
    st.lists(st.sampled_from([1e308, -1e308, 5e-324, -5e-324, 0.0, 1.7976931348623157e308])),
)


@st.composite
def baselines(draw: st.DrawFn, size: int) -> Baseline:
    kind = draw(st.sampled_from(["all", "first", "between", "between_labels"]))
    if kind == "first":
        return Baseline.first(draw(st.integers(1, size + 5)))
    if kind == "between" or (kind == "between_labels" and size == 0):
        start = draw(st.integers(0, size + 5))
        return Baseline.between(start, draw(st.integers(start, size + 5)))
    if kind == "between_labels":
        start = draw(st.integers(0, size - 1))
        return Baseline.between(f"p{start}", f"p{draw(st.integers(start, size - 1))}")
    return Baseline.all()


@st.composite
def rebases(draw: st.DrawFn, size: int) -> list[RebaseSpec]:
    if size == 0:
        return []
    at = draw(st.sets(st.integers(0, size - 1), max_size=5))
    chosen: list[RebaseSpec] = []
    for index in sorted(at, reverse=draw(st.booleans())):
        ref: int | str = f"p{index}" if draw(st.booleans()) else index
        if draw(st.booleans()):
            chosen.append(Rebase(ref, draw(st.none() | baselines(size))))
        else:
            chosen.append(ref)
    return chosen


@st.composite
def run_inputs(draw: st.DrawFn) -> tuple[list[Point], Baseline, list[RebaseSpec]]:
    values = draw(values_strategy)
    points = [Point(f"p{index}", value) for index, value in enumerate(values)]
    return points, draw(baselines(len(points))), draw(rebases(len(points)))


@st.composite
def count_inputs(draw: st.DrawFn) -> tuple[list[Point], Baseline, list[RebaseSpec]]:
    denominators = draw(
        st.lists(
            st.one_of(
                st.just(0.0),
                st.integers(0, 1000).map(float),
                st.floats(min_value=0.0, allow_infinity=False),
            ),
            max_size=40,
        )
    )
    points = []
    for index, denominator in enumerate(denominators):
        share = draw(st.sampled_from([0.0, 1.0]) | st.floats(0.0, 1.0))
        points.append(Point(f"p{index}", 0.0, denominator * share, denominator))
    return points, draw(baselines(len(points))), draw(rebases(len(points)))


def assert_serialisable(result: object) -> None:
    """Only primitives, tuples, enums and nested dataclasses, and never a NaN."""

    def walk(value: object) -> None:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            for field in dataclasses.fields(value):
                walk(getattr(value, field.name))
        elif isinstance(value, tuple):
            for item in value:
                walk(item)
        elif isinstance(value, float):
            assert not math.isnan(value)
        else:
            assert value is None or isinstance(value, str | int | bool | Enum), value

    walk(result)


def assert_well_formed(chart: RunChart | XmrChart | PChart, size: int) -> None:
    assert [point.index for point in chart.points] == list(range(size))
    assert chart.segments
    covered = [index for segment in chart.segments for index in segment.point_indices]
    assert covered == list(range(size))
    segments: Sequence[RunChartSegment | XmrSegment | PChartSegment] = chart.segments
    for number, segment in enumerate(segments):
        assert segment.index == number
        members = set(segment.point_indices)
        assert set(segment.baseline_indices) <= members
        assert bool(segment.baseline_indices) == bool(segment.point_indices)
        applied = {check.rule for check in segment.checks if check.status is RuleStatus.APPLIED}
        assert len({check.rule for check in segment.checks}) == len(segment.checks)
        for signal in segment.signals:
            assert signal.indices
            assert list(signal.indices) == sorted(set(signal.indices))
            assert set(signal.indices) <= members
            assert signal.rule in applied
        for check in segment.checks:
            assert check.note
        for point in chart.points:
            if point.index in members:
                assert point.segment == number
    assert_serialisable(chart)


@settings(deadline=None)
@given(run_inputs(), st.sampled_from(RunsRuleSet))
def test_run_charts_never_crash(
    case: tuple[list[Point], Baseline, list[RebaseSpec]], rules: RunsRuleSet
) -> None:
    points, baseline, rebase = case
    chart = run_chart(points, baseline=baseline, rebase=rebase, runs_rules=rules)
    assert_well_formed(chart, len(points))


@settings(deadline=None)
@given(run_inputs())
def test_xmr_charts_never_crash(case: tuple[list[Point], Baseline, list[RebaseSpec]]) -> None:
    points, baseline, rebase = case
    chart = xmr_chart(points, baseline=baseline, rebase=rebase)
    assert_well_formed(chart, len(points))
    fired = {index for segment in chart.segments for s in segment.signals for index in s.indices}
    assert {point.index for point in chart.points if point.rules} == fired


@settings(deadline=None)
@given(count_inputs())
def test_p_charts_never_crash(case: tuple[list[Point], Baseline, list[RebaseSpec]]) -> None:
    points, baseline, rebase = case
    chart = p_chart(points, baseline=baseline, rebase=rebase)
    assert_well_formed(chart, len(points))
    for point in chart.points:
        if point.denominator == 0:
            assert point.proportion is None
            assert point.excluded_reason is not None
            assert point.rules == ()
        else:
            assert point.proportion is not None
            assert 0.0 <= point.proportion <= 1.0
        for limit in (point.lower_limit, point.upper_limit):
            assert limit is None or 0.0 <= limit <= 1.0


@settings(deadline=None)
@given(st.lists(finite, max_size=10), st.integers(), st.text(max_size=3))
def test_rebases_outside_the_points_are_refused_not_crashed_on(
    values: Sequence[float], at: int, label: str
) -> None:
    points = [Point(f"p{index}", value) for index, value in enumerate(values)]
    for rebase in (at, label):
        known = (isinstance(rebase, int) and 0 <= rebase < len(points)) or (
            isinstance(rebase, str) and rebase in {point.label for point in points}
        )
        try:
            chart = run_chart(points, rebase=[rebase])
        except InvalidAnalysisInput:
            assert not known
        else:
            assert known
            assert_well_formed(chart, len(points))
