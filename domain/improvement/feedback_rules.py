"""Pure rules about practice-policy feedback items: how their status moves."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from domain.improvement.feedback import FeedbackStatus
from domain.shared.errors import FieldError, InvalidTransition

S = FeedbackStatus

MOVES: dict[FeedbackStatus, frozenset[FeedbackStatus]] = {
    S.raised: frozenset({S.acknowledged, S.declined}),
    S.acknowledged: frozenset({S.resolved, S.declined}),
    S.resolved: frozenset(),
    S.declined: frozenset(),
}
# The leadership team's answer is the point of the loop: an item does not close without one.
NEEDS_RESPONSE = frozenset({S.resolved, S.declined})
# The date stamped (by the server) when an item reaches each status.
STAMPED_ON: dict[FeedbackStatus, str] = {
    S.acknowledged: "acknowledged_on",
    S.resolved: "resolved_on",
    S.declined: "declined_on",
}
SERVER_OWNED_DATES = tuple(STAMPED_ON.values())
# Fields a PATCH may clear with null; every other field needs a value when sent.
NULLABLE_FIELDS = frozenset({"cycle_id"})


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def server_owned_errors(sent: Iterable[str]) -> list[FieldError]:
    return [
        FieldError(f"/{name}", "is set by the server when the status moves", "server_owned")
        for name in SERVER_OWNED_DATES
        if name in sent
    ]


def field_errors(changes: Mapping[str, Any]) -> list[FieldError]:
    """Nulls where a value is needed, and a barrier of only spaces."""
    errors = [
        FieldError(f"/{name}", "may not be null", "null_not_allowed")
        for name, value in changes.items()
        if value is None and name not in NULLABLE_FIELDS
    ]
    if "barrier" in changes and changes["barrier"] is not None and _blank(changes["barrier"]):
        errors.append(FieldError("/barrier", "needs the barrier as it was raised", "required"))
    return errors


def move_problem(current: FeedbackStatus, to: FeedbackStatus) -> InvalidTransition | None:
    """None when the item may move from `current` to `to` (staying put is no move)."""
    if to is current or to in MOVES[current]:
        return None
    allowed = sorted(s.value for s in MOVES[current])
    if not allowed:
        return InvalidTransition(f"The item is {current.value}; a closed item does not move.")
    return InvalidTransition(
        f"From {current.value} an item moves to {' or '.join(allowed)}, not to {to.value}."
    )


def response_errors(status: FeedbackStatus, response: str) -> list[FieldError]:
    if status in NEEDS_RESPONSE and _blank(response):
        return [
            FieldError(
                "/response",
                f"is needed for an item to be {status.value}: what the leadership team said",
                "required",
            )
        ]
    return []
