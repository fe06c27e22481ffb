"""Use cases for the glossary. Terms are public by default; the seeded vocabulary belongs to
no organisation and only platform administrators (with content:write) change it."""

from __future__ import annotations

from uuid import UUID

from domain.audit import service as audit
from domain.community.access import ContentAccess, content_access, content_editor
from domain.community.common import check_version, programme_error, snapshot
from domain.community.conceal import conceal_links
from domain.community.glossary_seed import seed_rows, slugify
from domain.community.markdown import render
from domain.community.models import GlossaryTerm
from domain.community.repository import CommunityRepository, insert_glossary_terms
from domain.community.schemas import GlossaryTermCreate, GlossaryTermRead, GlossaryTermUpdate
from domain.shared.errors import Conflict, FieldError, NotFound, ValidationFailed
from domain.shared.ids import utcnow
from domain.shared.pagination import Page, page_request
from domain.shared.principal import Principal
from domain.shared.uow import UnitOfWork

ENTITY = "glossary_term"


async def seed_glossary(uow: UnitOfWork) -> int:
    """Adds the seeded vocabulary where its slugs are free; returns how many terms it added.
    Commits."""
    added = await insert_glossary_terms(uow.session, seed_rows())
    await uow.commit()
    return added


def _can_edit(access: ContentAccess, principal: Principal, term: GlossaryTerm) -> bool:
    if term.organisation_id is None:
        return access.everything or (access.writer and principal.is_platform_admin)
    return access.can_edit(term)


async def create_term(
    uow: UnitOfWork, principal: Principal, data: GlossaryTermCreate
) -> GlossaryTerm:
    access = content_editor(principal)
    slug = slugify(data.term)
    repo = CommunityRepository(uow.session)
    errors: list[FieldError] = []
    problem = programme_error(access, data.programme_id)
    if problem is not None:
        errors.append(problem)
    if data.visibility.value == "programme" and data.programme_id is None:
        errors.append(FieldError("/visibility", "programme visibility needs a programme_id"))
    if errors:
        raise ValidationFailed(errors)
    if await repo.slug_taken(slug):
        raise Conflict(f"The glossary already has '{slug}'.")
    term = GlossaryTerm(
        organisation_id=access.organisation_id,
        programme_id=data.programme_id,
        visibility=data.visibility.value,
        slug=slug,
        term=data.term,
        definition=data.definition,
        definition_html=render(data.definition),
        aliases=list(data.aliases),
        alias_text=" ".join(data.aliases),
        related=[slugify(r) for r in data.related],
        created_by=principal.subject,
    )
    repo.add(term)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="create",
        entity_type=ENTITY,
        entity_id=term.id,
        changes=snapshot(GlossaryTermRead, term),
    )
    await uow.commit()
    return term


async def get_term(uow: UnitOfWork, principal: Principal, slug_or_id: str) -> GlossaryTerm:
    access = content_access(principal)
    repo = CommunityRepository(uow.session)
    try:
        term = await repo.get(GlossaryTerm, access, UUID(slug_or_id))
    except ValueError:
        term = await repo.glossary_by_slug(access, slug_or_id)
    if term is None:
        raise NotFound("No glossary term with that slug or id.")
    await conceal_links(uow, principal, access, [term])
    return term


async def terms_by_slugs(
    uow: UnitOfWork, principal: Principal, slugs: list[str]
) -> dict[str, GlossaryTerm]:
    access = content_access(principal)
    repo = CommunityRepository(uow.session)
    found: dict[str, GlossaryTerm] = {}
    rows = await repo.terms_by_slugs(access, slugs)
    await conceal_links(uow, principal, access, rows)
    for row in rows:
        found[row.slug] = row
    return found


async def list_terms(
    uow: UnitOfWork,
    principal: Principal,
    *,
    q: str | None,
    limit: int | None,
    cursor: str | None,
    location: str = "query",
) -> Page[GlossaryTerm]:
    """Alphabetical pages; with `q`, one page of the closest matches (typos tolerated)."""
    from domain.community import cursors

    request = page_request(limit, None, location=location)
    after = cursors.decode(cursor, ("slug",), location=location).get("slug")
    access = content_access(principal)
    rows = await CommunityRepository(uow.session).list_glossary(access, q, after, request.limit)
    await conceal_links(uow, principal, access, rows)
    if q is None and len(rows) > request.limit:
        rows = rows[: request.limit]
        return Page(rows, cursor_after(rows[-1]))
    return Page(rows, None)


def cursor_after(term: GlossaryTerm) -> str:
    """The cursor of the page that follows this term in the alphabetical list."""
    from domain.community import cursors

    return cursors.encode({"slug": term.slug})


async def update_term(
    uow: UnitOfWork,
    principal: Principal,
    term_id: UUID,
    data: GlossaryTermUpdate,
    *,
    expected_version: int,
) -> GlossaryTerm:
    access = content_editor(principal)
    repo = CommunityRepository(uow.session)
    term = await repo.get(GlossaryTerm, access, term_id, for_update=True)
    if term is None or not _can_edit(access, principal, term):
        raise NotFound("No glossary term with that id.")
    check_version(term, expected_version, ENTITY)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if changes.get("visibility") == "programme" and term.programme_id is None:
        raise ValidationFailed(
            [FieldError("/visibility", "programme visibility needs a programme")]
        )
    before = snapshot(GlossaryTermRead, term)
    if "term" in changes:
        slug = slugify(changes["term"])
        if await repo.slug_taken(slug, except_id=term.id):
            raise Conflict(f"The glossary already has '{slug}'.")
        term.slug = slug
    for name, value in changes.items():
        setattr(term, name, value)
    if "definition" in changes:
        term.definition_html = render(term.definition)
    if "aliases" in changes:
        term.alias_text = " ".join(term.aliases)
    if "related" in changes:
        term.related = [slugify(r) for r in term.related]
    changed = audit.diff(before, snapshot(GlossaryTermRead, term))
    if changed:
        term.version += 1
        term.updated_at = utcnow()
        await uow.session.flush()
        audit.record(
            uow, principal, action="update", entity_type=ENTITY, entity_id=term.id, changes=changed
        )
        await uow.commit()
    return term
