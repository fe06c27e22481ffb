"""Vocabulary shared by every chart's result: directions, rule statuses, data shortfalls."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Direction(StrEnum):
    """Which way a signal points: above the centre line or rising is `up`."""

    UP = "up"
    DOWN = "down"


class RuleStatus(StrEnum):
    APPLIED = "applied"
    # Reported rather than left out, so a reader never mistakes "too little data to tell"
    # for "no signal".
    INSUFFICIENT_DATA = "insufficient_data"


@dataclass(frozen=True)
class Shortfall:
    """Why a rule could not be applied; `needs`/`has` are set when the gap is a count."""

    note: str
    needs: int | None = None
    has: int | None = None

    @classmethod
    def count(cls, needs: int, has: int, what: str) -> Shortfall:
        return cls(f"needs at least {needs} {what}, has {has}", needs, has)
