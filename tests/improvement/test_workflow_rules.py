"""The pure workflow rules, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.improvement.models import CycleStatus
from domain.improvement.rules import phase_spans, transition_problem
from domain.shared.errors import InvalidTransition, ValidationFailed

FULL: dict[str, Any] = {
    "kind": "pdsa",
    "aim": "a",
    "change_idea": "c",
    "prediction": "p",
    "data_collection_plan": "d",
    "do_notes": "n",
    "study_results": "r",
    "act_decision": "adopt",
}


@pytest.mark.parametrize(
    ("status", "to"),
    [("plan", "do"), ("do", "study"), ("study", "act"), ("act", "completed")],
)
def test_each_phase_moves_to_the_next_when_it_has_what_it_needs(status: str, to: str) -> None:
    assert transition_problem({**FULL, "status": status}, CycleStatus(to), "") is None


@pytest.mark.parametrize(
    ("status", "blank", "pointer"),
    [
        ("plan", "prediction", "/prediction"),
        ("do", "do_notes", "/do_notes"),
        ("study", "study_results", "/study_results"),
        ("act", "act_decision", "/act_decision"),
    ],
)
def test_a_missing_requirement_is_named(status: str, blank: str, pointer: str) -> None:
    to = {"plan": "do", "do": "study", "study": "act", "act": "completed"}[status]
    problem = transition_problem({**FULL, "status": status, blank: "  "}, CycleStatus(to), "")
    assert isinstance(problem, ValidationFailed)
    assert [e.pointer for e in problem.errors] == [pointer]


def test_abandoning_needs_a_reason_from_any_unfinished_phase() -> None:
    for status in ("plan", "do", "study", "act"):
        cycle = {**FULL, "status": status}
        assert isinstance(transition_problem(cycle, CycleStatus.abandoned, ""), ValidationFailed)
        assert transition_problem(cycle, CycleStatus.abandoned, "No staff") is None


def test_finished_cycles_and_skips_are_invalid() -> None:
    for status in ("completed", "abandoned"):
        problem = transition_problem({**FULL, "status": status}, CycleStatus.abandoned, "x")
        assert isinstance(problem, InvalidTransition)
    assert isinstance(
        transition_problem({**FULL, "status": "plan"}, CycleStatus.act, ""), InvalidTransition
    )


def test_phase_spans_measure_each_phase() -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    moves = [
        (CycleStatus.plan, start),
        (CycleStatus.do, start + timedelta(days=3)),
        (CycleStatus.study, start + timedelta(days=10)),
    ]
    spans = phase_spans(moves)
    now = start + timedelta(days=12)
    assert [s.seconds(now) / 86400 for s in spans] == [3, 7, 2]
    assert spans[-1].ended_at is None
    assert phase_spans([]) == []
