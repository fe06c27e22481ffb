"""Stage rules: which moves are allowed, and what the transitions say about any date.

Nothing about the current stage is stored twice: it is always read off the append-only
transitions, ordered by effective date and then by when they were recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from domain.implementation.models import STAGE_ORDER, Stage
from domain.shared.errors import FieldError


@dataclass(frozen=True)
class Move:
    from_stage: Stage | None
    to_stage: Stage
    effective_on: date


@dataclass(frozen=True)
class StagePeriod:
    stage: Stage
    started_on: date
    ended_on: date | None  # the day the next stage took effect; None for the current one
    days: int


def transition_errors(
    current: Stage | None,
    last_effective_on: date | None,
    to: Stage,
    effective_on: date,
    rationale: str,
    skip_reason: str,
) -> list[FieldError]:
    """Why a move is refused, each reason pointing at the field to fix."""
    errors: list[FieldError] = []
    if last_effective_on is not None and effective_on < last_effective_on:
        errors.append(
            FieldError(
                "/effective_on",
                f"is before the previous transition ({last_effective_on.isoformat()}); "
                "transitions are recorded in date order",
                "before_previous",
            )
        )
    if current is None:
        return errors
    here, there = STAGE_ORDER.index(current), STAGE_ORDER.index(to)
    if there == here:
        errors.append(FieldError("/to", f"is already the current stage ({current.value})", "same"))
    elif there < here and not rationale.strip():
        errors.append(
            FieldError(
                "/rationale",
                f"is required to move back from {current.value} to {to.value}",
                "required",
            )
        )
    elif there > here + 1 and not skip_reason.strip():
        skipped = ", ".join(s.value for s in STAGE_ORDER[here + 1 : there])
        errors.append(
            FieldError(
                "/skip_reason",
                f"is required to skip over {skipped}; say why the stage was not needed",
                "required",
            )
        )
    return errors


def stage_on(moves: Sequence[Move], day: date) -> Stage | None:
    """The stage on `day`: the last move effective on or before it (moves in order)."""
    found: Stage | None = None
    for move in moves:
        if move.effective_on > day:
            break
        found = move.to_stage
    return found


def periods(moves: Sequence[Move], today: date) -> list[StagePeriod]:
    """The timeline: one period per move, ending when the next one took effect. Two moves on
    the same day leave a period of zero days, kept so the record stays complete."""
    found: list[StagePeriod] = []
    for index, move in enumerate(moves):
        following = moves[index + 1] if index + 1 < len(moves) else None
        end = following.effective_on if following else None
        found.append(
            StagePeriod(
                stage=move.to_stage,
                started_on=move.effective_on,
                ended_on=end,
                days=max(((end or today) - move.effective_on).days, 0),
            )
        )
    return found
