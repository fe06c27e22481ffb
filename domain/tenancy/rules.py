"""Pure rules about organisations, programmes and the site tree."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.shared.errors import FieldError
from domain.tenancy.models import SiteKind

# What a site of each kind may sit under. A locality or setting may also be a root (a
# standalone school, say); an area never has a parent.
ALLOWED_PARENTS: dict[SiteKind, frozenset[SiteKind]] = {
    SiteKind.area: frozenset(),
    SiteKind.locality: frozenset({SiteKind.area}),
    SiteKind.setting: frozenset({SiteKind.locality, SiteKind.area}),
}


def _a(kind: SiteKind) -> str:
    return f"{'an' if kind.value[0] in 'aeiou' else 'a'} {kind.value}"


def null_errors(
    changes: dict[str, Any], nullable: frozenset[str] = frozenset()
) -> list[FieldError]:
    """A PATCH may clear only nullable fields; every other field needs a value when sent."""
    return [
        FieldError(f"/{name}", "may not be null", "null_not_allowed")
        for name, value in changes.items()
        if value is None and name not in nullable
    ]


@dataclass(frozen=True)
class ParentSite:
    """What the tree rules need to know about a proposed parent."""

    id: UUID
    kind: SiteKind
    organisation_id: UUID
    ancestor_ids: frozenset[UUID]  # every site above the parent, up to its root


def site_tree_errors(
    *,
    site_id: UUID | None,
    organisation_id: UUID,
    kind: SiteKind,
    parent_id: UUID | None,
    parent: ParentSite | None,
    child_kinds: Iterable[SiteKind] = (),
) -> list[FieldError]:
    """Errors for placing a site of `kind` under `parent_id` (None: a root). `parent` is None
    when `parent_id` names no site; `site_id` is None for a site not yet created."""
    errors: list[FieldError] = []
    if parent_id is not None:
        if parent is None:
            errors.append(FieldError("/parent_id", "is not a site", "not_found"))
        elif kind is SiteKind.area:
            errors.append(FieldError("/parent_id", "an area has no parent site", "site_tree"))
        elif site_id is not None and (parent_id == site_id or site_id in parent.ancestor_ids):
            errors.append(
                FieldError(
                    "/parent_id", "would put the site inside itself (a cycle in the tree)", "cycle"
                )
            )
        elif parent.kind not in ALLOWED_PARENTS[kind]:
            allowed = " or ".join(_a(k) for k in sorted(ALLOWED_PARENTS[kind]))
            errors.append(
                FieldError(
                    "/parent_id",
                    f"{_a(kind)}'s parent must be {allowed}, not {_a(parent.kind)}",
                    "site_tree",
                )
            )
        elif parent.organisation_id != organisation_id:
            errors.append(
                FieldError(
                    "/parent_id", "belongs to another organisation than this site", "site_tree"
                )
            )
    for child in sorted(set(child_kinds)):
        if kind not in ALLOWED_PARENTS[child]:
            errors.append(
                FieldError(
                    "/kind",
                    f"this site has {child.value} children, which cannot sit under a {kind.value}",
                    "site_tree",
                )
            )
    return errors
