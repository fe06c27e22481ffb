"""Keyset pagination over time-ordered UUIDv7 ids, with opaque cursors."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

import orjson

from domain.shared.errors import FieldError, ValidationFailed

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True)
class PageRequest:
    limit: int = DEFAULT_LIMIT
    after: UUID | None = None  # newest first: return ids smaller than this


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(last_id: UUID) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"id": str(last_id)})).decode().rstrip("=")


def page_request(limit: int | None, cursor: str | None, *, location: str = "query") -> PageRequest:
    errors: list[FieldError] = []
    size = DEFAULT_LIMIT if limit is None else limit
    if not 1 <= size <= MAX_LIMIT:
        errors.append(
            FieldError("limit", f"must be between 1 and {MAX_LIMIT}", "out_of_range", location)
        )
    after: UUID | None = None
    if cursor:
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            after = UUID(orjson.loads(base64.urlsafe_b64decode(padded))["id"])
        except (ValueError, KeyError, TypeError, binascii.Error, orjson.JSONDecodeError):
            errors.append(
                FieldError("cursor", "is not a cursor this API issued", "invalid", location)
            )
    if errors:
        raise ValidationFailed(errors)
    return PageRequest(limit=size, after=after)


def make_page(rows: list[T], request: PageRequest, id_of: Callable[[T], UUID]) -> Page[T]:
    """`rows` holds up to limit + 1 rows; the extra one only tells that more exist."""
    if len(rows) > request.limit:
        items = rows[: request.limit]
        return Page(items=items, next_cursor=encode_cursor(id_of(items[-1])))
    return Page(items=rows, next_cursor=None)


def keyset(query: Any, id_column: Any, request: PageRequest) -> Any:
    """One page of `query`, newest first, after the cursor; one row more than the page, so
    make_page can tell whether another page follows."""
    if request.after is not None:
        query = query.where(id_column < request.after)
    return query.order_by(id_column.desc()).limit(request.limit + 1)
