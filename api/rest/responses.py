"""Serialising Read schemas, with ETags, for every REST route."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from starlette.responses import Response

from domain.shared.pagination import Page

R = TypeVar("R", bound=BaseModel)


class PageOf(BaseModel, Generic[R]):
    items: list[R]
    next_cursor: str | None


def etag(version: int) -> str:
    return f'"{version}"'


def json_response(
    model: BaseModel,
    *,
    status: int = 200,
    version: int | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    all_headers = dict(headers or {})
    if version is not None:
        all_headers["ETag"] = etag(version)
    return Response(
        content=model.model_dump_json(),
        status_code=status,
        media_type="application/json",
        headers=all_headers,
    )


def page_response(page: Page[Any], read: type[R]) -> Response:
    items: Sequence[R] = [read.model_validate(item) for item in page.items]
    body = PageOf[read](items=list(items), next_cursor=page.next_cursor)  # type: ignore[valid-type]
    return json_response(body)
