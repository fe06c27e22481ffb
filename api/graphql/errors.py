"""Domain errors as GraphQL errors (queries) and payload errors (mutations)."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from pydantic import ValidationError
from strawberry.extensions import MaskErrors

from api.errors import status_for
from api.problems import field_error_json
from domain.shared.errors import DomainError, FieldError, ValidationFailed


@strawberry.type(description="Why a mutation did not happen; nothing was changed.")
class UserError:
    code: str
    message: str
    field: str | None = None


def _camel(segment: str) -> str:
    head, *rest = segment.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def input_pointer(pointer: str) -> str:
    """The domain names fields as REST does (`/programme_id`); a mutation's caller sent
    `input.programmeId`, so that is what the error points at."""
    if pointer.startswith("/input/") or pointer == "/input":
        return pointer
    return "/input" + "/".join(_camel(part) for part in pointer.split("/"))


def user_errors(error: DomainError) -> list[UserError]:
    if isinstance(error, ValidationFailed):
        return [
            UserError(code=e.code, message=e.message, field=input_pointer(e.pointer))
            for e in error.errors
        ]
    return [UserError(code=error.code, message=error.detail)]


def graphql_error(error: DomainError) -> GraphQLError:
    extensions: dict[str, Any] = {"code": error.code.upper(), "status": status_for(error)}
    if isinstance(error, ValidationFailed):
        extensions["errors"] = [field_error_json(e) for e in error.errors]
    return GraphQLError(error.detail, extensions=extensions, original_error=error)


def from_pydantic(exc: ValidationError, prefix: str = "") -> ValidationFailed:
    errors = [
        FieldError(
            prefix + "".join(f"/{p}" for p in err["loc"]),
            err["msg"],
            "unknown_field" if err["type"] == "extra_forbidden" else err["type"],
        )
        for err in exc.errors()
    ]
    return ValidationFailed(errors)


def _should_mask(error: GraphQLError) -> bool:
    # Ours (and GraphQL's own syntax and validation errors) are shown; anything else is a
    # bug or an outage whose details stay in the log.
    original = error.original_error
    return original is not None and not isinstance(original, (DomainError, GraphQLError))


def masking() -> MaskErrors:
    return MaskErrors(should_mask_error=_should_mask, error_message="Internal error")
