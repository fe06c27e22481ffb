"""Run chart rules on hand-worked series."""

from __future__ import annotations

import pytest

from domain.improvement.analysis import (
    Baseline,
    Direction,
    Position,
    Rebase,
    RuleStatus,
    RunChart,
    RunChartCheck,
    RunChartRule,
    RunChartSegment,
    RunChartSignal,
    RunsMethod,
    RunsRuleSet,
    run_chart,
)
from tests.improvement_analysis.builders import blocks, indices, series, with_runs


def one_segment(chart: RunChart) -> RunChartSegment:
    assert len(chart.segments) == 1
    return chart.segments[0]


def signals(segment: RunChartSegment, rule: RunChartRule) -> list[RunChartSignal]:
    return [signal for signal in segment.signals if signal.rule is rule]


def check(segment: RunChartSegment, rule: RunChartRule) -> RunChartCheck:
    (found,) = [item for item in segment.checks if item.rule is rule]
    return found


# Baseline 1, 3, 1, 3, 1, 3: median 2, and no shift or trend of its own.
BASE = (1.0, 3.0, 1.0, 3.0, 1.0, 3.0)
FIRST_SIX = Baseline.first(6)


class TestShift:
    def test_six_points_above_the_median_are_a_shift(self) -> None:
        segment = one_segment(run_chart(series(*BASE, 4, 5, 4, 5, 4, 5), baseline=FIRST_SIX))

        assert segment.median == 2.0
        (shift,) = signals(segment, RunChartRule.SHIFT)
        assert shift.indices == indices(5, 12)  # the baseline's last 3 starts the run
        assert shift.direction is Direction.UP

    def test_six_points_below_the_median_are_a_shift(self) -> None:
        segment = one_segment(
            run_chart(series(*BASE, 0, 0.5, 0, 0.5, 0, 0.5, 4), baseline=FIRST_SIX)
        )

        (shift,) = signals(segment, RunChartRule.SHIFT)
        assert shift.indices == indices(6, 12)
        assert shift.direction is Direction.DOWN

    def test_five_points_on_one_side_are_not_a_shift(self) -> None:
        segment = one_segment(run_chart(series(*BASE, 0, 4, 5, 4, 5, 4, 0), baseline=FIRST_SIX))

        assert check(segment, RunChartRule.SHIFT).status is RuleStatus.APPLIED
        assert signals(segment, RunChartRule.SHIFT) == []

    def test_a_point_on_the_median_neither_adds_nor_breaks(self) -> None:
        # Five above with one on the median among them: still only five.
        five = one_segment(run_chart(series(*BASE, 0, 4, 5, 2, 4, 5, 4, 0), baseline=FIRST_SIX))
        # Six above with one on the median among them: a shift of six, not broken.
        six = one_segment(run_chart(series(*BASE, 0, 4, 5, 4, 2, 5, 4, 5, 0), baseline=FIRST_SIX))

        assert five.median == six.median == 2.0
        assert signals(five, RunChartRule.SHIFT) == []
        (shift,) = signals(six, RunChartRule.SHIFT)
        assert shift.indices == (7, 8, 9, 11, 12, 13)  # 10 is on the median: not listed

    def test_ties_on_the_median_are_not_useful_observations(self) -> None:
        # Ten points, an even count whose two middle values are both 5: the median is 5 and
        # six points lie on it.
        chart = run_chart(series(5, 5, 5, 5, 1, 2, 8, 9, 5, 5))
        segment = one_segment(chart)

        assert segment.median == 5.0
        on = [point.index for point in chart.points if point.position is Position.ON_MEDIAN]
        assert on == [0, 1, 2, 3, 8, 9]
        assert check(segment, RunChartRule.SHIFT) == RunChartCheck(
            RunChartRule.SHIFT,
            RuleStatus.INSUFFICIENT_DATA,
            "needs at least 6 useful points (not on the median), has 4",
            needs=6,
            has=4,
        )

    def test_an_even_count_takes_the_midpoint_of_the_middle_values(self) -> None:
        chart = run_chart(series(1, 2, 3, 4))

        assert one_segment(chart).median == 2.5
        assert [point.position for point in chart.points] == [
            Position.BELOW,
            Position.BELOW,
            Position.ABOVE,
            Position.ABOVE,
        ]


class TestTrend:
    def test_five_rising_points_are_a_trend(self) -> None:
        segment = one_segment(run_chart(series(9, 1, 2, 3, 4, 5, 0)))

        (trend,) = signals(segment, RunChartRule.TREND)
        assert trend.indices == indices(1, 6)
        assert trend.direction is Direction.UP

    def test_an_equal_neighbour_counts_once(self) -> None:
        # Six points with one repeat: a trend of five, covering all six.
        segment = one_segment(run_chart(series(1, 2, 3, 3, 4, 5)))

        (trend,) = signals(segment, RunChartRule.TREND)
        assert trend.indices == indices(0, 6)
        assert trend.detail == "5 points rising"

    def test_a_repeat_does_not_make_four_into_five(self) -> None:
        segment = one_segment(run_chart(series(9, 1, 2, 2, 3, 4, 0)))

        assert check(segment, RunChartRule.TREND).status is RuleStatus.APPLIED
        assert signals(segment, RunChartRule.TREND) == []

    def test_four_falling_points_are_not_a_trend(self) -> None:
        segment = one_segment(run_chart(series(0, 9, 8, 7, 6, 10)))

        assert check(segment, RunChartRule.TREND).status is RuleStatus.APPLIED
        assert signals(segment, RunChartRule.TREND) == []

    def test_five_falling_points_are_a_trend(self) -> None:
        segment = one_segment(run_chart(series(9, 8, 7, 6, 5)))

        (trend,) = signals(segment, RunChartRule.TREND)
        assert trend.direction is Direction.DOWN
        assert trend.indices == indices(0, 5)

    def test_repeats_leave_too_few_points_for_a_trend(self) -> None:
        segment = one_segment(run_chart(series(1, 2, 2, 3, 4)))

        assert check(segment, RunChartRule.TREND).status is RuleStatus.INSUFFICIENT_DATA
        assert check(segment, RunChartRule.TREND).has == 4


class TestRunsTable:
    # Perla, Provost & Murray (2011), Table 1: for 20 useful observations, 6 to 16 runs.
    @pytest.mark.parametrize(
        ("runs", "too_few", "too_many"),
        [(5, True, False), (6, False, False), (16, False, False), (17, False, True)],
    )
    def test_twenty_useful_observations(self, runs: int, too_few: bool, too_many: bool) -> None:
        segment = one_segment(run_chart(series(*with_runs(runs, 20))))

        test = segment.runs_test
        assert test is not None
        assert (test.useful_observations, test.runs) == (20, runs)
        assert (test.lower_limit, test.upper_limit) == (6, 16)
        assert test.method is RunsMethod.TABLE
        assert (test.too_few, test.too_many) == (too_few, too_many)
        found = signals(segment, RunChartRule.RUNS)
        if too_few or too_many:
            (signal,) = found
            assert signal.indices == indices(0, 20)
            assert signal.direction is None
        else:
            assert found == []

    def test_fewer_than_ten_useful_observations_cannot_be_judged(self) -> None:
        # Eleven points, two of them on the median: nine useful observations.
        segment = one_segment(run_chart(series(3, 1, 3, 1, 3, 1, 3, 1, 2, 2, 3)))

        assert segment.median == 2.0
        assert segment.runs_test is None
        assert check(segment, RunChartRule.RUNS) == RunChartCheck(
            RunChartRule.RUNS,
            RuleStatus.INSUFFICIENT_DATA,
            "needs at least 10 useful points (not on the median), has 9",
            needs=10,
            has=9,
        )

    def test_above_sixty_uses_the_normal_approximation(self) -> None:
        # 70 alternating points: 70 runs, far above the approximate upper limit of 44.
        segment = one_segment(run_chart(series(*with_runs(70, 70))))

        test = segment.runs_test
        assert test is not None
        assert test.method is RunsMethod.NORMAL_APPROXIMATION
        assert (test.lower_limit, test.upper_limit) == (28, 44)
        assert test.too_many


class TestAnhoej:
    def anhoej(self, values: list[float]) -> RunChartSegment:
        return one_segment(run_chart(series(*values), runs_rules=RunsRuleSet.ANHOEJ))

    def test_a_run_of_nine_in_twenty_four_is_unusually_long(self) -> None:
        segment = self.anhoej(blocks(9, 3, 1, 3, 1, 3, 1, 3))

        test = segment.anhoej_test
        assert test is not None
        assert (test.useful_observations, test.longest_run, test.longest_run_limit) == (24, 9, 8)
        (long_run,) = signals(segment, RunChartRule.LONGEST_RUN)
        assert long_run.indices == indices(0, 9)
        assert long_run.direction is Direction.UP
        assert segment.runs_test is None
        assert all(item.rule is not RunChartRule.RUNS for item in segment.checks)

    def test_a_run_of_eight_in_twenty_four_is_not(self) -> None:
        segment = self.anhoej(blocks(8, 3, 2, 3, 1, 3, 1, 3))

        assert segment.anhoej_test is not None
        assert segment.anhoej_test.longest_run == 8
        assert signals(segment, RunChartRule.LONGEST_RUN) == []

    def test_seven_crossings_in_twenty_four_are_too_few(self) -> None:
        segment = self.anhoej(blocks(3, 3, 3, 3, 3, 3, 3, 3))

        test = segment.anhoej_test
        assert test is not None
        assert (test.crossings, test.crossings_limit) == (7, 8)
        assert test.unusually_few_crossings
        (few,) = signals(segment, RunChartRule.CROSSINGS)
        assert few.indices == indices(0, 24)

    def test_eight_crossings_in_twenty_four_are_enough(self) -> None:
        segment = self.anhoej(blocks(3, 3, 3, 3, 2, 3, 2, 3, 2))

        assert segment.anhoej_test is not None
        assert segment.anhoej_test.crossings == 8
        assert signals(segment, RunChartRule.CROSSINGS) == []

    def test_fewer_than_ten_useful_observations_cannot_be_judged(self) -> None:
        segment = self.anhoej(blocks(4, 4))

        assert segment.anhoej_test is None
        statuses = {
            item.rule: item.status
            for item in segment.checks
            if item.rule in (RunChartRule.LONGEST_RUN, RunChartRule.CROSSINGS)
        }
        assert statuses == {
            RunChartRule.LONGEST_RUN: RuleStatus.INSUFFICIENT_DATA,
            RunChartRule.CROSSINGS: RuleStatus.INSUFFICIENT_DATA,
        }


class TestAstronomical:
    def test_a_point_outside_the_xmr_limits_of_the_baseline(self) -> None:
        # Baseline 10, 11, ... 10: mean 94/9, average moving range 1, limits mean +/- 2.66.
        values = [10, 11, 10, 11, 10, 11, 10, 11, 10, 30, 5]
        segment = one_segment(run_chart(series(*values), baseline=Baseline.first(9)))

        limits = segment.astronomical_limits
        assert limits is not None
        assert limits.centre == pytest.approx(94 / 9)
        assert limits.average_moving_range == 1.0
        assert limits.upper_limit == pytest.approx(94 / 9 + 2.66)
        assert limits.lower_limit == pytest.approx(94 / 9 - 2.66)
        found = signals(segment, RunChartRule.ASTRONOMICAL)
        assert [(item.indices, item.direction) for item in found] == [
            ((9,), Direction.UP),
            ((10,), Direction.DOWN),
        ]

    def test_a_flat_baseline_gives_no_limits_to_judge_by(self) -> None:
        segment = one_segment(run_chart(series(4, 4, 4, 4, 9), baseline=Baseline.first(4)))

        rule = check(segment, RunChartRule.ASTRONOMICAL)
        assert rule.status is RuleStatus.INSUFFICIENT_DATA
        assert "does not vary" in rule.note
        assert signals(segment, RunChartRule.ASTRONOMICAL) == []


class TestTooLittleData:
    def test_empty_input(self) -> None:
        chart = run_chart([])

        assert chart.points == ()
        segment = one_segment(chart)
        assert segment.median is None
        assert segment.signals == ()
        assert {item.rule for item in segment.checks} == {
            RunChartRule.SHIFT,
            RunChartRule.TREND,
            RunChartRule.RUNS,
            RunChartRule.ASTRONOMICAL,
        }
        assert all(item.status is RuleStatus.INSUFFICIENT_DATA for item in segment.checks)
        assert check(segment, RunChartRule.SHIFT).note == (
            "needs at least 6 useful points (not on the median), has 0"
        )

    def test_single_point(self) -> None:
        chart = run_chart(series(7))

        segment = one_segment(chart)
        assert segment.median == 7.0
        assert chart.points[0].position is Position.ON_MEDIAN
        assert all(item.status is RuleStatus.INSUFFICIENT_DATA for item in segment.checks)
        assert check(segment, RunChartRule.TREND).note == (
            "needs at least 5 points (equal neighbours count once), has 1"
        )
        assert check(segment, RunChartRule.ASTRONOMICAL).note == (
            "needs at least 2 baseline points, has 1"
        )


class TestBaselines:
    def test_first_n_points(self) -> None:
        segment = one_segment(run_chart(series(1, 2, 3, 10, 20), baseline=Baseline.first(3)))

        assert segment.baseline_indices == (0, 1, 2)
        assert segment.median == 2.0
        assert segment.notes == ()

    def test_first_n_with_fewer_points_uses_them_all_and_says_so(self) -> None:
        segment = one_segment(run_chart(series(1, 2, 3), baseline=Baseline.first(12)))

        assert segment.baseline_indices == (0, 1, 2)
        assert segment.notes == (
            "baseline asks for the first 12 points; this segment has 3, so all 3 are used",
        )

    def test_a_fixed_period_by_index_or_label(self) -> None:
        points = series(100, 1, 2, 3, 100, 100)

        by_index = one_segment(run_chart(points, baseline=Baseline.between(1, 3)))
        by_label = one_segment(run_chart(points, baseline=Baseline.between("p1", "p3")))

        assert by_index.baseline_indices == by_label.baseline_indices == (1, 2, 3)
        assert by_index.median == by_label.median == 2.0


class TestRebase:
    VALUES = (1, 2, 1, 2, 1, 2, 1, 2, 10, 11, 10, 11, 10, 11, 10, 11)

    def test_without_a_rebase_the_step_is_two_shifts(self) -> None:
        segment = one_segment(run_chart(series(*self.VALUES)))

        assert segment.median == 6.0
        assert [item.indices for item in signals(segment, RunChartRule.SHIFT)] == [
            indices(0, 8),
            indices(8, 16),
        ]

    @pytest.mark.parametrize("at", [8, "p8", Rebase(8)])
    def test_each_segment_has_its_own_median_and_signals(self, at: int | str | Rebase) -> None:
        chart = run_chart(series(*self.VALUES), rebase=[at])

        first, second = chart.segments
        assert (first.point_indices, second.point_indices) == (indices(0, 8), indices(8, 16))
        assert (first.median, second.median) == (1.5, 10.5)
        assert signals(first, RunChartRule.SHIFT) == signals(second, RunChartRule.SHIFT) == []
        assert [point.segment for point in chart.points] == [0] * 8 + [1] * 8

    def test_a_rebase_can_carry_its_own_baseline(self) -> None:
        chart = run_chart(
            series(*self.VALUES, 20, 20), rebase=[Rebase("p8", baseline=Baseline.first(4))]
        )

        second = chart.segments[1]
        assert second.baseline_indices == (8, 9, 10, 11)
        assert second.median == 10.5

    def test_the_chart_baseline_rule_applies_to_each_segment(self) -> None:
        chart = run_chart(series(*self.VALUES), baseline=Baseline.first(2), rebase=[8])

        assert [segment.baseline_indices for segment in chart.segments] == [(0, 1), (8, 9)]

    def test_a_fixed_period_outside_a_segment_falls_back_to_the_whole_segment(self) -> None:
        chart = run_chart(series(*self.VALUES), baseline=Baseline.between(0, 3), rebase=[8])

        first, second = chart.segments
        assert first.baseline_indices == (0, 1, 2, 3)
        assert second.baseline_indices == indices(8, 16)
        assert second.notes == (
            "baseline period 0-3 lies outside this segment (8-15), so all 8 points are used",
        )
