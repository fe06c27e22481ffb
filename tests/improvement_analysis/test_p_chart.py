"""P charts: p-bar, limits that vary with the denominator, and excluded points."""

from __future__ import annotations

import math

import pytest

from domain.improvement.analysis import (
    Baseline,
    InvalidAnalysisInput,
    PChart,
    PChartSegment,
    Point,
    RuleStatus,
    ShewhartRule,
    p_chart,
)
from domain.shared.errors import ValidationFailed
from tests.improvement_analysis.builders import proportions

# p-bar = (8 + 24 + 0 + 28 + 40) / (50 + 100 + 0 + 150 + 200) = 100 / 500 = 0.2, and
# p-bar (1 - p-bar) = 0.16, so sigma_i = 0.4 / sqrt(n_i).
BASE = ((8, 50), (24, 100), (0, 0), (28, 150), (40, 200))


def one_segment(chart: PChart) -> PChartSegment:
    assert len(chart.segments) == 1
    return chart.segments[0]


def test_limits_vary_with_the_denominator() -> None:
    chart = p_chart(proportions(*BASE, (40, 100)), baseline=Baseline.first(5))
    segment = one_segment(chart)

    assert segment.centre == pytest.approx(0.2)
    expected = {
        0: 0.4 / math.sqrt(50),
        1: 0.04,
        3: 0.4 / math.sqrt(150),
        4: 0.4 / math.sqrt(200),
        5: 0.04,
    }
    for index, sigma in expected.items():
        point = chart.points[index]
        assert point.lower_limit == pytest.approx(0.2 - 3 * sigma)
        assert point.upper_limit == pytest.approx(0.2 + 3 * sigma)
    assert (chart.points[1].lower_limit, chart.points[1].upper_limit) == pytest.approx((0.08, 0.32))
    assert chart.points[0].proportion == pytest.approx(0.16)
    # 40 / 100 = 0.4 is above its upper limit of 0.32.
    assert chart.points[5].rules == (ShewhartRule.OUTSIDE_LIMITS,)
    assert [p.index for p in chart.points if p.rules] == [5]


def test_a_zero_denominator_is_excluded_with_its_reason() -> None:
    chart = p_chart(proportions(*BASE))
    excluded = chart.points[2]

    assert excluded.proportion is None
    assert (excluded.lower_limit, excluded.upper_limit) == (None, None)
    assert excluded.excluded_reason == "denominator is 0, so the proportion is undefined"
    assert excluded.rules == ()
    assert one_segment(chart).excluded_indices == (2,)
    assert [p.excluded_reason for p in chart.points].count(None) == 4


def test_limits_are_clipped_to_zero_and_one() -> None:
    chart = p_chart(proportions(*BASE, (1, 2)), baseline=Baseline.first(5))

    small = chart.points[5]
    # sigma = 0.4 / sqrt(2) = 0.283, so 0.2 +/- 0.849 would run past both ends.
    assert (small.lower_limit, small.upper_limit) == (0.0, 1.0)


def test_an_excluded_point_neither_breaks_nor_adds_to_a_run() -> None:
    counts = [(1, 10)] * 8 + [(3, 10)] * 4 + [(0, 0)] + [(3, 10)] * 4
    chart = p_chart(proportions(*counts), baseline=Baseline.first(8))

    # p-bar 0.1 from the first eight; then eight points at 0.3 around an excluded one.
    fired = [p.index for p in chart.points if ShewhartRule.RUN_OF_EIGHT in p.rules]
    assert fired == [8, 9, 10, 11, 13, 14, 15, 16]


def test_no_baseline_point_with_a_denominator_gives_no_centre() -> None:
    chart = p_chart(proportions((0, 0), (0, 0), (1, 4)), baseline=Baseline.first(2))
    segment = one_segment(chart)

    assert segment.centre is None
    assert chart.points[2].proportion == 0.25
    assert chart.points[2].upper_limit is None
    rule_1 = next(c for c in segment.checks if c.rule is ShewhartRule.OUTSIDE_LIMITS)
    assert rule_1.status is RuleStatus.INSUFFICIENT_DATA
    assert rule_1.note == "no baseline point has a denominator above 0"


def test_a_p_bar_of_zero_applies_no_sigma_rule() -> None:
    chart = p_chart(proportions((0, 10), (0, 12), (0, 9), (5, 10)), baseline=Baseline.first(3))
    segment = one_segment(chart)

    assert segment.centre == 0.0
    statuses = {check.rule: check.status for check in segment.checks}
    assert statuses[ShewhartRule.OUTSIDE_LIMITS] is RuleStatus.INSUFFICIENT_DATA
    assert statuses[ShewhartRule.TWO_OF_THREE_BEYOND_TWO_SIGMA] is RuleStatus.INSUFFICIENT_DATA


def test_rebasing_gives_each_segment_its_own_p_bar() -> None:
    counts = [(10, 100), (12, 100), (8, 100), (30, 100), (32, 100), (28, 100)]
    chart = p_chart(proportions(*counts), rebase=[3])

    assert [segment.centre for segment in chart.segments] == pytest.approx([0.1, 0.3])
    assert [segment.point_indices for segment in chart.segments] == [(0, 1, 2), (3, 4, 5)]


@pytest.mark.parametrize(
    ("point", "pointer", "message"),
    [
        (Point("2024-03", 0.0, 11, 10), "/points/1/numerator", "greater than denominator"),
        (Point("2024-03", 0.0, -1, 10), "/points/1/numerator", "must not be negative"),
        (Point("2024-03", 0.0, 1, -10), "/points/1/denominator", "must not be negative"),
        (Point("2024-03", 0.0, 1, 0), "/points/1/numerator", "greater than denominator"),
        (Point("2024-03", 0.0, None, 10), "/points/1/numerator", "finite number"),
        (Point("2024-03", 0.0, 1, math.nan), "/points/1/denominator", "finite number"),
    ],
)
def test_invalid_counts_raise_naming_the_point(point: Point, pointer: str, message: str) -> None:
    with pytest.raises(InvalidAnalysisInput) as raised:
        p_chart([Point("2024-02", 0.0, 1, 10), point])

    error = raised.value
    assert isinstance(error, ValueError)
    assert isinstance(error, ValidationFailed)
    (field,) = error.errors
    assert field.pointer == pointer
    assert "point 1 ('2024-03')" in field.message
    assert message in field.message
