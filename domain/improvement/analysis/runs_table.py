"""Limits for the number of runs on a run chart (too few or too many runs).

A run is one or more consecutive points on the same side of the median; points on the median
are not "useful observations" and are not counted. The limits come from:

    Perla RJ, Provost LP, Murray SK. The run chart: a simple analytical tool for learning from
    variation in healthcare processes. BMJ Quality & Safety 2011;20:46-51. Table 1, "Tests for
    number of runs above and below the median", adapted by the authors from Swed FS,
    Eisenhart C. Tables for testing randomness of grouping in a sequence of alternatives.
    Annals of Mathematical Statistics 1943;14:66-87 (about a 5% risk of a false signal).

Fewer runs than the lower limit is "too few"; more than the upper limit is "too many"; the
limits themselves are within expectation. The table covers 10 to 60 useful observations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

# useful observations -> (lower limit, upper limit) for the number of runs.
RUNS_LIMITS: Final = MappingProxyType(
    {
        10: (3, 9),
        11: (3, 10),
        12: (3, 11),
        13: (4, 11),
        14: (4, 12),
        15: (5, 12),
        16: (5, 13),
        17: (5, 13),
        18: (6, 14),
        19: (6, 15),
        20: (6, 16),
        21: (7, 16),
        22: (7, 17),
        23: (7, 17),
        24: (8, 18),
        25: (8, 18),
        26: (9, 19),
        27: (10, 19),
        28: (10, 20),
        29: (10, 20),
        30: (11, 21),
        31: (11, 22),
        32: (11, 23),
        33: (12, 23),
        34: (12, 24),
        35: (13, 24),
        36: (13, 25),
        37: (13, 25),
        38: (14, 26),
        39: (14, 26),
        40: (15, 27),
        41: (15, 27),
        42: (16, 28),
        43: (16, 28),
        44: (17, 29),
        45: (17, 30),
        46: (17, 31),
        47: (18, 31),
        48: (18, 32),
        49: (19, 32),
        50: (19, 33),
        51: (20, 33),
        52: (20, 34),
        53: (21, 35),
        54: (21, 35),
        55: (22, 35),
        56: (22, 36),
        57: (23, 36),
        58: (23, 37),
        59: (24, 38),
        60: (24, 38),
    }
)

MIN_USEFUL_OBSERVATIONS: Final = min(RUNS_LIMITS)
MAX_TABLE_OBSERVATIONS: Final = max(RUNS_LIMITS)

# Two-sided 95% normal quantile, matching the table's ~5% risk of a false signal.
_Z_95: Final = 1.959963984540054


class RunsMethod(StrEnum):
    TABLE = "table"
    NORMAL_APPROXIMATION = "normal_approximation"


@dataclass(frozen=True)
class RunsLimits:
    lower: int
    upper: int
    method: RunsMethod


def runs_limits(useful_observations: int) -> RunsLimits | None:
    """The expected range for the number of runs: from the table for 10 to 60 useful
    observations, by `normal_approximation` above 60, and None below 10, where the table
    gives no limits and any we made up would be a guess."""
    if useful_observations in RUNS_LIMITS:
        lower, upper = RUNS_LIMITS[useful_observations]
        return RunsLimits(lower, upper, RunsMethod.TABLE)
    if useful_observations < MIN_USEFUL_OBSERVATIONS:
        return None
    return normal_approximation(useful_observations)


def normal_approximation(useful_observations: int) -> RunsLimits:
    """Limits from the normal approximation to the distribution of the number of runs, for
    where the table ends.

    Wald & Wolfowitz: mean 2ab/n + 1 and variance 2ab(2ab - n) / (n^2 (n - 1)) for a points
    above the median and b below. The split is taken as half and half, as a median implies,
    so that, like the table, the limits depend on n only. The lower limit is rounded up and
    the upper down, since runs are whole: at n = 60 this gives the table's own (24, 38).
    """
    n = useful_observations
    above = n // 2
    below = n - above
    mean = 2 * above * below / n + 1
    variance = 2 * above * below * (2 * above * below - n) / (n * n * (n - 1))
    spread = _Z_95 * math.sqrt(variance)
    return RunsLimits(
        math.ceil(mean - spread), math.floor(mean + spread), RunsMethod.NORMAL_APPROXIMATION
    )
