"""Building blocks for Create/Update/Read schemas."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from domain.shared.identifiers import identifying_reason

# Set by the service, never by a caller: sending one is a 422 that names it.
SERVER_OWNED_FIELDS = frozenset(
    {"id", "organisation_id", "created_at", "updated_at", "created_by", "version", "deleted_at"}
)

TEXT_MAX = 20_000


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it here rather than fail in the database.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _not_identifying(value: str) -> str:
    # Every free-text field of the API passes here: a child's identity does not belong in
    # these records. The message names the reason, never the matched text.
    finding = identifying_reason(value)
    if finding is not None:
        raise PydanticCustomError(finding.code, finding.message)
    return value


Text = Annotated[
    str, Field(max_length=TEXT_MAX), AfterValidator(_no_nul), AfterValidator(_not_identifying)
]
ShortText = Annotated[
    str,
    Field(min_length=1, max_length=200),
    AfterValidator(_no_nul),
    AfterValidator(_not_identifying),
]


class InputModel(BaseModel):
    """Request bodies: unknown and server-owned fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)
