"""XmR (individuals) limits, used by the XmR chart and by the run chart's astronomical rule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from domain.improvement.analysis.sequences import exact_mean, moving_ranges, to_float

# 3 / d2, with d2 = 1.128 for moving ranges of two points: the 3-sigma distance in MR-bars.
XMR_LIMIT_FACTOR: Final = 2.66
# D4 for subgroups of two: the upper limit of the moving range chart in MR-bars.
MOVING_RANGE_LIMIT_FACTOR: Final = 3.267


@dataclass(frozen=True)
class XmrLimits:
    """Centre line and natural process limits: centre +/- 2.66 x average moving range.

    Limits beyond the float range (values near 1e308) are reported as infinities.
    """

    centre: float
    average_moving_range: float
    lower_limit: float
    upper_limit: float

    @property
    def sigma(self) -> float:
        # One third of the distance to a limit, so the 2-sigma zone of rule 4 sits exactly
        # two thirds of the way to the limits that rule 1 uses.
        return XMR_LIMIT_FACTOR * self.average_moving_range / 3


def xmr_limits(baseline: Sequence[float]) -> XmrLimits | None:
    """Limits from consecutive baseline values, or None with fewer than two (no moving range)."""
    if len(baseline) < 2:
        return None
    centre = exact_mean(baseline)
    ranges = moving_ranges(baseline)
    average = sum(ranges, Fraction(0)) / len(ranges)
    distance = to_float(Fraction(str(XMR_LIMIT_FACTOR)) * average)
    return XmrLimits(
        centre=centre,
        average_moving_range=to_float(average),
        lower_limit=centre - distance,
        upper_limit=centre + distance,
    )
