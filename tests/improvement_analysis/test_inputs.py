"""Input the charts refuse, each with an error that names what is wrong and where."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import pytest

from domain.improvement.analysis import (
    Baseline,
    InvalidAnalysisInput,
    Point,
    Rebase,
    run_chart,
    xmr_chart,
)
from tests.improvement_analysis.builders import series


def pointer_of(error: pytest.ExceptionInfo[InvalidAnalysisInput]) -> str:
    (field,) = error.value.errors
    return field.pointer


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("chart", [run_chart, xmr_chart])
def test_a_value_that_is_not_finite_is_named(
    bad: float, chart: Callable[[Sequence[Point]], object]
) -> None:
    with pytest.raises(InvalidAnalysisInput, match=r"point 1 \('b'\): value must be") as raised:
        chart([Point("a", 1.0), Point("b", bad)])
    assert pointer_of(raised) == "/points/1/value"


def test_a_rebase_outside_the_points() -> None:
    with pytest.raises(InvalidAnalysisInput, match="outside the 3 points") as raised:
        run_chart(series(1, 2, 3), rebase=[3])
    assert pointer_of(raised) == "/rebase/0/at"


def test_a_rebase_at_an_unknown_label() -> None:
    with pytest.raises(InvalidAnalysisInput, match="no point has the label 'p9'"):
        run_chart(series(1, 2, 3), rebase=["p9"])


def test_a_label_shared_by_two_points_names_neither() -> None:
    points = [Point("2024-01", 1.0), Point("2024-01", 2.0), Point("2024-02", 3.0)]

    with pytest.raises(InvalidAnalysisInput, match="more than one point"):
        run_chart(points, rebase=["2024-01"])
    # Labels that are never used to name a point may repeat.
    assert len(run_chart(points, rebase=["2024-02"]).segments) == 2


def test_two_different_baselines_for_one_segment() -> None:
    with pytest.raises(InvalidAnalysisInput, match="two different baselines"):
        run_chart(
            series(1, 2, 3, 4),
            rebase=[Rebase(2, Baseline.first(1)), Rebase("p2", Baseline.first(2))],
        )


def test_a_single_label_is_one_rebase_not_one_per_character() -> None:
    chart = run_chart(series(1, 2, 3, 4), rebase="p2")

    assert [segment.point_indices for segment in chart.segments] == [(0, 1), (2, 3)]


def test_a_rebase_at_the_first_point_starts_no_new_segment() -> None:
    chart = run_chart(series(1, 2, 3, 4), rebase=[Rebase(0, Baseline.first(2))])

    (segment,) = chart.segments
    assert segment.baseline_indices == (0, 1)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Baseline.first(0), "at least 1 point"),
        (lambda: Baseline.between(5, 2), "after its end"),
        (lambda: Baseline.between(-1, 2), "must not be negative"),
    ],
)
def test_baselines_that_cannot_exist(build: Callable[[], Baseline], message: str) -> None:
    with pytest.raises(InvalidAnalysisInput, match=message):
        build()


def test_a_baseline_period_given_by_labels_in_reverse() -> None:
    with pytest.raises(InvalidAnalysisInput, match="after its end"):
        run_chart(series(1, 2, 3), baseline=Baseline.between("p2", "p0"))
