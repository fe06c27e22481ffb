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


# C0 control characters other than tab, line feed and carriage return: PostgreSQL text
# cannot hold NUL, and XML (the Atom feed) cannot hold any of them, so one stored in a title
# would break every later reader. Refused on the way in, the one place every text passes.
_CONTROL = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r"}


def _no_nul(value: str) -> str:
    if not _CONTROL.isdisjoint(value):
        raise ValueError("must not contain NUL or other control characters")
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
