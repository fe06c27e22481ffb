"""Pure rules for observations: content fingerprints, the clock, fidelity ratings."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from pydantic import BaseModel

from domain.observations.schemas import RatingIn
from domain.shared.errors import FieldError

MAX_BATCH = 500


def content_hash(item: BaseModel) -> str:
    """A fingerprint of what the device sent, after parsing: the same observation sent
    again (other key order, other spacing, `+00:00` or `Z`) has the same fingerprint.
    The model writes its fields in its own fixed order, so its JSON is canonical."""
    return hashlib.sha256(item.model_dump_json().encode()).hexdigest()


def future_errors(observed_at: datetime, now: datetime, skew_seconds: int) -> list[FieldError]:
    """Old observations are welcome (a phone may queue for weeks); ones from the future
    beyond the allowed clock skew mean a wrong device clock."""
    if observed_at > now + timedelta(seconds=skew_seconds):
        return [
            FieldError(
                "/observed_at",
                f"is later than the server's clock allows (more than {skew_seconds} s ahead); "
                "check the device's clock",
                "in_future",
            )
        ]
    return []


def rating_errors(ratings: Sequence[RatingIn], components: Collection[object]) -> list[FieldError]:
    """Each rating names a core component of the referenced version, once."""
    errors: list[FieldError] = []
    seen: set[object] = set()
    for index, rating in enumerate(ratings):
        pointer = f"/ratings/{index}/component_id"
        if rating.component_id not in components:
            errors.append(
                FieldError(
                    pointer,
                    "is not a core component of the referenced practice-profile version",
                    "not_in_profile",
                )
            )
        elif rating.component_id in seen:
            errors.append(FieldError(pointer, "is rated more than once", "duplicate_component"))
        seen.add(rating.component_id)
    return errors
