"""XmR (individuals and moving range) charts, for measurements.

Per segment: centre line = mean of the baseline; moving ranges |x_i - x_(i-1)| between
consecutive points of the segment (the first point of a segment has none, so a rebase never
mixes two processes in one range); MR-bar = mean of the baseline's moving ranges; limits =
mean +/- 2.66 x MR-bar; the moving range chart's upper limit = 3.267 x MR-bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.improvement.analysis.baseline import Baseline, RebaseSpec, SegmentPlan, plan_segments
from domain.improvement.analysis.limits import MOVING_RANGE_LIMIT_FACTOR, XmrLimits, xmr_limits
from domain.improvement.analysis.outcomes import Shortfall
from domain.improvement.analysis.points import Point, checked_values
from domain.improvement.analysis.sequences import moving_ranges, to_float
from domain.improvement.analysis.shewhart import (
    Plotted,
    ShewhartCheck,
    ShewhartRule,
    ShewhartSignal,
    apply_rules,
    rules_by_point,
)


@dataclass(frozen=True)
class XmrPoint:
    """One point; `rules` lists every rule that fired at it (empty when none did)."""

    index: int
    label: str
    value: float
    segment: int
    moving_range: float | None
    moving_range_above_limit: bool
    rules: tuple[ShewhartRule, ...]


@dataclass(frozen=True)
class XmrSegment:
    """One stretch of the chart with its own baseline and limits.

    The centre is None only for an empty segment; the limits are None when the baseline
    has fewer than two points (no moving range to estimate the spread from).
    """

    index: int
    point_indices: tuple[int, ...]
    baseline_indices: tuple[int, ...]
    notes: tuple[str, ...]
    centre: float | None
    average_moving_range: float | None
    lower_limit: float | None
    upper_limit: float | None
    moving_range_upper_limit: float | None
    checks: tuple[ShewhartCheck, ...]
    signals: tuple[ShewhartSignal, ...]


@dataclass(frozen=True)
class XmrChart:
    points: tuple[XmrPoint, ...]
    segments: tuple[XmrSegment, ...]


def xmr_chart(
    points: Sequence[Point],
    *,
    baseline: Baseline | None = None,
    rebase: Sequence[RebaseSpec] | RebaseSpec = (),
) -> XmrChart:
    """Analyse `points` as an XmR chart; `baseline` and `rebase` as for `run_chart`.

    Raises InvalidAnalysisInput for a value that is not a finite number or a baseline or
    rebase that names no point.
    """
    values = checked_values(points)
    plans = plan_segments([point.label for point in points], baseline or Baseline.all(), rebase)
    segments: list[XmrSegment] = []
    chart_points: list[XmrPoint] = []
    for number, plan in enumerate(plans):
        segment, segment_points = _segment(number, plan, points, values)
        segments.append(segment)
        chart_points.extend(segment_points)
    return XmrChart(points=tuple(chart_points), segments=tuple(segments))


def _segment(
    number: int, plan: SegmentPlan, points: Sequence[Point], values: Sequence[float]
) -> tuple[XmrSegment, list[XmrPoint]]:
    baseline_values = [values[index] for index in plan.baseline_indices]
    limits = xmr_limits(baseline_values)
    centre: float | None = None
    if limits is not None:
        centre = limits.centre
    elif baseline_values:
        centre = baseline_values[0]

    plotted = [
        Plotted(
            index=index,
            value=values[index],
            sigma=limits.sigma if limits is not None else None,
            lower_limit=limits.lower_limit if limits is not None else None,
            upper_limit=limits.upper_limit if limits is not None else None,
        )
        for index in plan.point_indices
    ]
    no_centre = None if centre is not None else Shortfall.count(1, 0, "point")
    checks, signals = apply_rules(plotted, centre, no_centre, _no_sigma(limits, baseline_values))

    mr_limit = (
        MOVING_RANGE_LIMIT_FACTOR * limits.average_moving_range if limits is not None else None
    )
    # The first point of a segment has no moving range: the previous point belongs to
    # another segment (or there is none).
    ranges: list[float | None] = []
    if plan.point_indices:
        ranges.append(None)
        ranges += [to_float(r) for r in moving_ranges([values[i] for i in plan.point_indices])]
    fired = rules_by_point(signals)
    segment_points = [
        XmrPoint(
            index=index,
            label=points[index].label,
            value=values[index],
            segment=number,
            moving_range=moving_range,
            moving_range_above_limit=(
                moving_range is not None and mr_limit is not None and moving_range > mr_limit
            ),
            rules=fired.get(index, ()),
        )
        for index, moving_range in zip(plan.point_indices, ranges, strict=True)
    ]
    segment = XmrSegment(
        index=number,
        point_indices=plan.point_indices,
        baseline_indices=plan.baseline_indices,
        notes=plan.notes,
        centre=centre,
        average_moving_range=limits.average_moving_range if limits is not None else None,
        lower_limit=limits.lower_limit if limits is not None else None,
        upper_limit=limits.upper_limit if limits is not None else None,
        moving_range_upper_limit=mr_limit,
        checks=checks,
        signals=signals,
    )
    return segment, segment_points


def _no_sigma(limits: XmrLimits | None, baseline: Sequence[float]) -> Shortfall | None:
    if limits is None:
        return Shortfall.count(2, len(baseline), "baseline points")
    if limits.average_moving_range == 0:
        return Shortfall(
            "the baseline does not vary (average moving range 0), so the limits have zero width"
        )
    return None
