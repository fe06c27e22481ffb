"""The one visibility rule, on rows in memory: the same answers the SQL condition gives
(the REST and search tests check the SQL side)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from domain.community.access import content_access
from domain.shared.principal import Principal, PrincipalKind

ORG, PARTNER, OUTSIDER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
PROGRAMME = uuid.uuid4()


@dataclass
class Row:
    visibility: str
    status: str
    organisation_id: uuid.UUID = ORG
    programme_id: uuid.UUID | None = PROGRAMME


def caller(org: uuid.UUID | None, scopes: set[str], programmes: set[uuid.UUID]) -> Principal:
    if org is None:
        return Principal.anonymous()
    return Principal(
        kind=PrincipalKind.client,
        subject=f"client:{org}",
        organisation_id=org,
        programme_ids=frozenset(programmes),
        scopes=frozenset(scopes),
    )


READ, WRITE = {"content:read"}, {"content:read", "content:write"}
CALLERS = {
    "anonymous": caller(None, set(), set()),
    "owner editor": caller(ORG, WRITE, {PROGRAMME}),
    "owner reader": caller(ORG, READ, {PROGRAMME}),
    "partner": caller(PARTNER, WRITE, {PROGRAMME}),
    "partner without content:read": caller(PARTNER, set(), {PROGRAMME}),
    "outsider": caller(OUTSIDER, WRITE, set()),
}
# visibility, status -> the callers who may read it
EXPECTED = {
    ("public", "published"): set(CALLERS),
    ("public", "archived"): set(CALLERS),
    ("programme", "published"): {"owner editor", "owner reader", "partner"},
    ("organisation", "published"): {"owner editor", "owner reader"},
    ("public", "draft"): {"owner editor"},
    ("programme", "draft"): {"owner editor"},
}


@pytest.mark.parametrize(("visibility", "status"), list(EXPECTED))
def test_who_reads_what(visibility: str, status: str) -> None:
    row = Row(visibility, status)
    readers = {name for name, p in CALLERS.items() if content_access(p).can_read(row)}
    assert readers == EXPECTED[(visibility, status)]


def test_only_the_owning_editor_edits() -> None:
    row = Row("public", "published")
    editors = {name for name, p in CALLERS.items() if content_access(p).can_edit(row)}
    assert editors == {"owner editor"}
    assert content_access(Principal.system()).can_edit(row)
