"""The site tree rules, as pure functions."""

from __future__ import annotations

from uuid import UUID

from domain.shared.ids import new_id
from domain.tenancy.models import SiteKind
from domain.tenancy.rules import ParentSite, null_errors, site_tree_errors

ORG = new_id()


def parent(kind: SiteKind, org: UUID = ORG, above: frozenset[UUID] = frozenset()) -> ParentSite:
    return ParentSite(id=new_id(), kind=kind, organisation_id=org, ancestor_ids=above)


def codes(kind: SiteKind, up: ParentSite | None, **kwargs: object) -> list[tuple[str, str]]:
    errors = site_tree_errors(
        site_id=kwargs.get("site_id"),  # type: ignore[arg-type]
        organisation_id=ORG,
        kind=kind,
        parent_id=up.id if up else kwargs.get("parent_id"),  # type: ignore[arg-type]
        parent=up,
        child_kinds=kwargs.get("children", ()),  # type: ignore[arg-type]
    )
    return [(e.pointer, e.code) for e in errors]


def test_allowed_placements() -> None:
    assert codes(SiteKind.area, None) == []
    assert codes(SiteKind.locality, parent(SiteKind.area)) == []
    assert codes(SiteKind.setting, parent(SiteKind.locality)) == []
    assert codes(SiteKind.setting, parent(SiteKind.area)) == []
    # Localities and settings may also stand alone (a school outside any area).
    assert codes(SiteKind.locality, None) == []
    assert codes(SiteKind.setting, None) == []


def test_refused_placements() -> None:
    assert codes(SiteKind.area, parent(SiteKind.area)) == [("/parent_id", "site_tree")]
    assert codes(SiteKind.locality, parent(SiteKind.locality)) == [("/parent_id", "site_tree")]
    assert codes(SiteKind.locality, parent(SiteKind.setting)) == [("/parent_id", "site_tree")]
    assert codes(SiteKind.setting, parent(SiteKind.setting)) == [("/parent_id", "site_tree")]
    assert codes(SiteKind.locality, parent(SiteKind.area, org=new_id())) == [
        ("/parent_id", "site_tree")
    ]
    assert codes(SiteKind.setting, None, parent_id=new_id()) == [("/parent_id", "not_found")]


def test_no_cycles() -> None:
    me = new_id()
    below_me = parent(SiteKind.area, above=frozenset({me}))
    assert codes(SiteKind.locality, below_me, site_id=me) == [("/parent_id", "cycle")]
    itself = ParentSite(id=me, kind=SiteKind.area, organisation_id=ORG, ancestor_ids=frozenset())
    assert codes(SiteKind.locality, itself, site_id=me) == [("/parent_id", "cycle")]


def test_children_must_still_fit() -> None:
    assert codes(SiteKind.locality, None, children=[SiteKind.setting]) == []
    assert codes(SiteKind.setting, None, children=[SiteKind.setting]) == [("/kind", "site_tree")]
    assert codes(SiteKind.locality, None, children=[SiteKind.locality]) == [("/kind", "site_tree")]


def test_null_errors() -> None:
    assert null_errors({"name": None, "parent_id": None}, frozenset({"parent_id"})) == [
        null_errors({"name": None})[0]
    ]
    assert null_errors({"name": "x"}) == []
