"""The special-cause rules of a Shewhart chart, shared by the XmR and P charts.

The four rules of Provost & Murray, The Health Care Data Guide (2011), as commonly used in
health and care improvement:

1. a point outside the control limits (strictly beyond; a point on a limit is inside);
2. 8 or more consecutive points on one side of the centre line (points on the line neither
   break nor add to the run, as on a run chart);
3. 6 consecutive points all increasing or all decreasing (equal neighbours count once, as
   on a run chart);
4. 2 out of 3 consecutive points beyond 2 sigma on the same side of the centre line (points
   beyond the limits count; the third point may be anywhere).

Rules 2 and 3 are applied to every point of a segment; rules 1 and 4 need a sigma, and are
reported as not applicable when the baseline gives a sigma of zero (a flat baseline, or a
proportion of 0 or 1), since zero-width limits would flag every point that differs at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from domain.improvement.analysis.outcomes import Direction, RuleStatus, Shortfall
from domain.improvement.analysis.sequences import (
    count_distinct_steps,
    count_off_centre,
    monotone_runs,
    side_runs,
)

RUN_LENGTH: Final = 8
TREND_LENGTH: Final = 6
ZONE_SIGMAS: Final = 2


class ShewhartRule(StrEnum):
    OUTSIDE_LIMITS = "outside_limits"
    RUN_OF_EIGHT = "run_of_eight"
    TREND_OF_SIX = "trend_of_six"
    TWO_OF_THREE_BEYOND_TWO_SIGMA = "two_of_three_beyond_two_sigma"


@dataclass(frozen=True)
class ShewhartCheck:
    """Whether a rule was applied to a segment; if not, why (`needs`/`has` when a count)."""

    rule: ShewhartRule
    status: RuleStatus
    note: str
    needs: int | None = None
    has: int | None = None


@dataclass(frozen=True)
class ShewhartSignal:
    """A rule that fired, with the indices (ascending) of the points that make it."""

    rule: ShewhartRule
    indices: tuple[int, ...]
    direction: Direction
    detail: str


@dataclass(frozen=True)
class Plotted:
    """Internal: one point as the rules see it. `sigma` and the limits are None when the
    segment has no limits; the P chart's vary from point to point."""

    index: int
    value: float
    sigma: float | None
    lower_limit: float | None
    upper_limit: float | None


_ORDER: Final = {rule: order for order, rule in enumerate(ShewhartRule)}


def apply_rules(
    plotted: Sequence[Plotted],
    centre: float | None,
    no_centre: Shortfall | None,
    no_sigma: Shortfall | None,
) -> tuple[tuple[ShewhartCheck, ...], tuple[ShewhartSignal, ...]]:
    """Checks and signals for one segment's points, in order.

    `no_centre` says why there is no centre line (then rules 1, 2 and 4 cannot apply);
    `no_sigma` why there is no usable sigma (then rules 1 and 4 cannot apply).
    """
    checks: list[ShewhartCheck] = []
    signals: list[ShewhartSignal] = []
    series = [(point.index, point.value) for point in plotted]
    no_sigma = no_centre or no_sigma

    def short(rule: ShewhartRule, shortfall: Shortfall) -> None:
        checks.append(
            ShewhartCheck(
                rule, RuleStatus.INSUFFICIENT_DATA, shortfall.note, shortfall.needs, shortfall.has
            )
        )

    def applied(rule: ShewhartRule, note: str) -> None:
        checks.append(ShewhartCheck(rule, RuleStatus.APPLIED, note))

    # Rule 1.
    if no_sigma is not None:
        short(ShewhartRule.OUTSIDE_LIMITS, no_sigma)
    elif not plotted:
        short(ShewhartRule.OUTSIDE_LIMITS, Shortfall.count(1, 0, "point"))
    else:
        applied(ShewhartRule.OUTSIDE_LIMITS, "a point outside the control limits")
        signals.extend(_outside(plotted))

    # Rule 2.
    if centre is None:
        assert no_centre is not None
        short(ShewhartRule.RUN_OF_EIGHT, no_centre)
    elif (off := count_off_centre(series, centre)) < RUN_LENGTH:
        short(
            ShewhartRule.RUN_OF_EIGHT,
            Shortfall.count(RUN_LENGTH, off, "points off the centre line"),
        )
    else:
        applied(
            ShewhartRule.RUN_OF_EIGHT,
            f"{RUN_LENGTH} or more consecutive points on one side of the centre line",
        )
        for run in side_runs(series, centre):
            if run.length >= RUN_LENGTH:
                where = "above" if run.direction is Direction.UP else "below"
                signals.append(
                    ShewhartSignal(
                        ShewhartRule.RUN_OF_EIGHT,
                        run.indices,
                        run.direction,
                        f"{run.length} consecutive points {where} the centre line",
                    )
                )

    # Rule 3.
    steps = count_distinct_steps(series)
    if steps < TREND_LENGTH:
        short(
            ShewhartRule.TREND_OF_SIX,
            Shortfall.count(TREND_LENGTH, steps, "points (equal neighbours count once)"),
        )
    else:
        applied(
            ShewhartRule.TREND_OF_SIX,
            f"{TREND_LENGTH} or more consecutive points all increasing or decreasing",
        )
        for run in monotone_runs(series):
            if run.length >= TREND_LENGTH:
                way = "increasing" if run.direction is Direction.UP else "decreasing"
                signals.append(
                    ShewhartSignal(
                        ShewhartRule.TREND_OF_SIX,
                        run.indices,
                        run.direction,
                        f"{run.length} points {way}",
                    )
                )

    # Rule 4.
    if no_sigma is not None:
        short(ShewhartRule.TWO_OF_THREE_BEYOND_TWO_SIGMA, no_sigma)
    elif len(plotted) < 3:
        short(
            ShewhartRule.TWO_OF_THREE_BEYOND_TWO_SIGMA, Shortfall.count(3, len(plotted), "points")
        )
    else:
        assert centre is not None
        applied(
            ShewhartRule.TWO_OF_THREE_BEYOND_TWO_SIGMA,
            "2 of 3 consecutive points beyond 2 sigma on the same side of the centre line",
        )
        signals.extend(_two_of_three(plotted, centre))

    checks.sort(key=lambda check: _ORDER[check.rule])
    signals.sort(key=lambda signal: (signal.indices[0], _ORDER[signal.rule]))
    return tuple(checks), tuple(signals)


def _outside(plotted: Sequence[Plotted]) -> list[ShewhartSignal]:
    signals: list[ShewhartSignal] = []
    for point in plotted:
        if point.upper_limit is not None and point.value > point.upper_limit:
            signals.append(
                ShewhartSignal(
                    ShewhartRule.OUTSIDE_LIMITS,
                    (point.index,),
                    Direction.UP,
                    f"{point.value:g} is above the upper limit {point.upper_limit:g}",
                )
            )
        elif point.lower_limit is not None and point.value < point.lower_limit:
            signals.append(
                ShewhartSignal(
                    ShewhartRule.OUTSIDE_LIMITS,
                    (point.index,),
                    Direction.DOWN,
                    f"{point.value:g} is below the lower limit {point.lower_limit:g}",
                )
            )
    return signals


def _beyond(point: Plotted, centre: float, direction: Direction) -> bool:
    if point.sigma is None:
        return False
    if direction is Direction.UP:
        return point.value > centre + ZONE_SIGMAS * point.sigma
    return point.value < centre - ZONE_SIGMAS * point.sigma


def _two_of_three(plotted: Sequence[Plotted], centre: float) -> list[ShewhartSignal]:
    """One signal per stretch of overlapping qualifying windows on the same side, listing
    the points beyond 2 sigma that make it (not the in-between point that may be anywhere)."""
    signals: list[ShewhartSignal] = []
    for direction in Direction:
        merged: list[set[int]] = []
        for start in range(len(plotted) - 2):
            window = plotted[start : start + 3]
            beyond = {point.index for point in window if _beyond(point, centre, direction)}
            if len(beyond) < 2:
                continue
            if merged and merged[-1] & beyond:
                merged[-1] |= beyond
            else:
                merged.append(beyond)
        side = "above" if direction is Direction.UP else "below"
        for indices in merged:
            signals.append(
                ShewhartSignal(
                    ShewhartRule.TWO_OF_THREE_BEYOND_TWO_SIGMA,
                    tuple(sorted(indices)),
                    direction,
                    f"{len(indices)} points beyond 2 sigma {side} the centre line, "
                    "2 or more of them in 3 consecutive points",
                )
            )
    return signals


def rules_by_point(signals: Sequence[ShewhartSignal]) -> dict[int, tuple[ShewhartRule, ...]]:
    """For each point index that any signal covers, the rules that fired there, in order."""
    fired: dict[int, set[ShewhartRule]] = {}
    for signal in signals:
        for index in signal.indices:
            fired.setdefault(index, set()).add(signal.rule)
    return {
        index: tuple(sorted(rules, key=lambda rule: _ORDER[rule])) for index, rules in fired.items()
    }
