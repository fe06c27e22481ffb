"""Practice-policy feedback items: a barrier met in frontline practice, sent up to a
leadership team, and the response sent back down. The table and what callers send and get
back."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema
from sqlalchemy import CheckConstraint, Date, DateTime, Index, Text
from sqlmodel import Field as TableField

from domain.improvement.models import Visibility
from domain.shared.models import RecordFields
from domain.shared.schemas import InputModel, ReadModel
from domain.shared.schemas import Text as TextInput


class FeedbackStatus(StrEnum):
    raised = "raised"
    acknowledged = "acknowledged"
    resolved = "resolved"
    declined = "declined"


def _in(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(m.value) for m in enum)})"


class FeedbackItem(RecordFields, table=True):
    __tablename__ = "feedback_items"
    __table_args__ = (
        CheckConstraint(_in("status", FeedbackStatus), name="feedback_item_status"),
        CheckConstraint(_in("visibility", Visibility), name="feedback_item_visibility"),
        # Each date says when the item reached its status, so it is there exactly when the
        # status is (acknowledged also for items resolved after being acknowledged).
        CheckConstraint(
            "(status IN ('acknowledged', 'resolved')) = (acknowledged_on IS NOT NULL)"
            " OR (status = 'declined')",
            name="feedback_item_acknowledged_on",
        ),
        CheckConstraint(
            "(status = 'resolved') = (resolved_on IS NOT NULL)", name="feedback_item_resolved_on"
        ),
        CheckConstraint(
            "(status = 'declined') = (declined_on IS NOT NULL)", name="feedback_item_declined_on"
        ),
        CheckConstraint(
            "status NOT IN ('resolved', 'declined') OR response <> ''",
            name="feedback_item_response",
        ),
        Index("ix_feedback_items_programme_id_id", "programme_id", "id"),
    )

    organisation_id: UUID = TableField(foreign_key="organisations.id", index=True)
    programme_id: UUID = TableField(foreign_key="programmes.id")
    visibility: str = TableField(default=Visibility.private.value, max_length=16)
    # Optional: the cycle (often a practice_policy_feedback one) the barrier came up in.
    cycle_id: UUID | None = TableField(default=None, foreign_key="cycles.id", index=True)
    barrier: str = TableField(sa_type=Text)
    # A role or team, never a child's name: records here are about practice, not children.
    raised_by: str = TableField(default="", max_length=200)
    raised_on: date = TableField(sa_type=Date)
    leadership_team: str = TableField(default="", max_length=200)
    response: str = TableField(default="", sa_type=Text)
    status: str = TableField(default=FeedbackStatus.raised.value, max_length=16)
    acknowledged_on: date | None = TableField(default=None, sa_type=Date)
    resolved_on: date | None = TableField(default=None, sa_type=Date)
    declined_on: date | None = TableField(default=None, sa_type=Date)
    deleted_at: datetime | None = TableField(default=None, sa_type=DateTime(timezone=True))


Barrier = Annotated[
    TextInput, Field(min_length=1, description="The barrier met in practice, as raised.")
]
Name = Annotated[TextInput, Field(max_length=200)]
# Stamped when the status moves; accepted here only to be refused by name.
ServerOwnedDate = SkipJsonSchema[Any]


class FeedbackItemCreate(InputModel):
    programme_id: UUID
    visibility: Visibility = Visibility.private
    cycle_id: UUID | None = Field(
        default=None, description="A cycle of your organisation in the same programme."
    )
    barrier: Barrier
    raised_by: Name = Field(default="", description="Who raised it: a role or team.")
    raised_on: date | None = Field(default=None, description="Today when left out.")
    leadership_team: Name = Field(default="", description="The team it was sent up to.")
    response: TextInput = Field(default="", description="What the leadership team sent back.")
    acknowledged_on: ServerOwnedDate = None
    resolved_on: ServerOwnedDate = None
    declined_on: ServerOwnedDate = None


class FeedbackItemUpdate(InputModel):
    """Every field optional; only the fields sent are changed. Status moves raised ->
    acknowledged -> resolved or declined, or raised -> declined; resolving or declining
    needs a response."""

    visibility: Visibility | None = None
    cycle_id: UUID | None = None
    barrier: Barrier | None = None
    raised_by: Name | None = None
    raised_on: date | None = None
    leadership_team: Name | None = None
    response: TextInput | None = None
    status: FeedbackStatus | None = None
    acknowledged_on: ServerOwnedDate = None
    resolved_on: ServerOwnedDate = None
    declined_on: ServerOwnedDate = None


class FeedbackItemRead(ReadModel):
    id: UUID
    organisation_id: UUID
    programme_id: UUID
    visibility: Visibility
    cycle_id: UUID | None
    barrier: str
    raised_by: str
    raised_on: date
    leadership_team: str
    response: str
    status: FeedbackStatus
    acknowledged_on: date | None = Field(description="Set by the server on acknowledging.")
    resolved_on: date | None = Field(description="Set by the server on resolving.")
    declined_on: date | None = Field(description="Set by the server on declining.")
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class FeedbackItemFilters(InputModel):
    programme_id: UUID | None = None
    status: FeedbackStatus | None = None
    cycle_id: UUID | None = None
