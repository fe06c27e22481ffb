"""How a feedback item's status moves, without a database."""

from __future__ import annotations

import pytest

from domain.improvement.feedback import FeedbackStatus
from domain.improvement.feedback_rules import (
    field_errors,
    move_problem,
    response_errors,
    server_owned_errors,
)

S = FeedbackStatus


@pytest.mark.parametrize(
    ("current", "to"),
    [
        (S.raised, S.acknowledged),
        (S.raised, S.declined),
        (S.acknowledged, S.resolved),
        (S.acknowledged, S.declined),
        (S.raised, S.raised),
        (S.resolved, S.resolved),
    ],
)
def test_allowed_moves(current: FeedbackStatus, to: FeedbackStatus) -> None:
    assert move_problem(current, to) is None


@pytest.mark.parametrize(
    ("current", "to"),
    [
        (S.raised, S.resolved),
        (S.acknowledged, S.raised),
        (S.resolved, S.acknowledged),
        (S.resolved, S.declined),
        (S.declined, S.raised),
        (S.declined, S.acknowledged),
    ],
)
def test_refused_moves(current: FeedbackStatus, to: FeedbackStatus) -> None:
    problem = move_problem(current, to)
    assert problem is not None
    assert problem.code == "invalid_transition"
    assert current.value in problem.detail


def test_closing_needs_a_response() -> None:
    for status in (S.resolved, S.declined):
        errors = response_errors(status, "   ")
        assert [(e.pointer, e.code) for e in errors] == [("/response", "required")]
        assert response_errors(status, "Form changed from April") == []
    assert response_errors(S.acknowledged, "") == []


def test_dates_are_the_servers_and_nulls_are_named() -> None:
    sent = {"acknowledged_on", "barrier", "declined_on"}
    assert [e.pointer for e in server_owned_errors(sent)] == ["/acknowledged_on", "/declined_on"]
    errors = field_errors({"barrier": "  ", "cycle_id": None, "raised_on": None})
    assert [(e.pointer, e.code) for e in errors] == [
        ("/raised_on", "null_not_allowed"),
        ("/barrier", "required"),
    ]
