"""What every use case that changes a record does: check the version the caller read, and
bump the version when the record changes."""

from __future__ import annotations

from domain.shared.errors import PreconditionFailed
from domain.shared.ids import utcnow


def check_version(noun: str, version: int, expected: int) -> None:
    """412 with the current version when the caller's If-Match names another."""
    if version != expected:
        raise PreconditionFailed(f"The {noun} is at version {version}, not {expected}.", version)


def touch(row: object) -> None:
    """One more version, changed now: the ETag the next reader gets."""
    row.version += 1  # type: ignore[attr-defined]
    row.updated_at = utcnow()  # type: ignore[attr-defined]
