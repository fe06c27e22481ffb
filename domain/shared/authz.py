"""The one door to row access.

Repositories filter organisation-owned rows only through a `RowAccess`, which only this
module can make, so no query can forget the tenancy rule or make up its own.
"""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import ColumnElement, and_, false, or_

from domain.shared.errors import AuthenticationRequired, NotFound
from domain.shared.principal import Principal, PrincipalKind, Scope

_KEY = object()


class SharedRow(Protocol):
    """A row owned by one organisation and optionally shared with its programme."""

    organisation_id: UUID
    programme_id: UUID
    visibility: str


class RowAccess:
    """What one caller may see: its own organisation's rows and what its programmes share."""

    __slots__ = ("organisation_id", "programme_ids")

    def __init__(self, key: object, organisation_id: UUID, programme_ids: frozenset[UUID]) -> None:
        if key is not _KEY:
            raise TypeError("RowAccess is made by domain.shared.authz only")
        self.organisation_id = organisation_id
        self.programme_ids = programme_ids

    def shared_rows(self, model: Any) -> ColumnElement[bool]:
        """SQL condition for tables with organisation_id, programme_id and visibility."""
        shared: ColumnElement[bool] = (
            and_(model.visibility == "programme", model.programme_id.in_(self.programme_ids))
            if self.programme_ids
            else false()
        )
        return or_(model.organisation_id == self.organisation_id, shared)

    def can_see(self, row: SharedRow) -> bool:
        return row.organisation_id == self.organisation_id or (
            row.visibility == "programme" and row.programme_id in self.programme_ids
        )


def visible_to(principal: Principal, scope: Scope) -> RowAccess:
    organisation_id = principal.require_scope(scope)
    return RowAccess(_KEY, organisation_id, principal.programme_ids)


def require_owner(principal: Principal, scope: Scope, row: SharedRow, noun: str) -> UUID:
    """Only the owning organisation may change a row. Others get 404 if they cannot even see
    it, so existence does not leak, and 404 too if they can see it but not change it: a
    programme partner reading a shared record has no write path to it."""
    access = visible_to(principal, scope)
    if row.organisation_id != access.organisation_id:
        raise NotFound(f"No {noun} with that id.")
    return access.organisation_id


class DirectoryAccess:
    """What one caller may see of the partnership directory: the programmes its organisation
    belongs to, and the sites of its own organisation and of organisations sharing a programme
    with it. Platform administrators see everything. Organisations themselves are a public
    directory and need no filter. Repositories turn this into SQL; only this module makes one."""

    __slots__ = ("organisation_id", "programme_ids", "sees_everything")

    def __init__(
        self,
        key: object,
        organisation_id: UUID | None,
        programme_ids: frozenset[UUID],
        sees_everything: bool,
    ) -> None:
        if key is not _KEY:
            raise TypeError("DirectoryAccess is made by domain.shared.authz only")
        self.organisation_id = organisation_id
        self.programme_ids = programme_ids
        self.sees_everything = sees_everything

    def can_see_programme(self, programme_id: UUID) -> bool:
        return self.sees_everything or programme_id in self.programme_ids


def directory_visible_to(principal: Principal, scope: Scope | None) -> DirectoryAccess:
    """`scope=None` is for nested reads (a cycle's programme and site through a DataLoader):
    the caller was already allowed to read the parent object, so only a login is needed."""
    if scope is None:
        if not principal.is_authenticated:
            raise AuthenticationRequired("A bearer token is required.")
        organisation_id = principal.organisation_id
    else:
        organisation_id = principal.require_scope(scope)
    return DirectoryAccess(
        _KEY,
        organisation_id,
        principal.programme_ids,
        principal.is_platform_admin or principal.kind is PrincipalKind.system,
    )
