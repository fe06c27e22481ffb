"""The role table: every role is described, and what it grants follows from the table."""

from __future__ import annotations

from domain.identity.roles import (
    ROLE_NAMES,
    ROLE_PERMISSIONS,
    Action,
    RoleName,
    permits,
    permitted_scopes,
)
from domain.shared.principal import Role, Scope

WRITE_SCOPES = {s for s in Scope if s.value.endswith(":write")} | {Scope.admin}


def test_every_role_has_one_row() -> None:
    assert set(ROLE_PERMISSIONS) == set(RoleName)
    assert {r.value for r in RoleName} == ROLE_NAMES
    assert all(row.description for row in ROLE_PERMISSIONS.values())
    # The shared Role enum (used by clients) names only roles the table knows.
    assert {r.value for r in Role} <= ROLE_NAMES


def test_permitted_scopes_is_the_union_of_the_rows() -> None:
    for role, row in ROLE_PERMISSIONS.items():
        assert permitted_scopes([role.value]) == {s.value for s in row.scopes}
    pair = [RoleName.viewer.value, RoleName.coach.value]
    assert permitted_scopes(pair) == {
        s.value for r in pair for s in ROLE_PERMISSIONS[RoleName(r)].scopes
    }
    assert permitted_scopes([]) == frozenset()
    assert permitted_scopes(["emperor"]) == frozenset()  # unknown roles grant nothing


def test_the_shape_of_the_table() -> None:
    viewer = ROLE_PERMISSIONS[RoleName.viewer]
    assert not (viewer.scopes & WRITE_SCOPES)
    assert not viewer.actions
    # Everyone can read what they may see; only administrators administer.
    for role, row in ROLE_PERMISSIONS.items():
        assert viewer.scopes <= row.scopes, role
        assert (Scope.admin in row.scopes) == (
            role in {RoleName.org_admin, RoleName.platform_admin}
        )
    assert ROLE_PERMISSIONS[RoleName.platform_admin].scopes == frozenset(Scope)
    assert ROLE_PERMISSIONS[RoleName.platform_admin].actions == frozenset(Action)
    assert Scope.observations_write in ROLE_PERMISSIONS[RoleName.practitioner].scopes
    # Organisation-wide roles are not held per programme.
    assert not ROLE_PERMISSIONS[RoleName.org_admin].per_programme
    assert ROLE_PERMISSIONS[RoleName.team_member].per_programme


def test_actions() -> None:
    for role, row in ROLE_PERMISSIONS.items():
        for action in Action:
            assert permits([role.value], action) == (action in row.actions)
    assert permits(["org_admin"], Action.manage_org_users)
    assert not permits(["org_admin"], Action.manage_directory)
    assert not permits(["programme_lead"], Action.manage_org_users)
