"""Opaque keyset cursors for orderings other than newest-id-first (events by start time,
search by rank, the glossary by slug). Same encoding as domain.shared.pagination."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

from domain.shared.errors import FieldError, ValidationFailed


def encode(values: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(values)).decode().rstrip("=")


def decode(cursor: str | None, keys: tuple[str, ...], *, location: str = "query") -> dict[str, Any]:
    if not cursor:
        return {}
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = orjson.loads(base64.urlsafe_b64decode(padded))
        if isinstance(values, dict) and all(k in values for k in keys):
            return values
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        pass
    raise ValidationFailed(
        [FieldError("cursor", "is not a cursor this API issued", "invalid", location)]
    )
