"""Who is calling: every request runs as exactly one Principal."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from uuid import UUID

from domain.shared.errors import AuthenticationRequired, Forbidden, InsufficientScope


class PrincipalKind(StrEnum):
    anonymous = "anonymous"
    client = "client"  # a partner system acting for its organisation
    user = "user"  # a person (authorisation code grant, a later issue)
    system = "system"  # the operator's CLI on the server itself


class Scope(StrEnum):
    cycles_read = "cycles:read"
    cycles_write = "cycles:write"
    implementation_read = "implementation:read"
    implementation_write = "implementation:write"
    observations_write = "observations:write"
    content_read = "content:read"
    content_write = "content:write"
    tenancy_read = "tenancy:read"
    admin = "admin"


SCOPE_DESCRIPTIONS = {
    Scope.cycles_read: "Read improvement cycles you may see",
    Scope.cycles_write: "Create, change and delete your organisation's cycles",
    Scope.implementation_read: "Read innovations, teams, implementations and assessments",
    Scope.implementation_write: "Record your organisation's implementations and assessments",
    Scope.observations_write: "Submit, edit and sync your own field observations",
    Scope.content_read: "Read community content beyond what is public",
    Scope.content_write: "Write community content: resources, events and discussions",
    Scope.tenancy_read: "Read organisations, programmes and sites",
    Scope.admin: "Administer users, clients and, for platform admins, the directory",
}


class Role(StrEnum):
    platform_admin = "platform_admin"


@dataclass(frozen=True)
class Principal:
    kind: PrincipalKind
    subject: str
    organisation_id: UUID | None = None
    client_id: str | None = None
    programme_ids: frozenset[UUID] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)
    token_id: str | None = None

    @classmethod
    def anonymous(cls) -> Principal:
        return cls(kind=PrincipalKind.anonymous, subject="anonymous")

    @classmethod
    def system(cls, name: str = "cli") -> Principal:
        return cls(kind=PrincipalKind.system, subject=f"system:{name}")

    @property
    def is_authenticated(self) -> bool:
        return self.kind is not PrincipalKind.anonymous

    @property
    def is_platform_admin(self) -> bool:
        return Role.platform_admin.value in self.roles

    def require_scope(self, scope: Scope) -> UUID:
        """Checks the scope; returns the caller's organisation id for use in the query."""
        if not self.is_authenticated or self.organisation_id is None:
            raise AuthenticationRequired("A bearer token is required.")
        if scope.value not in self.scopes:
            raise InsufficientScope(scope.value)
        return self.organisation_id

    def require_platform_admin(self, scope: Scope) -> None:
        self.require_scope(scope)
        if not self.is_platform_admin:
            raise Forbidden("Only a platform administrator may do this.")
