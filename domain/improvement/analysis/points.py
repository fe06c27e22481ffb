"""The input of every chart: an ordered sequence of labelled points."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from domain.improvement.analysis.errors import InvalidAnalysisInput


@dataclass(frozen=True)
class Point:
    """One observation of a measure.

    `label` is opaque (a date, "2024-03", a week number); charts never parse it, only use it
    to name points in messages and to resolve baselines and rebases given by label. Points are
    analysed in the order given; a point's index is its position in that sequence.

    Run and XmR charts read `value`; the P chart reads `numerator` and `denominator` and
    ignores `value`.
    """

    label: str
    value: float
    numerator: float | None = None
    denominator: float | None = None


def describe(points: Sequence[Point], index: int) -> str:
    return f"point {index} ({points[index].label!r})"


def _finite(number: object) -> float | None:
    # bool is an int, but True is no measurement; anything else that float() accepts is.
    if isinstance(number, bool) or not isinstance(number, int | float):
        return None
    value = float(number)
    return value if math.isfinite(value) else None


def checked_values(points: Sequence[Point]) -> list[float]:
    """Every point's value, or InvalidAnalysisInput naming the first that is not finite."""
    values: list[float] = []
    for index, point in enumerate(points):
        value = _finite(point.value)
        if value is None:
            raise InvalidAnalysisInput(
                f"/points/{index}/value",
                f"{describe(points, index)}: value must be a finite number, got {point.value!r}",
            )
        values.append(value)
    return values


def checked_counts(points: Sequence[Point]) -> list[tuple[float, float]]:
    """Every point's (numerator, denominator) for a proportion.

    A proportion cannot have a negative count or more events than opportunities; such a
    point is a data-entry error, and plotting it would hide that, so it is rejected by name
    rather than skipped. A zero denominator is not an error (a month with no cases) and is
    left for the chart to exclude.
    """
    counts: list[tuple[float, float]] = []
    for index, point in enumerate(points):
        numerator = _finite(point.numerator)
        denominator = _finite(point.denominator)
        name = describe(points, index)
        if denominator is None:
            raise InvalidAnalysisInput(
                f"/points/{index}/denominator",
                f"{name}: denominator must be a finite number, got {point.denominator!r}",
            )
        if numerator is None:
            raise InvalidAnalysisInput(
                f"/points/{index}/numerator",
                f"{name}: numerator must be a finite number, got {point.numerator!r}",
            )
        if denominator < 0:
            raise InvalidAnalysisInput(
                f"/points/{index}/denominator",
                f"{name}: denominator must not be negative, got {denominator!r}",
                "negative",
            )
        if numerator < 0:
            raise InvalidAnalysisInput(
                f"/points/{index}/numerator",
                f"{name}: numerator must not be negative, got {numerator!r}",
                "negative",
            )
        if numerator > denominator:
            raise InvalidAnalysisInput(
                f"/points/{index}/numerator",
                f"{name}: numerator {numerator!r} is greater than denominator {denominator!r}",
                "numerator_above_denominator",
            )
        counts.append((numerator, denominator))
    return counts
