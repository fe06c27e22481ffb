"""The runs table and the Anhoej limits, checked against their definitions."""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import pairwise

import pytest

from domain.improvement.analysis.anhoej import crossings_limit, longest_run_limit
from domain.improvement.analysis.runs_table import (
    RUNS_LIMITS,
    RunsLimits,
    RunsMethod,
    normal_approximation,
    runs_limits,
)


def test_the_table_covers_ten_to_sixty_useful_observations() -> None:
    assert sorted(RUNS_LIMITS) == list(range(10, 61))


@pytest.mark.parametrize(
    ("useful", "limits"),
    [(10, (3, 9)), (20, (6, 16)), (24, (8, 18)), (30, (11, 21)), (60, (24, 38))],
)
def test_table_rows(useful: int, limits: tuple[int, int]) -> None:
    assert runs_limits(useful) == RunsLimits(*limits, RunsMethod.TABLE)


def test_the_table_never_narrows_as_observations_grow() -> None:
    rows = [RUNS_LIMITS[n] for n in sorted(RUNS_LIMITS)]
    for (lower, upper), (next_lower, next_upper) in pairwise(rows):
        assert lower <= next_lower
        assert upper <= next_upper


def _runs_distribution(above: int, below: int) -> dict[int, Fraction]:
    """The exact distribution of the number of runs (Swed & Eisenhart 1943)."""
    total = math.comb(above + below, above)
    distribution: dict[int, Fraction] = {}
    for runs in range(2, above + below + 1):
        k = runs // 2
        if runs % 2 == 0:
            ways = 2 * math.comb(above - 1, k - 1) * math.comb(below - 1, k - 1)
        else:
            ways = math.comb(above - 1, k) * math.comb(below - 1, k - 1) + math.comb(
                above - 1, k - 1
            ) * math.comb(below - 1, k)
        distribution[runs] = Fraction(ways, total)
    return distribution


@pytest.mark.parametrize("useful", sorted(RUNS_LIMITS))
def test_each_row_is_within_one_run_of_the_exact_two_and_a_half_percent_tails(
    useful: int,
) -> None:
    # A guard against transcription slips, not a re-derivation: the published table was read
    # off Swed & Eisenhart's tables with its own roundings, so rows may differ by one run from
    # the exact 2.5% tails of a half-and-half split, but never by more.
    distribution = _runs_distribution(useful // 2, useful - useful // 2)
    cumulative = Fraction(0)
    for runs in sorted(distribution):
        cumulative += distribution[runs]
        if cumulative > Fraction(1, 40):
            exact_lower = runs
            break
    cumulative = Fraction(0)
    for runs in sorted(distribution, reverse=True):
        cumulative += distribution[runs]
        if cumulative > Fraction(1, 40):
            exact_upper = runs
            break
    lower, upper = RUNS_LIMITS[useful]
    assert abs(lower - exact_lower) <= 1
    assert abs(upper - exact_upper) <= 1


def test_no_limits_below_ten_useful_observations() -> None:
    assert runs_limits(9) is None
    assert runs_limits(0) is None


def test_the_normal_approximation_meets_the_table_at_sixty() -> None:
    # 30 above and 30 below: mean 31, variance 14.746, limits 31 +/- 1.96 x 3.840.
    assert normal_approximation(60) == RunsLimits(24, 38, RunsMethod.NORMAL_APPROXIMATION)
    assert RUNS_LIMITS[60] == (24, 38)


def test_above_sixty_the_normal_approximation_takes_over() -> None:
    # 30 above and 31 below: mean 31.49, variance 14.988, limits 31.49 +/- 1.96 x 3.871.
    assert runs_limits(61) == RunsLimits(24, 39, RunsMethod.NORMAL_APPROXIMATION)


def test_anhoej_limits_for_twenty_four_useful_observations() -> None:
    # round(log2(24) + 3) = round(7.58) = 8; qbinom(0.05, 23, 0.5) = 8.
    assert longest_run_limit(24) == 8
    assert crossings_limit(24) == 8


@pytest.mark.parametrize("useful", range(2, 101))
def test_crossings_limit_is_the_fifth_percentile_of_the_binomial(useful: int) -> None:
    trials = useful - 1
    limit = crossings_limit(useful)

    def at_most(c: int) -> Fraction:
        return Fraction(sum(math.comb(trials, k) for k in range(c + 1)), 2**trials)

    assert at_most(limit) >= Fraction(1, 20)
    assert limit == 0 or at_most(limit - 1) < Fraction(1, 20)


@pytest.mark.parametrize(("useful", "limit"), [(10, 6), (11, 6), (12, 7), (23, 8), (46, 9)])
def test_longest_run_limits(useful: int, limit: int) -> None:
    # The same values as the published Anhoej tables of critical values.
    assert longest_run_limit(useful) == limit
