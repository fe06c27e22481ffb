"""Limits of the Anhoej run chart rules, an alternative to the runs table.

    Anhoej J, Olesen AV. Run charts revisited: a simulation study of run chart rules for
    detection of non-random variation in health care processes. PLoS ONE 2014;9(11):e113825.

Both limits depend on n, the number of useful observations (points not on the median), and
keep the false signal rate near 5% whatever the length of the chart.
"""

from __future__ import annotations

import math


def longest_run_limit(useful_observations: int) -> int:
    """A run longer than round(log2(n) + 3) is unusually long.

    Rounded half up by hand: Python's round() rounds half to even. (log2(n) + 3 is never
    exactly half-way for a whole n, but the intent should not rest on that.)
    """
    return math.floor(math.log2(useful_observations) + 3 + 0.5)


def crossings_limit(useful_observations: int) -> int:
    """Fewer crossings of the median than this are unusually few: the 5th percentile of the
    binomial distribution with n - 1 trials and p = 0.5, i.e. the smallest c with
    P(X <= c) >= 0.05, as R's qbinom(0.05, n - 1, 0.5).

    Computed exactly in integers (P(X <= c) >= 1/20 iff 20 * sum C(n-1, k) >= 2^(n-1)), so no
    rounding can move the limit.
    """
    trials = max(useful_observations - 1, 0)
    total = 2**trials
    cumulative = 0
    for crossings in range(trials + 1):
        cumulative += math.comb(trials, crossings)
        if 20 * cumulative >= total:
            return crossings
    return trials
