"""The one rule for who may see community content. Every list, read, search result, snippet,
count, feed and calendar goes through a `ContentAccess`, which only this module makes.

It lives here rather than in domain/shared/authz.py because it is community-specific (public
content, anonymous callers, drafts, moderation); it follows authz's pattern (an object nobody
else can forge, turned into SQL by its own methods).

The rule:
- `public` published content: anyone, anonymous callers included.
- `programme` published content: callers holding `content:read` whose organisation belongs to
  the owning programme.
- `organisation` content: the owning organisation (with `content:read`).
- Drafts, whatever their visibility: only editors, i.e. the owning organisation with
  `content:write`.
- Archived content stays readable by id to the same audience as when it was published (old
  links keep working and say "archived"), but lists leave it out unless asked, and search,
  feeds and calendars never show it.
- A hidden thread or post: only the community's moderators and its author.
The operator's own system principal (CLI, demo seed) sees everything.
"""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import ColumnElement, and_, or_, true

from domain.shared.principal import Principal, PrincipalKind, Scope

_KEY = object()


class OwnedContent(Protocol):
    organisation_id: Any
    programme_id: Any
    visibility: str


class ContentAccess:
    __slots__ = ("everything", "organisation_id", "programme_ids", "reader", "subject", "writer")

    def __init__(
        self,
        key: object,
        *,
        subject: str | None,
        organisation_id: UUID | None,
        programme_ids: frozenset[UUID],
        reader: bool,
        writer: bool,
        everything: bool,
    ) -> None:
        if key is not _KEY:
            raise TypeError("ContentAccess is made by domain.community.access only")
        self.subject = subject
        self.organisation_id = organisation_id
        self.programme_ids = programme_ids
        self.reader = reader  # content:read: more than public content
        self.writer = writer  # content:write: drafts of the caller's own organisation
        self.everything = everything

    # -- SQL ------------------------------------------------------------------------------

    def readable(self, model: Any) -> ColumnElement[bool]:
        """Rows of `model` (organisation_id, programme_id, visibility, optional status) the
        caller may read."""
        if self.everything:
            return true()
        status = getattr(model, "status", None)
        released: ColumnElement[bool] = true() if status is None else status != "draft"
        audience: list[ColumnElement[bool]] = [model.visibility == "public"]
        if self.reader and self.organisation_id is not None:
            audience.append(model.organisation_id == self.organisation_id)
            if self.programme_ids:
                audience.append(
                    and_(
                        model.visibility == "programme",
                        model.programme_id.in_(self.programme_ids),
                    )
                )
        condition: ColumnElement[bool] = and_(released, or_(*audience))
        if status is not None and self.writer and self.organisation_id is not None:
            condition = or_(condition, model.organisation_id == self.organisation_id)
        return condition

    def listed(self, model: Any, statuses: frozenset[str] | None = None) -> ColumnElement[bool]:
        """Readable and, for lists, in one of `statuses` (default: not archived)."""
        status = getattr(model, "status", None)
        if status is None:
            return self.readable(model)
        wanted = statuses or frozenset({"draft", "published"})
        return and_(self.readable(model), status.in_(sorted(wanted)))

    def discoverable(self, model: Any) -> ColumnElement[bool]:
        """For search, feeds and calendars: readable and published."""
        status = getattr(model, "status", None)
        if status is None:
            return self.readable(model)
        return and_(self.readable(model), status == "published")

    def unhidden(self, model: Any, moderator_of: ColumnElement[bool] | None) -> ColumnElement[bool]:
        """Threads or posts: hidden ones only for their author and the moderators."""
        if self.everything:
            return true()
        shown: list[ColumnElement[bool]] = [model.hidden_at.is_(None)]
        if self.subject is not None:
            shown.append(model.created_by == self.subject)
        if moderator_of is not None:
            shown.append(moderator_of)
        return or_(*shown)

    # -- Python, for one row already loaded -------------------------------------------

    def can_read(self, row: OwnedContent) -> bool:
        if self.everything:
            return True
        status = getattr(row, "status", "published")
        own = self.organisation_id is not None and row.organisation_id == self.organisation_id
        if status == "draft":
            return own and self.writer
        if row.visibility == "public":
            return True
        if not self.reader:
            return False
        return own or (row.visibility == "programme" and row.programme_id in self.programme_ids)

    def can_edit(self, row: OwnedContent) -> bool:
        """Editors: the owning organisation, with content:write."""
        return self.everything or (
            self.writer
            and self.organisation_id is not None
            and row.organisation_id == self.organisation_id
        )

    def can_see_hidden(self, author: str, is_moderator: bool) -> bool:
        return self.everything or is_moderator or author == self.subject

    def in_programme(self, programme_id: UUID) -> bool:
        return self.everything or programme_id in self.programme_ids


def content_access(principal: Principal) -> ContentAccess:
    """What the caller may read. Anonymous callers and tokens without content:read see
    public content only."""
    everything = principal.kind is PrincipalKind.system
    authenticated = principal.is_authenticated and principal.organisation_id is not None
    return ContentAccess(
        _KEY,
        subject=principal.subject if principal.is_authenticated else None,
        organisation_id=principal.organisation_id if authenticated else None,
        programme_ids=principal.programme_ids if authenticated else frozenset(),
        reader=authenticated and Scope.content_read.value in principal.scopes,
        writer=authenticated and Scope.content_write.value in principal.scopes,
        everything=everything,
    )


def content_editor(principal: Principal) -> ContentAccess:
    """For writes: a token with content:write (401/403 otherwise), then the same rule."""
    if principal.kind is not PrincipalKind.system:
        principal.require_scope(Scope.content_write)
    return content_access(principal)
