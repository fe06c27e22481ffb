"""Request headers and the conditional GET shared by the tenancy routers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Header
from pydantic import BaseModel
from starlette.responses import Response

from api import openapi_docs as docs
from api.rest.responses import etag, json_response

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", description="Repeat a POST safely: same key, same reply."),
]
IfMatch = Annotated[
    str | None, Header(alias="If-Match", description="The ETag from your last read.")
]
IfNoneMatch = Annotated[
    str | None,
    Header(alias="If-None-Match", description="The ETag you hold; 304 if it is still current."),
]

Responses = dict[int | str, dict[str, Any]]

# Tenancy writes also answer 409 for a name already taken or a record still in use.
CONFLICT: Responses = {
    409: {
        "model": docs.Problem,
        "description": "A name already taken, a record still in use, or the same "
        "Idempotency-Key still in progress",
    }
}


def _responses(*parts: Mapping[Any, dict[str, Any]]) -> Responses:
    return {status: doc for part in parts for status, doc in part.items()}


COMMON = _responses(docs.COMMON)
READ_ONE = _responses(docs.READ_ONE)
CREATE = _responses(docs.CREATE, CONFLICT)
WRITE_ONE = _responses(docs.WRITE_ONE, CONFLICT)


def read_response(model: BaseModel, version: int, if_none_match: str | None) -> Response:
    """One record with its ETag, or 304 when the caller already holds this version."""
    if if_none_match is not None and if_none_match.strip() == etag(version):
        return Response(status_code=304, headers={"ETag": etag(version)})
    return json_response(model, version=version)
