"""Run charts: a median and the probability-based rules of health and care improvement.

Rules, applied within each segment against the median of its baseline:

- shift: 6 or more consecutive points all above or all below the median. Points on the
  median neither break nor add to a run.
- trend: 5 or more consecutive points all rising or all falling. A value equal to its
  neighbour neither breaks nor adds to a trend (it counts once).
- runs: too few or too many runs for the number of useful observations (points not on the
  median), by the table of Perla, Provost & Murray (2011) - see runs_table - or, with
  `RunsRuleSet.ANHOEJ`, an unusually long run or unusually few crossings of the median.
- astronomical: "a point obviously different from the rest". Left to judgement on paper;
  here it is made operational as a point outside the limits an XmR chart would draw from
  the same baseline (mean +/- 2.66 x average moving range), so the rule is reproducible.

A rule that cannot be applied to the data there is says so, with how many points it needs
and has, rather than reporting no signal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from domain.improvement.analysis import anhoej
from domain.improvement.analysis.baseline import Baseline, RebaseSpec, SegmentPlan, plan_segments
from domain.improvement.analysis.limits import XmrLimits, xmr_limits
from domain.improvement.analysis.outcomes import Direction, RuleStatus, Shortfall
from domain.improvement.analysis.points import Point, checked_values
from domain.improvement.analysis.runs_table import (
    MIN_USEFUL_OBSERVATIONS,
    RunsMethod,
    runs_limits,
)
from domain.improvement.analysis.sequences import (
    Run,
    count_distinct_steps,
    exact_median,
    monotone_runs,
    side_runs,
)

SHIFT_LENGTH: Final = 6
TREND_LENGTH: Final = 5


class RunsRuleSet(StrEnum):
    """How the runs about the median are judged."""

    # Too few or too many runs, by the table of Perla, Provost & Murray (2011).
    PERLA = "perla"
    # Longest run and number of crossings, by Anhoej & Olesen (2014).
    ANHOEJ = "anhoej"


class RunChartRule(StrEnum):
    SHIFT = "shift"
    TREND = "trend"
    RUNS = "runs"
    LONGEST_RUN = "longest_run"
    CROSSINGS = "crossings"
    ASTRONOMICAL = "astronomical"


class Position(StrEnum):
    ABOVE = "above"
    BELOW = "below"
    ON_MEDIAN = "on_median"


@dataclass(frozen=True)
class RunChartCheck:
    """Whether a rule was applied to a segment; if not, why (`needs`/`has` when a count)."""

    rule: RunChartRule
    status: RuleStatus
    note: str
    needs: int | None = None
    has: int | None = None


@dataclass(frozen=True)
class RunChartSignal:
    """A rule that fired, with the indices (ascending) of the points that make it.

    `direction` is up (above the median, or rising) or down; None for the runs and
    crossings rules, which are about the whole segment.
    """

    rule: RunChartRule
    indices: tuple[int, ...]
    direction: Direction | None
    detail: str


@dataclass(frozen=True)
class RunsTest:
    method: RunsMethod
    useful_observations: int
    runs: int
    lower_limit: int
    upper_limit: int
    too_few: bool
    too_many: bool


@dataclass(frozen=True)
class AnhoejTest:
    useful_observations: int
    longest_run: int
    longest_run_limit: int
    crossings: int
    crossings_limit: int
    unusually_long_run: bool
    unusually_few_crossings: bool


@dataclass(frozen=True)
class RunChartPoint:
    index: int
    label: str
    value: float
    segment: int
    position: Position


@dataclass(frozen=True)
class RunChartSegment:
    """One stretch of the chart with its own baseline, median and signals.

    `astronomical_limits` are the XmR limits the astronomical rule used (None with fewer
    than two baseline points). `runs_test` is set for the Perla rule set and `anhoej_test`
    for the Anhoej rule set, each only when the segment had enough useful observations.
    """

    index: int
    point_indices: tuple[int, ...]
    baseline_indices: tuple[int, ...]
    notes: tuple[str, ...]
    median: float | None
    checks: tuple[RunChartCheck, ...]
    signals: tuple[RunChartSignal, ...]
    runs_test: RunsTest | None
    anhoej_test: AnhoejTest | None
    astronomical_limits: XmrLimits | None


@dataclass(frozen=True)
class RunChart:
    runs_rules: RunsRuleSet
    points: tuple[RunChartPoint, ...]
    segments: tuple[RunChartSegment, ...]


def run_chart(
    points: Sequence[Point],
    *,
    baseline: Baseline | None = None,
    rebase: Sequence[RebaseSpec] | RebaseSpec = (),
    runs_rules: RunsRuleSet = RunsRuleSet.PERLA,
) -> RunChart:
    """Analyse `points` as a run chart.

    `baseline` (default: all points) sets each segment's median; `rebase` starts a new
    segment, with its own baseline, at each point given (an index, a label, or a `Rebase`).
    Raises InvalidAnalysisInput for a value that is not a finite number or a baseline or
    rebase that names no point.
    """
    values = checked_values(points)
    plans = plan_segments([point.label for point in points], baseline or Baseline.all(), rebase)
    segments = tuple(
        _segment(number, plan, values, runs_rules) for number, plan in enumerate(plans)
    )
    chart_points: list[RunChartPoint] = []
    for segment in segments:
        for index in segment.point_indices:
            chart_points.append(
                RunChartPoint(
                    index=index,
                    label=points[index].label,
                    value=values[index],
                    segment=segment.index,
                    position=_position(values[index], segment.median),
                )
            )
    return RunChart(runs_rules=runs_rules, points=tuple(chart_points), segments=segments)


def _position(value: float, median: float | None) -> Position:
    # Every segment with points has a median (its baseline is never empty).
    assert median is not None
    if value == median:
        return Position.ON_MEDIAN
    return Position.ABOVE if value > median else Position.BELOW


class _Findings:
    def __init__(self) -> None:
        self.checks: list[RunChartCheck] = []
        self.signals: list[RunChartSignal] = []

    def applied(self, rule: RunChartRule, note: str) -> None:
        self.checks.append(RunChartCheck(rule, RuleStatus.APPLIED, note))

    def short(self, rule: RunChartRule, shortfall: Shortfall) -> None:
        self.checks.append(
            RunChartCheck(
                rule, RuleStatus.INSUFFICIENT_DATA, shortfall.note, shortfall.needs, shortfall.has
            )
        )

    def signal(
        self,
        rule: RunChartRule,
        indices: Sequence[int],
        direction: Direction | None,
        detail: str,
    ) -> None:
        self.signals.append(RunChartSignal(rule, tuple(sorted(indices)), direction, detail))


_RULE_ORDER: Final = {rule: order for order, rule in enumerate(RunChartRule)}


def _segment(
    number: int, plan: SegmentPlan, values: Sequence[float], runs_rules: RunsRuleSet
) -> RunChartSegment:
    found = _Findings()
    series = [(index, values[index]) for index in plan.point_indices]
    baseline_values = [values[index] for index in plan.baseline_indices]
    median = exact_median(baseline_values) if baseline_values else None

    # Only an empty segment has no median; it then has no useful points either, and each
    # rule reports that shortfall in its own terms.
    sides = side_runs(series, median) if median is not None else []
    useful = sum(run.length for run in sides)
    _shift(found, sides, useful)
    runs_test: RunsTest | None = None
    anhoej_test: AnhoejTest | None = None
    if runs_rules is RunsRuleSet.PERLA:
        runs_test = _runs(found, sides, useful)
    else:
        anhoej_test = _anhoej(found, sides, useful)
    _trend(found, series)
    limits = xmr_limits(baseline_values)
    _astronomical(found, series, limits, len(baseline_values))

    found.checks.sort(key=lambda check: _RULE_ORDER[check.rule])
    found.signals.sort(key=lambda signal: (signal.indices[0], _RULE_ORDER[signal.rule]))
    return RunChartSegment(
        index=number,
        point_indices=plan.point_indices,
        baseline_indices=plan.baseline_indices,
        notes=plan.notes,
        median=median,
        checks=tuple(found.checks),
        signals=tuple(found.signals),
        runs_test=runs_test,
        anhoej_test=anhoej_test,
        astronomical_limits=limits,
    )


def _shift(found: _Findings, sides: Sequence[Run], useful: int) -> None:
    if useful < SHIFT_LENGTH:
        found.short(
            RunChartRule.SHIFT,
            Shortfall.count(SHIFT_LENGTH, useful, "useful points (not on the median)"),
        )
        return
    found.applied(
        RunChartRule.SHIFT,
        f"{SHIFT_LENGTH} or more consecutive points on one side of the median",
    )
    for run in sides:
        if run.length >= SHIFT_LENGTH:
            where = "above" if run.direction is Direction.UP else "below"
            found.signal(
                RunChartRule.SHIFT,
                run.indices,
                run.direction,
                f"{run.length} consecutive points {where} the median",
            )


def _trend(found: _Findings, series: Sequence[tuple[int, float]]) -> None:
    steps = count_distinct_steps(series)
    if steps < TREND_LENGTH:
        found.short(
            RunChartRule.TREND,
            Shortfall.count(TREND_LENGTH, steps, "points (equal neighbours count once)"),
        )
        return
    found.applied(
        RunChartRule.TREND, f"{TREND_LENGTH} or more consecutive points all rising or falling"
    )
    for run in monotone_runs(series):
        if run.length >= TREND_LENGTH:
            way = "rising" if run.direction is Direction.UP else "falling"
            found.signal(
                RunChartRule.TREND, run.indices, run.direction, f"{run.length} points {way}"
            )


def _useful_shortfall(useful: int) -> Shortfall:
    return Shortfall.count(MIN_USEFUL_OBSERVATIONS, useful, "useful points (not on the median)")


def _runs(found: _Findings, sides: Sequence[Run], useful: int) -> RunsTest | None:
    limits = runs_limits(useful)
    if limits is None:
        found.short(RunChartRule.RUNS, _useful_shortfall(useful))
        return None
    runs = len(sides)
    source = (
        "the table of Perla, Provost & Murray (2011)"
        if limits.method is RunsMethod.TABLE
        else "a normal approximation (the table stops at 60)"
    )
    found.applied(
        RunChartRule.RUNS,
        f"{limits.lower} to {limits.upper} runs expected for {useful} useful points, by {source}",
    )
    test = RunsTest(
        method=limits.method,
        useful_observations=useful,
        runs=runs,
        lower_limit=limits.lower,
        upper_limit=limits.upper,
        too_few=runs < limits.lower,
        too_many=runs > limits.upper,
    )
    if test.too_few or test.too_many:
        verdict = (
            f"fewer than the lower limit of {limits.lower}"
            if test.too_few
            else f"more than the upper limit of {limits.upper}"
        )
        found.signal(
            RunChartRule.RUNS,
            [index for run in sides for index in run.indices],
            None,
            f"{runs} runs in {useful} useful points: {verdict}",
        )
    return test


def _anhoej(found: _Findings, sides: Sequence[Run], useful: int) -> AnhoejTest | None:
    # The same minimum as the table, so that switching rule sets never changes whether a
    # runs analysis is reported at all.
    if useful < MIN_USEFUL_OBSERVATIONS:
        found.short(RunChartRule.LONGEST_RUN, _useful_shortfall(useful))
        found.short(RunChartRule.CROSSINGS, _useful_shortfall(useful))
        return None
    longest = max(run.length for run in sides)
    crossings = len(sides) - 1
    test = AnhoejTest(
        useful_observations=useful,
        longest_run=longest,
        longest_run_limit=anhoej.longest_run_limit(useful),
        crossings=crossings,
        crossings_limit=anhoej.crossings_limit(useful),
        unusually_long_run=longest > anhoej.longest_run_limit(useful),
        unusually_few_crossings=crossings < anhoej.crossings_limit(useful),
    )
    found.applied(
        RunChartRule.LONGEST_RUN,
        f"a run longer than {test.longest_run_limit} points for {useful} useful points",
    )
    found.applied(
        RunChartRule.CROSSINGS,
        f"fewer than {test.crossings_limit} crossings of the median for {useful} useful points",
    )
    for run in sides:
        if run.length > test.longest_run_limit:
            found.signal(
                RunChartRule.LONGEST_RUN,
                run.indices,
                run.direction,
                f"a run of {run.length} points; the limit is {test.longest_run_limit}",
            )
    if test.unusually_few_crossings:
        found.signal(
            RunChartRule.CROSSINGS,
            [index for run in sides for index in run.indices],
            None,
            f"{crossings} crossings of the median; fewer than {test.crossings_limit}",
        )
    return test


def _astronomical(
    found: _Findings,
    series: Sequence[tuple[int, float]],
    limits: XmrLimits | None,
    baseline_size: int,
) -> None:
    if limits is None:
        found.short(RunChartRule.ASTRONOMICAL, Shortfall.count(2, baseline_size, "baseline points"))
        return
    if limits.average_moving_range == 0:
        # Zero-width limits would call every point that differs from a flat baseline
        # "obviously different", which is not what anyone looking at the chart would say.
        found.short(
            RunChartRule.ASTRONOMICAL,
            Shortfall("the baseline does not vary (average moving range 0), so it gives no limits"),
        )
        return
    found.applied(
        RunChartRule.ASTRONOMICAL,
        f"a point outside the XmR limits of the baseline, "
        f"{limits.lower_limit:g} to {limits.upper_limit:g}",
    )
    for index, value in series:
        if value > limits.upper_limit or value < limits.lower_limit:
            above = value > limits.upper_limit
            found.signal(
                RunChartRule.ASTRONOMICAL,
                [index],
                Direction.UP if above else Direction.DOWN,
                f"{value:g} is {'above' if above else 'below'} the limit "
                f"{limits.upper_limit if above else limits.lower_limit:g}",
            )
