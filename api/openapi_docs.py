"""What the OpenAPI document says about errors and authentication, shared by every router."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, Field

from api.problems import PROBLEM_JSON


class FieldProblem(BaseModel):
    pointer: str | None = Field(default=None, description="JSON pointer into the body")
    parameter: str | None = Field(default=None, description="Query, header or path parameter")
    detail: str
    code: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None


class OAuthErrorResponse(BaseModel):
    """An RFC 6749 section 5.2 error, with the problem details fields alongside."""

    error: str = Field(description="RFC 6749 error code, e.g. invalid_request")
    error_description: str
    type: str
    title: str
    status: int
    detail: str


def _problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


Responses = dict[int | str, dict[str, Any]]

COMMON: Responses = {
    400: _problem("Malformed request (e.g. invalid JSON)"),
    401: _problem("Missing, invalid or expired bearer token"),
    403: _problem("The token lacks the scope for this operation"),
    413: _problem("Body larger than the configured limit"),
    415: _problem("Body is not JSON"),
    422: _problem("Validation failed; `errors` names each field"),
    503: _problem("Database busy or unavailable; see Retry-After"),
}
READ_ONE: Responses = {404: _problem("No such record, or not visible to you")}
WRITE_ONE: Responses = {
    **READ_ONE,
    412: _problem("If-Match names an old version; current_version says which is current"),
    428: _problem("If-Match is required"),
}
CREATE: Responses = {409: _problem("The same Idempotency-Key is still in progress")}
# The OAuth endpoints answer RFC 6749 errors as application/json (clients read `error`).
OAUTH_ERRORS: Responses = {
    400: {
        "model": OAuthErrorResponse,
        "description": "invalid_request, unsupported_grant_type, invalid_scope, ...",
    },
    401: {"model": OAuthErrorResponse, "description": "invalid_client: authentication failed"},
}


def install(app: FastAPI) -> None:
    """Error responses are documented as application/problem+json, not application/json."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
                    if status[0] in "45" and ref.endswith("/Problem"):
                        response["content"] = {PROBLEM_JSON: content["application/json"]}
        _mark_public_operations(app, schema)
        _require_if_match(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _uses(dependant: Dependant, call: object) -> bool:
    return any(d.call is call or _uses(d, call) for d in dependant.dependencies)


def _mark_public_operations(app: FastAPI, schema: dict[str, Any]) -> None:
    """An operation declared `public(...)` may be called without a token: OpenAPI says so
    with an empty security requirement beside the OAuth one."""
    from api.deps import public_principal

    paths = schema.get("paths", {})
    # Routers are included lazily: walk the effective routes, as get_openapi does.
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not _uses(context.dependant, public_principal):
            continue
        for method in context.methods or ():
            operation = paths.get(context.path_format or "", {}).get(method.lower())
            if operation is not None:
                operation["security"] = [{}, *operation.get("security", [])]


def _require_if_match(schema: dict[str, Any]) -> None:
    """PATCH and DELETE need If-Match. The handlers take it as optional so that its absence
    is answered 428 Precondition Required (RFC 6585), not a generic 422; the document says
    what a caller must send."""
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "header" and parameter.get("name") == "If-Match":
                    parameter["required"] = True
                    parameter.get("schema", {}).pop("anyOf", None)
                    parameter.setdefault("schema", {})["type"] = "string"
