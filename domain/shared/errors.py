"""Domain errors. Each front door maps them once (api/errors.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One problem with one input: a JSON pointer into the body, or a query parameter name."""

    pointer: str
    message: str
    code: str = "invalid"
    location: str = "body"  # body | query | header


class DomainError(Exception):
    code: str = "error"
    title: str = "Error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    code = "not_found"
    title = "Not found"


class AuthenticationRequired(DomainError):
    code = "unauthenticated"
    title = "Authentication required"


class InsufficientScope(DomainError):
    code = "insufficient_scope"
    title = "Insufficient scope"

    def __init__(self, scope: str) -> None:
        super().__init__(f"This operation needs the scope '{scope}'.")
        self.scope = scope


class Forbidden(DomainError):
    code = "forbidden"
    title = "Forbidden"


class Conflict(DomainError):
    code = "conflict"
    title = "Conflict"


class PreconditionFailed(DomainError):
    """The caller's version of a record is stale."""

    code = "precondition_failed"
    title = "Precondition failed"

    def __init__(self, detail: str, current_version: int) -> None:
        super().__init__(detail)
        self.current_version = current_version


class PreconditionRequired(DomainError):
    """A write that must name the version it read did not."""

    code = "precondition_required"
    title = "Precondition required"


class InvalidTransition(DomainError):
    code = "invalid_transition"
    title = "Invalid transition"


class ValidationFailed(DomainError):
    code = "validation_failed"
    title = "Validation failed"

    def __init__(self, errors: list[FieldError], detail: str | None = None) -> None:
        super().__init__(detail or "; ".join(f"{e.pointer}: {e.message}" for e in errors))
        self.errors = errors


class ServiceUnavailable(DomainError):
    code = "service_unavailable"
    title = "Service unavailable"

    def __init__(self, detail: str, retry_after_seconds: int = 1) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds
