"""Pure rules about cycles."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from domain.improvement.models import CycleKind, CycleStatus
from domain.shared.errors import FieldError, InvalidTransition, ValidationFailed

# Fields a PATCH may clear with null; every other field needs a value when sent.
NULLABLE_FIELDS = frozenset(
    {
        "site_id",
        "act_decision",
        "start_date",
        "end_date",
        "ramp_id",
        "previous_cycle_id",
        "participants_tested",
        "status",
    }
)


def date_errors(start: date | None, end: date | None) -> list[FieldError]:
    if start is not None and end is not None and end < start:
        return [FieldError("/end_date", "must not be before start_date", "date_order")]
    return []


def update_errors(
    changes: dict[str, Any], start: date | None, end: date | None
) -> list[FieldError]:
    nulls = [
        FieldError(f"/{name}", "may not be null", "null_not_allowed")
        for name, value in changes.items()
        if value is None and name not in NULLABLE_FIELDS
    ]
    return nulls + date_errors(start, end)


# What each phase needs before the cycle may leave it.
EXIT_REQUIREMENTS: dict[CycleStatus, tuple[str, ...]] = {
    CycleStatus.plan: ("aim", "change_idea", "prediction", "data_collection_plan"),
    CycleStatus.do: ("do_notes",),
    CycleStatus.study: ("study_results",),
    CycleStatus.act: ("act_decision",),
}
# Usability tests also say how many took part and, after the first round, what changed.
USABILITY_EXIT_REQUIREMENTS: dict[CycleStatus, tuple[str, ...]] = {
    CycleStatus.do: ("participants_tested",),
}
NEXT_PHASE: dict[CycleStatus, CycleStatus] = {
    CycleStatus.plan: CycleStatus.do,
    CycleStatus.do: CycleStatus.study,
    CycleStatus.study: CycleStatus.act,
    CycleStatus.act: CycleStatus.completed,
}
FINISHED = frozenset({CycleStatus.completed, CycleStatus.abandoned})


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def transition_problem(
    cycle: Mapping[str, Any], to: CycleStatus, reason: str
) -> InvalidTransition | ValidationFailed | None:
    """Why the cycle may not move to `to`, or None when it may. Missing fields are named
    one by one, so the caller knows exactly what to fill in."""
    current = CycleStatus(cycle["status"])
    if current in FINISHED:
        return InvalidTransition(f"The cycle is {current.value}; a finished cycle does not move.")
    if to is CycleStatus.abandoned:
        if _blank(reason):
            return ValidationFailed(
                [FieldError("/reason", "is needed to abandon a cycle", "required")]
            )
        return None
    expected = NEXT_PHASE[current]
    if to is not expected:
        return InvalidTransition(
            f"From {current.value} a cycle moves to {expected.value} (or is abandoned), "
            f"not to {to.value}."
        )
    needed = EXIT_REQUIREMENTS.get(current, ())
    if cycle.get("kind") == CycleKind.usability_test.value:
        needed += USABILITY_EXIT_REQUIREMENTS.get(current, ())
        if current is CycleStatus.plan and cycle.get("previous_cycle_id") is not None:
            needed += ("changes_from_previous",)
    missing = [name for name in needed if _blank(cycle.get(name))]
    if missing:
        return ValidationFailed(
            [
                FieldError(f"/{name}", f"is needed to leave {current.value}", "required_to_leave")
                for name in missing
            ],
            detail=f"To leave {current.value} the cycle needs: {', '.join(missing)}.",
        )
    return None


@dataclass(frozen=True)
class PhaseSpan:
    status: CycleStatus
    started_at: datetime
    ended_at: datetime | None  # None while the cycle is still in this phase

    def seconds(self, now: datetime) -> float:
        return ((self.ended_at or now) - self.started_at).total_seconds()


def phase_spans(moves: Sequence[tuple[CycleStatus, datetime]]) -> list[PhaseSpan]:
    """Each phase the cycle was in, from its transitions in time order; a finished cycle's
    last span (completed or abandoned) has no end."""
    spans: list[PhaseSpan] = []
    for index, (status, at) in enumerate(moves):
        following = moves[index + 1][1] if index + 1 < len(moves) else None
        spans.append(PhaseSpan(status=status, started_at=at, ended_at=following))
    return spans
