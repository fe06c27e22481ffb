"""Response helpers shared by the implementation-tracking routers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel
from starlette.responses import Response

from api.rest.responses import PageOf, json_response
from domain.shared.pagination import Page

R = TypeVar("R", bound=BaseModel)


def page_of(page: Page[Any], read: type[R], convert: Callable[[Any], R]) -> Response:
    body = PageOf[read](  # type: ignore[valid-type]
        items=[convert(item) for item in page.items], next_cursor=page.next_cursor
    )
    return json_response(body)


def list_response(items: Sequence[BaseModel]) -> Response:
    return Response(
        content="[" + ",".join(item.model_dump_json() for item in items) + "]",
        media_type="application/json",
    )
