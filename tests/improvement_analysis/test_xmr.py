"""XmR charts: limits on a hand-computed series and each Shewhart rule at its threshold."""

from __future__ import annotations

import pytest

from domain.improvement.analysis import (
    Baseline,
    Direction,
    Rebase,
    RuleStatus,
    ShewhartCheck,
    ShewhartRule,
    XmrChart,
    XmrSegment,
    xmr_chart,
)
from tests.improvement_analysis.builders import indices, series

# Mean 58/5 = 11.6; moving ranges 2, 1, 2, 1, so MR-bar 1.5; limits 11.6 +/- 2.66 x 1.5,
# i.e. 7.61 to 15.59; sigma 2.66 x 1.5 / 3 = 1.33, so 2 sigma reaches 14.26 and 8.94.
BASE = (10.0, 12.0, 11.0, 13.0, 12.0)
FIRST_FIVE = Baseline.first(5)


def chart_after_base(*more: float) -> XmrChart:
    return xmr_chart(series(*BASE, *more), baseline=FIRST_FIVE)


def one_segment(chart: XmrChart) -> XmrSegment:
    assert len(chart.segments) == 1
    return chart.segments[0]


def fired(chart: XmrChart, rule: ShewhartRule) -> list[int]:
    return [point.index for point in chart.points if rule in point.rules]


def check(segment: XmrSegment, rule: ShewhartRule) -> ShewhartCheck:
    (found,) = [item for item in segment.checks if item.rule is rule]
    return found


def test_limits_of_a_small_hand_computed_series() -> None:
    chart = xmr_chart(series(*BASE))
    segment = one_segment(chart)

    assert segment.centre == pytest.approx(11.6)
    assert segment.average_moving_range == pytest.approx(1.5)
    assert segment.upper_limit == pytest.approx(15.59)
    assert segment.lower_limit == pytest.approx(7.61)
    assert segment.moving_range_upper_limit == pytest.approx(3.267 * 1.5)
    assert [point.moving_range for point in chart.points] == [None, 2.0, 1.0, 2.0, 1.0]
    assert all(point.rules == () for point in chart.points)
    assert segment.signals == ()


class TestOutsideLimits:
    def test_a_point_beyond_a_limit_fires_and_one_inside_does_not(self) -> None:
        chart = chart_after_base(15.5, 11, 15.6, 11, 7.6)

        assert fired(chart, ShewhartRule.OUTSIDE_LIMITS) == [7, 9]
        directions = [
            signal.direction
            for signal in one_segment(chart).signals
            if signal.rule is ShewhartRule.OUTSIDE_LIMITS
        ]
        assert directions == [Direction.UP, Direction.DOWN]

    def test_a_large_jump_shows_on_the_moving_range_chart(self) -> None:
        chart = chart_after_base(17)

        last = chart.points[-1]
        assert last.moving_range == 5.0  # above 3.267 x 1.5 = 4.9005
        assert last.moving_range_above_limit
        assert not any(point.moving_range_above_limit for point in chart.points[:-1])


class TestRunOfEight:
    def test_eight_on_one_side_fire(self) -> None:
        # 13 and 12 at indices 3 and 4 are above 11.6 already: six more make eight.
        chart = chart_after_base(12, 12, 12, 12, 12, 12)

        assert fired(chart, ShewhartRule.RUN_OF_EIGHT) == list(range(3, 11))

    def test_seven_do_not(self) -> None:
        chart = chart_after_base(12, 12, 12, 12, 12, 11)

        assert check(one_segment(chart), ShewhartRule.RUN_OF_EIGHT).status is RuleStatus.APPLIED
        assert fired(chart, ShewhartRule.RUN_OF_EIGHT) == []

    def test_a_point_on_the_centre_line_neither_breaks_nor_adds(self) -> None:
        chart = chart_after_base(12, 12, 11.6, 12, 12, 12, 12)

        assert fired(chart, ShewhartRule.RUN_OF_EIGHT) == [3, 4, 5, 6, 8, 9, 10, 11]


class TestTrendOfSix:
    def test_six_increasing_fire(self) -> None:
        chart = chart_after_base(9, 10, 11, 12, 13, 14)

        assert fired(chart, ShewhartRule.TREND_OF_SIX) == list(range(5, 11))

    def test_five_do_not(self) -> None:
        chart = chart_after_base(9, 10, 11, 12, 13, 9)

        assert fired(chart, ShewhartRule.TREND_OF_SIX) == []

    def test_an_equal_neighbour_counts_once(self) -> None:
        # 14, 13, 12, 12, 11, 10, 9: seven points, one repeat, so six counted; all seven listed.
        chart = chart_after_base(14, 13, 12, 12, 11, 10, 9, 12)

        assert fired(chart, ShewhartRule.TREND_OF_SIX) == list(range(5, 12))


class TestTwoOfThreeBeyondTwoSigma:
    def test_two_of_three_on_the_same_side_fire(self) -> None:
        chart = chart_after_base(14.5, 11, 14.5)

        assert fired(chart, ShewhartRule.TWO_OF_THREE_BEYOND_TWO_SIGMA) == [5, 7]

    def test_one_of_three_does_not(self) -> None:
        chart = chart_after_base(14.5, 11, 11, 14.5)

        assert fired(chart, ShewhartRule.TWO_OF_THREE_BEYOND_TWO_SIGMA) == []

    def test_opposite_sides_do_not(self) -> None:
        chart = chart_after_base(14.5, 8.5, 11)

        assert fired(chart, ShewhartRule.TWO_OF_THREE_BEYOND_TWO_SIGMA) == []

    def test_each_point_lists_every_rule_that_fired_there(self) -> None:
        chart = chart_after_base(16, 16)

        assert chart.points[5].rules == (
            ShewhartRule.OUTSIDE_LIMITS,
            ShewhartRule.TWO_OF_THREE_BEYOND_TWO_SIGMA,
        )


class TestTooLittleData:
    def test_empty_input(self) -> None:
        chart = xmr_chart([])

        segment = one_segment(chart)
        assert chart.points == ()
        assert segment.centre is None
        assert segment.upper_limit is None
        assert all(item.status is RuleStatus.INSUFFICIENT_DATA for item in segment.checks)

    def test_single_point_has_a_centre_but_no_limits(self) -> None:
        segment = one_segment(xmr_chart(series(5)))

        assert segment.centre == 5.0
        assert segment.upper_limit is None
        assert check(segment, ShewhartRule.OUTSIDE_LIMITS) == ShewhartCheck(
            ShewhartRule.OUTSIDE_LIMITS,
            RuleStatus.INSUFFICIENT_DATA,
            "needs at least 2 baseline points, has 1",
            needs=2,
            has=1,
        )
        assert check(segment, ShewhartRule.RUN_OF_EIGHT).note == (
            "needs at least 8 points off the centre line, has 0"
        )

    def test_a_flat_baseline_reports_zero_width_limits_but_applies_no_sigma_rule(self) -> None:
        chart = xmr_chart(series(4, 4, 4, 4, 9), baseline=Baseline.first(4))
        segment = one_segment(chart)

        assert (segment.lower_limit, segment.upper_limit) == (4.0, 4.0)
        assert check(segment, ShewhartRule.OUTSIDE_LIMITS).status is RuleStatus.INSUFFICIENT_DATA
        assert fired(chart, ShewhartRule.OUTSIDE_LIMITS) == []


def test_rebasing_gives_each_segment_its_own_centre_and_limits() -> None:
    values = (10, 12, 10, 12, 10, 12, 20, 22, 20, 22, 20, 22)
    chart = xmr_chart(series(*values), rebase=[Rebase("p6")])

    first, second = chart.segments
    assert (first.point_indices, second.point_indices) == (indices(0, 6), indices(6, 12))
    assert (first.centre, second.centre) == (11.0, 21.0)
    assert first.average_moving_range == second.average_moving_range == 2.0
    # The first point of a segment has no moving range: its neighbour is in another segment.
    assert chart.points[6].moving_range is None
    assert chart.segments[1].signals == ()
