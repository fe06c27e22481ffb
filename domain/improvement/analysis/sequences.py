"""Centre lines and runs over a chart's points.

Sums and midpoints are taken exactly (as fractions) and rounded once: the naive float forms
overflow for values near the float range ((a + b) / 2 of two huge values is inf) and lose
the exact median for tiny ones, and a median that is off by one ulp decides whether a point
is "on the median" - which changes every run rule.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise

from domain.improvement.analysis.outcomes import Direction


def to_float(value: Fraction) -> float:
    """The nearest float, or an infinity when the exact value is beyond the float range
    (only possible for limits of values near 1e308: a mean itself always fits)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def exact_mean(values: Sequence[float]) -> float:
    return to_float(sum((Fraction(value) for value in values), Fraction(0)) / len(values))


def exact_median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return to_float((Fraction(ordered[middle - 1]) + Fraction(ordered[middle])) / 2)


def moving_ranges(values: Sequence[float]) -> list[Fraction]:
    """|x_i - x_(i-1)| for each consecutive pair, exact."""
    return [abs(Fraction(b) - Fraction(a)) for a, b in pairwise(values)]


@dataclass(frozen=True)
class Run:
    """Consecutive points going one way. `length` is what the rules count, which is not
    always len(indices): a repeated value inside a trend is listed but counted once."""

    direction: Direction
    indices: tuple[int, ...]
    length: int


def side_runs(points: Iterable[tuple[int, float]], centre: float) -> list[Run]:
    """Maximal runs of (index, value) points on one side of the centre line.

    Points exactly on the line are skipped: they neither break a run nor add to it, and are
    not listed in it.
    """
    runs: list[Run] = []
    direction: Direction | None = None
    current: list[int] = []
    for index, value in points:
        if value == centre:
            continue
        side = Direction.UP if value > centre else Direction.DOWN
        if side is not direction and current:
            assert direction is not None
            runs.append(Run(direction, tuple(current), len(current)))
            current = []
        direction = side
        current.append(index)
    if current:
        assert direction is not None
        runs.append(Run(direction, tuple(current), len(current)))
    return runs


def count_off_centre(points: Iterable[tuple[int, float]], centre: float) -> int:
    return sum(1 for _, value in points if value != centre)


def _repeat_groups(points: Iterable[tuple[int, float]]) -> list[tuple[float, list[int]]]:
    groups: list[tuple[float, list[int]]] = []
    for index, value in points:
        if groups and groups[-1][0] == value:
            groups[-1][1].append(index)
        else:
            groups.append((value, [index]))
    return groups


def count_distinct_steps(points: Iterable[tuple[int, float]]) -> int:
    """How many points a trend rule can count: consecutive repeats count once."""
    return len(_repeat_groups(points))


def monotone_runs(points: Iterable[tuple[int, float]]) -> list[Run]:
    """Maximal stretches of (index, value) points all rising or all falling.

    A value equal to its neighbour neither breaks the stretch nor adds to its length; it is
    listed, since it lies inside the stretch. The turning point belongs to both the stretch
    that ends there and the one that starts there.
    """
    groups = _repeat_groups(points)
    runs: list[Run] = []
    start = 0
    direction: Direction | None = None
    for position in range(1, len(groups)):
        step = Direction.UP if groups[position][0] > groups[position - 1][0] else Direction.DOWN
        if direction is not None and step is not direction:
            runs.append(_stretch(groups, start, position - 1, direction))
            start = position - 1
        direction = step
    if direction is not None:
        runs.append(_stretch(groups, start, len(groups) - 1, direction))
    return runs


def _stretch(
    groups: list[tuple[float, list[int]]], first: int, last: int, direction: Direction
) -> Run:
    indices = tuple(index for _, members in groups[first : last + 1] for index in members)
    return Run(direction, indices, last - first + 1)
