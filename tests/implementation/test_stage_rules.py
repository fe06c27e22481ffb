"""Stage rules: refused moves name the field, and the stage on a date is exact at the
boundaries."""

from __future__ import annotations

from datetime import date

from domain.implementation.models import Stage
from domain.implementation.rules import Move, periods, stage_on, transition_errors

EX, INS, INI, FULL = (
    Stage.exploration,
    Stage.installation,
    Stage.initial_implementation,
    Stage.full_implementation,
)


def test_forward_one_stage_needs_nothing() -> None:
    assert transition_errors(EX, date(2024, 1, 1), INS, date(2024, 2, 1), "", "") == []


def test_back_needs_rationale() -> None:
    errors = transition_errors(INI, date(2024, 1, 1), INS, date(2024, 2, 1), "  ", "")
    assert [(e.pointer, e.code) for e in errors] == [("/rationale", "required")]
    assert transition_errors(INI, date(2024, 1, 1), INS, date(2024, 2, 1), "staff left", "") == []


def test_skip_needs_reason_naming_the_skipped_stages() -> None:
    errors = transition_errors(EX, date(2024, 1, 1), INI, date(2024, 2, 1), "", "")
    assert errors[0].pointer == "/skip_reason"
    assert "installation" in errors[0].message
    assert (
        transition_errors(EX, date(2024, 1, 1), INI, date(2024, 2, 1), "", "already set up") == []
    )


def test_effective_date_before_previous_is_refused_same_day_is_not() -> None:
    errors = transition_errors(EX, date(2024, 3, 1), INS, date(2024, 2, 29), "", "")
    assert [e.pointer for e in errors] == ["/effective_on"]
    assert transition_errors(EX, date(2024, 3, 1), INS, date(2024, 3, 1), "", "") == []


def test_same_stage_is_refused() -> None:
    assert [e.pointer for e in transition_errors(INS, None, INS, date(2024, 1, 1), "", "")] == [
        "/to"
    ]


MOVES = [
    Move(None, EX, date(2024, 1, 10)),
    Move(EX, INS, date(2024, 3, 1)),
    Move(INS, INI, date(2024, 9, 1)),
    Move(INI, INS, date(2025, 1, 15)),
]


def test_stage_on_boundaries() -> None:
    assert stage_on(MOVES, date(2024, 1, 9)) is None
    assert stage_on(MOVES, date(2024, 1, 10)) is EX
    assert stage_on(MOVES, date(2024, 2, 29)) is EX
    assert stage_on(MOVES, date(2024, 3, 1)) is INS
    assert stage_on(MOVES, date(2024, 8, 31)) is INS
    assert stage_on(MOVES, date(2024, 9, 1)) is INI
    assert stage_on(MOVES, date(2025, 1, 14)) is INI
    assert stage_on(MOVES, date(2025, 1, 15)) is INS


def test_periods_end_where_the_next_begins() -> None:
    spans = periods(MOVES, today=date(2025, 2, 14))
    assert [(s.stage, s.days) for s in spans] == [(EX, 51), (INS, 184), (INI, 136), (INS, 30)]
    assert spans[0].ended_on == date(2024, 3, 1)
    assert spans[-1].ended_on is None
