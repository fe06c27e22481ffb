"""Maps domain and infrastructure errors to problem+json, once, for every REST route."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from starlette.responses import Response

from api.problems import problem
from domain.identity.errors import InvalidToken
from domain.shared import errors as e
from domain.shared.idempotency import IdempotencyKeyReused
from domain.shared.schemas import SERVER_OWNED_FIELDS
from domain.shared.uow import database_unavailable

log = logging.getLogger("api.errors")

REALM = 'Bearer realm="implementation-hub"'

STATUS: dict[type[e.DomainError], int] = {
    e.NotFound: 404,
    e.AuthenticationRequired: 401,
    InvalidToken: 401,
    e.InsufficientScope: 403,
    e.Forbidden: 403,
    e.Conflict: 409,
    e.InvalidTransition: 409,
    e.PreconditionFailed: 412,
    e.PreconditionRequired: 428,
    e.ValidationFailed: 422,
    e.ServiceUnavailable: 503,
    IdempotencyKeyReused: 422,
}


HTTP_PROBLEMS = {
    404: ("route_not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    413: ("payload_too_large", "Payload too large"),
}


def status_for(error: e.DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def domain_error_response(error: e.DomainError) -> Response:
    status = status_for(error)
    headers: dict[str, str] = {}
    extra: dict[str, Any] = {}
    errors: list[e.FieldError] = []
    if isinstance(error, e.AuthenticationRequired):
        headers["WWW-Authenticate"] = REALM
    elif isinstance(error, InvalidToken):
        description = error.detail.replace('"', "'")
        headers["WWW-Authenticate"] = (
            f'{REALM}, error="invalid_token", error_description="{description}"'
        )
    elif isinstance(error, e.InsufficientScope):
        headers["WWW-Authenticate"] = f'{REALM}, error="insufficient_scope", scope="{error.scope}"'
        extra["scope"] = error.scope
    elif isinstance(error, e.PreconditionFailed):
        extra["current_version"] = error.current_version
        headers["ETag"] = f'"{error.current_version}"'
    elif isinstance(error, e.ValidationFailed):
        errors = error.errors
    elif isinstance(error, e.ServiceUnavailable):
        headers["Retry-After"] = str(error.retry_after_seconds)
    return problem(status, error.code, error.title, error.detail, errors, headers, **extra)


def validation_errors(exc: RequestValidationError) -> list[e.FieldError]:
    out: list[e.FieldError] = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        where = str(loc[0]) if loc else "body"
        path = [str(p) for p in loc[1:]]
        message = str(err.get("msg", "is not valid"))
        code = str(err.get("type", "invalid"))
        if code == "extra_forbidden" and path and path[-1] in SERVER_OWNED_FIELDS:
            message, code = "is set by the server and may not be sent", "server_owned"
        elif code == "extra_forbidden":
            message, code = "is not a field of this resource", "unknown_field"
        if where == "body":
            out.append(e.FieldError("/" + "/".join(path), message, code))
        else:
            out.append(e.FieldError(".".join(path) or where, message, code, where))
    return out


def install(app: FastAPI) -> None:
    @app.exception_handler(e.DomainError)
    async def _domain(_: Request, exc: e.DomainError) -> Response:
        return domain_error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> Response:
        errors = validation_errors(exc)
        if any(err.code == "json_invalid" for err in errors):
            return problem(400, "malformed_json", "Malformed JSON", "The body is not valid JSON.")
        return problem(
            422,
            "validation_failed",
            "Validation failed",
            "; ".join(f"{x.pointer}: {x.message}" for x in errors),
            errors,
        )

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> Response:
        code, title = HTTP_PROBLEMS.get(exc.status_code, ("http_error", "HTTP error"))
        headers = dict(exc.headers) if exc.headers else None
        return problem(exc.status_code, code, title, str(exc.detail), headers=headers)

    @app.exception_handler(PoolTimeout)
    async def _pool(_: Request, exc: PoolTimeout) -> Response:
        return _unavailable(exc) or _internal()

    @app.exception_handler(DBAPIError)
    async def _dbapi(_: Request, exc: DBAPIError) -> Response:
        # Overload outside a unit of work (which translates it itself) gets the same answer.
        answer = _unavailable(exc)
        if answer is not None:
            return answer
        if exc.connection_invalidated or isinstance(exc.orig, OSError):
            log.warning("database connection lost")
            return domain_error_response(
                e.ServiceUnavailable("The database did not answer; retry shortly.", 2)
            )
        log.exception("database error")
        return _internal()

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> Response:
        log.exception("unhandled error")
        return _internal()


def _unavailable(exc: Exception) -> Response | None:
    unavailable = database_unavailable(exc)
    if unavailable is None:
        return None
    log.warning("database busy", extra={"detail": unavailable.detail})
    return domain_error_response(unavailable)


def _internal() -> Response:
    return problem(
        500,
        "internal_error",
        "Internal error",
        "Something went wrong on our side; the request id in X-Request-ID helps us find it.",
    )
