"""The one table that says what each role may do.

A person holds roles (optionally per programme or team); what an access token issued to
them may carry is the union of the scopes their roles permit, intersected with what the
client may ask for and what it did ask for. Actions are the few things beyond a scope that
the domain checks by role (administering people and clients, the directory, federation).
Tests read this table rather than restating it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from domain.shared.principal import Scope


class RoleName(StrEnum):
    viewer = "viewer"
    practitioner = "practitioner"
    coach = "coach"
    team_member = "team_member"
    programme_lead = "programme_lead"
    org_admin = "org_admin"
    platform_admin = "platform_admin"


class Action(StrEnum):
    """What a role may do beyond its scopes (checked in the domain, not by a scope)."""

    manage_org_users = "manage_org_users"  # the users of one's own organisation
    manage_org_clients = "manage_org_clients"  # the OAuth clients of one's own organisation
    manage_directory = "manage_directory"  # organisations and programmes
    manage_trusted_issuers = "manage_trusted_issuers"  # federation
    coach_teams = "coach_teams"  # comment on and support other organisations' teams
    lead_programme = "lead_programme"  # programme-wide content and membership


@dataclass(frozen=True)
class RolePermissions:
    scopes: frozenset[Scope]
    actions: frozenset[Action]
    # Held per programme or team (user_roles.programme_id / team_id), or organisation-wide.
    per_programme: bool
    description: str


_READ = frozenset(
    {Scope.cycles_read, Scope.implementation_read, Scope.content_read, Scope.tenancy_read}
)

ROLE_PERMISSIONS: Mapping[RoleName, RolePermissions] = MappingProxyType(
    {
        RoleName.viewer: RolePermissions(
            scopes=_READ,
            actions=frozenset(),
            per_programme=True,
            description="Reads what their organisation and programmes share",
        ),
        RoleName.practitioner: RolePermissions(
            scopes=_READ | {Scope.observations_write},
            actions=frozenset(),
            per_programme=True,
            description="Tests changes on the front line and records observations",
        ),
        RoleName.team_member: RolePermissions(
            scopes=_READ
            | {Scope.cycles_write, Scope.implementation_write, Scope.observations_write},
            actions=frozenset(),
            per_programme=True,
            description="Member of an implementation team: runs cycles, records progress",
        ),
        RoleName.coach: RolePermissions(
            scopes=_READ | {Scope.observations_write, Scope.content_write},
            actions=frozenset({Action.coach_teams}),
            per_programme=True,
            description="Programme staff who coach implementation teams",
        ),
        RoleName.programme_lead: RolePermissions(
            scopes=_READ
            | {
                Scope.cycles_write,
                Scope.implementation_write,
                Scope.observations_write,
                Scope.content_write,
            },
            actions=frozenset({Action.coach_teams, Action.lead_programme}),
            per_programme=True,
            description="Leads a programme: its teams, content and measures",
        ),
        RoleName.org_admin: RolePermissions(
            scopes=_READ | {Scope.admin},
            actions=frozenset({Action.manage_org_users, Action.manage_org_clients}),
            per_programme=False,
            description="Administers their own organisation's users and clients",
        ),
        RoleName.platform_admin: RolePermissions(
            scopes=frozenset(Scope),
            actions=frozenset(Action),
            per_programme=False,
            description="Operates the hub: organisations, programmes, federation",
        ),
    }
)

ROLE_NAMES = frozenset(r.value for r in RoleName)


def _known(roles: Iterable[str]) -> list[RoleName]:
    # An unknown role string (say, from an older release) grants nothing rather than failing.
    return [RoleName(r) for r in roles if r in ROLE_NAMES]


def permitted_scopes(roles: Iterable[str]) -> frozenset[str]:
    """The scopes a person holding these roles may have in a token."""
    return frozenset(s.value for r in _known(roles) for s in ROLE_PERMISSIONS[r].scopes)


def permits(roles: Iterable[str], action: Action) -> bool:
    return any(action in ROLE_PERMISSIONS[r].actions for r in _known(roles))
