"""Every table model, imported in one place so Alembic and tests see the whole schema."""

from sqlmodel import SQLModel

from domain.audit.models import AuditEvent
from domain.community.models import (
    Community,
    CommunityMember,
    DiscussionEdit,
    Event,
    EventAttendance,
    GlossaryTerm,
    Post,
    Resource,
    ResourceRevision,
    Thread,
)
from domain.identity.federation_models import TrustedIssuer
from domain.identity.models import (
    AuthorizationCode,
    OAuthClient,
    RefreshFamily,
    RefreshToken,
    RevokedToken,
    SigningKey,
    UsedClientAssertion,
    User,
    UserRole,
)
from domain.implementation.models import (
    CoreComponent,
    Innovation,
    PracticeProfileVersion,
)
from domain.improvement.chart_models import LogicModel, MeasureRebase
from domain.improvement.feedback import FeedbackItem
from domain.improvement.measures.models import DataPoint, Measure
from domain.improvement.models import Cycle, CycleTransition, Ramp
from domain.observations.models import Observation, SyncChange
from domain.shared.idempotency_models import IdempotencyRecord
from domain.tenancy.models import Organisation, Programme, ProgrammeMember, Site

metadata = SQLModel.metadata

__all__ = [
    "AuditEvent",
    "AuthorizationCode",
    "Community",
    "CommunityMember",
    "CoreComponent",
    "Cycle",
    "CycleTransition",
    "DataPoint",
    "DiscussionEdit",
    "Event",
    "EventAttendance",
    "FeedbackItem",
    "GlossaryTerm",
    "IdempotencyRecord",
    "Innovation",
    "LogicModel",
    "Measure",
    "MeasureRebase",
    "OAuthClient",
    "Observation",
    "Organisation",
    "Post",
    "PracticeProfileVersion",
    "Programme",
    "ProgrammeMember",
    "Ramp",
    "RefreshFamily",
    "RefreshToken",
    "Resource",
    "ResourceRevision",
    "RevokedToken",
    "SigningKey",
    "Site",
    "SyncChange",
    "Thread",
    "TrustedIssuer",
    "UsedClientAssertion",
    "User",
    "UserRole",
    "metadata",
]
