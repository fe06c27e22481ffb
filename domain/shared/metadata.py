"""Every table model, imported in one place so Alembic and tests see the whole schema."""

from sqlmodel import SQLModel

from domain.audit.models import AuditEvent
from domain.identity.models import OAuthClient, RevokedToken, SigningKey
from domain.improvement.chart_models import LogicModel, MeasureRebase
from domain.improvement.feedback import FeedbackItem
from domain.improvement.measures.models import DataPoint, Measure
from domain.improvement.models import Cycle, CycleTransition, Ramp
from domain.shared.idempotency_models import IdempotencyRecord
from domain.tenancy.models import Organisation, Programme, ProgrammeMember, Site

metadata = SQLModel.metadata

__all__ = [
    "AuditEvent",
    "Cycle",
    "CycleTransition",
    "DataPoint",
    "FeedbackItem",
    "IdempotencyRecord",
    "LogicModel",
    "Measure",
    "MeasureRebase",
    "OAuthClient",
    "Organisation",
    "Programme",
    "ProgrammeMember",
    "Ramp",
    "RevokedToken",
    "SigningKey",
    "Site",
    "metadata",
]
