"""Relay global ids: base64("Type:uuid"). Raw UUIDs are accepted too, for convenience."""

from __future__ import annotations

import base64
import binascii
from uuid import UUID

from domain.shared.errors import FieldError, ValidationFailed


def to_global_id(type_name: str, value: UUID) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{value}".encode()).decode().rstrip("=")


def from_global_id(value: str, type_name: str, *, field: str = "id") -> UUID:
    try:
        return UUID(value)
    except ValueError:
        pass
    try:
        padded = value + "=" * (-len(value) % 4)
        kind, _, raw = base64.urlsafe_b64decode(padded).decode().partition(":")
        if kind == type_name:
            return UUID(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    raise ValidationFailed(
        [FieldError(field, f"is not a {type_name} id", "invalid_id", "argument")]
    )


def parse_global_id(value: str) -> tuple[str, UUID] | None:
    try:
        padded = value + "=" * (-len(value) % 4)
        kind, _, raw = base64.urlsafe_b64decode(padded).decode().partition(":")
        return kind, UUID(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
