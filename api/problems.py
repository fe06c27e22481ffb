"""RFC 9457 problem details, built in one place."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from starlette.responses import Response

from domain.shared.errors import FieldError

PROBLEM_JSON = "application/problem+json"


def problem_body(
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: Sequence[FieldError] = (),
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"urn:implementation-hub:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = [field_error_json(e) for e in errors]
    body.update(extra)
    return body


def field_error_json(error: FieldError) -> dict[str, str]:
    where = (
        {"pointer": error.pointer}
        if error.location == "body"
        else {"parameter": error.pointer, "in": error.location}
    )
    return {**where, "detail": error.message, "code": error.code}


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: Sequence[FieldError] = (),
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    return Response(
        content=orjson.dumps(problem_body(status, code, title, detail, errors, **extra)),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )
