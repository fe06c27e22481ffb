"""P charts, for proportions whose denominators vary.

Per segment: p-bar = sum of numerators / sum of denominators over the baseline (a weighted
mean, so a month with 200 cases weighs more than one with 20); for each point
sigma_i = sqrt(p-bar (1 - p-bar) / n_i) and limits p-bar +/- 3 sigma_i, clipped to [0, 1],
so the limits narrow as the denominator grows.

A point with a zero denominator has no proportion: it is listed as excluded, with its
reason, has no limits, takes no part in the baseline and is skipped by the rules (it neither
breaks nor adds to a run). A negative count or a numerator above its denominator is a data
error and raises InvalidAnalysisInput naming the point (see points.checked_counts).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from domain.improvement.analysis.baseline import Baseline, RebaseSpec, SegmentPlan, plan_segments
from domain.improvement.analysis.outcomes import Shortfall
from domain.improvement.analysis.points import Point, checked_counts
from domain.improvement.analysis.sequences import to_float
from domain.improvement.analysis.shewhart import (
    Plotted,
    ShewhartCheck,
    ShewhartRule,
    ShewhartSignal,
    apply_rules,
    rules_by_point,
)

LIMIT_SIGMAS: Final = 3
ZERO_DENOMINATOR: Final = "denominator is 0, so the proportion is undefined"


@dataclass(frozen=True)
class PChartPoint:
    """One point. For an excluded point `proportion` and the limits are None and
    `excluded_reason` says why; `rules` lists every rule that fired at the point."""

    index: int
    label: str
    numerator: float
    denominator: float
    segment: int
    proportion: float | None
    lower_limit: float | None
    upper_limit: float | None
    excluded_reason: str | None
    rules: tuple[ShewhartRule, ...]


@dataclass(frozen=True)
class PChartSegment:
    """One stretch of the chart with its own baseline and p-bar (`centre`, None when no
    baseline point has a denominator above zero). The limits vary by point: see the points."""

    index: int
    point_indices: tuple[int, ...]
    baseline_indices: tuple[int, ...]
    excluded_indices: tuple[int, ...]
    notes: tuple[str, ...]
    centre: float | None
    checks: tuple[ShewhartCheck, ...]
    signals: tuple[ShewhartSignal, ...]


@dataclass(frozen=True)
class PChart:
    points: tuple[PChartPoint, ...]
    segments: tuple[PChartSegment, ...]


def p_chart(
    points: Sequence[Point],
    *,
    baseline: Baseline | None = None,
    rebase: Sequence[RebaseSpec] | RebaseSpec = (),
) -> PChart:
    """Analyse the numerators and denominators of `points` as a P chart; `baseline` and
    `rebase` as for `run_chart`. Each point's `value` is ignored.

    Raises InvalidAnalysisInput for a missing, non-finite or negative count, a numerator
    greater than its denominator, or a baseline or rebase that names no point.
    """
    counts = checked_counts(points)
    plans = plan_segments([point.label for point in points], baseline or Baseline.all(), rebase)
    segments: list[PChartSegment] = []
    chart_points: list[PChartPoint] = []
    for number, plan in enumerate(plans):
        segment, segment_points = _segment(number, plan, points, counts)
        segments.append(segment)
        chart_points.extend(segment_points)
    return PChart(points=tuple(chart_points), segments=tuple(segments))


def _segment(
    number: int,
    plan: SegmentPlan,
    points: Sequence[Point],
    counts: Sequence[tuple[float, float]],
) -> tuple[PChartSegment, list[PChartPoint]]:
    included = [index for index in plan.point_indices if counts[index][1] > 0]
    excluded = tuple(index for index in plan.point_indices if counts[index][1] == 0)
    baseline = [index for index in plan.baseline_indices if counts[index][1] > 0]

    centre: float | None = None
    no_centre: Shortfall | None = None
    no_sigma: Shortfall | None = None
    if baseline:
        # Exact sums: a float sum of many counts can round, and p-bar decides every limit.
        numerators = sum((Fraction(counts[i][0]) for i in baseline), Fraction(0))
        denominators = sum((Fraction(counts[i][1]) for i in baseline), Fraction(0))
        centre = to_float(numerators / denominators)
        if centre in (0.0, 1.0):
            no_sigma = Shortfall(
                f"p-bar is {centre:g}, so sigma is 0 and the limits have zero width"
            )
    else:
        no_centre = Shortfall("no baseline point has a denominator above 0", needs=1, has=0)

    plotted: list[Plotted] = []
    limits: dict[int, tuple[float, float]] = {}
    for index in included:
        numerator, denominator = counts[index]
        proportion = numerator / denominator
        if centre is None:
            plotted.append(Plotted(index, proportion, None, None, None))
            continue
        sigma = _sigma(centre, denominator)
        lower = max(0.0, centre - LIMIT_SIGMAS * sigma)
        upper = min(1.0, centre + LIMIT_SIGMAS * sigma)
        limits[index] = (lower, upper)
        plotted.append(Plotted(index, proportion, sigma, lower, upper))

    checks, signals = apply_rules(plotted, centre, no_centre, no_sigma)
    fired = rules_by_point(signals)
    segment_points: list[PChartPoint] = []
    for index in plan.point_indices:
        numerator, denominator = counts[index]
        is_excluded = denominator == 0
        lower_upper = limits.get(index)
        segment_points.append(
            PChartPoint(
                index=index,
                label=points[index].label,
                numerator=numerator,
                denominator=denominator,
                segment=number,
                proportion=None if is_excluded else numerator / denominator,
                lower_limit=lower_upper[0] if lower_upper is not None else None,
                upper_limit=lower_upper[1] if lower_upper is not None else None,
                excluded_reason=ZERO_DENOMINATOR if is_excluded else None,
                rules=fired.get(index, ()),
            )
        )
    segment = PChartSegment(
        index=number,
        point_indices=plan.point_indices,
        baseline_indices=plan.baseline_indices,
        excluded_indices=excluded,
        notes=plan.notes,
        centre=centre,
        checks=checks,
        signals=signals,
    )
    return segment, segment_points


def _sigma(centre: float, denominator: float) -> float:
    # For a tiny denominator the variance overflows to inf; the limits then clip to [0, 1],
    # which is what they are: one case in a sliver of an opportunity says nothing.
    variance = centre * (1 - centre) / denominator
    return math.sqrt(variance)
