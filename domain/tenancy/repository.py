"""All SQL for organisations, programmes and sites."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, delete, false, func, literal, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.identity.models import OAuthClient
from domain.improvement.models import Cycle
from domain.shared.authz import DirectoryAccess
from domain.shared.errors import Conflict
from domain.shared.pagination import PageRequest
from domain.tenancy.models import Organisation, Programme, ProgrammeMember, Site, SiteKind
from domain.tenancy.schemas import OrganisationFilters, SiteFilters

UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"


def _programme_visible(access: DirectoryAccess) -> ColumnElement[bool]:
    if access.sees_everything:
        return true()
    if not access.programme_ids:
        return false()
    return col(Programme.id).in_(access.programme_ids)


def _site_visible(access: DirectoryAccess) -> ColumnElement[bool]:
    """Sites of the caller's organisation and of organisations sharing a programme with it."""
    if access.sees_everything:
        return true()
    conditions: list[ColumnElement[bool]] = []
    if access.organisation_id is not None:
        conditions.append(col(Site.organisation_id) == access.organisation_id)
    if access.programme_ids:
        partners = select(col(ProgrammeMember.organisation_id)).where(
            col(ProgrammeMember.programme_id).in_(access.programme_ids)
        )
        conditions.append(col(Site.organisation_id).in_(partners))
    return or_(false(), *conditions)


class TenancyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: Organisation | Programme | ProgrammeMember | Site) -> None:
        self.session.add(row)

    async def flush(self, *, duplicate: str, in_use: str = "") -> None:
        """Flush, turning constraint violations into a domain Conflict (never a 500):
        a unique name taken, or a row still referenced (or gone) under a foreign key."""
        try:
            await self.session.flush()
        except IntegrityError as exc:
            sqlstate = getattr(exc.orig, "sqlstate", None)
            if sqlstate == UNIQUE_VIOLATION:
                raise Conflict(duplicate) from exc
            if sqlstate == FOREIGN_KEY_VIOLATION:
                raise Conflict(
                    in_use or "A record this change depends on changed meanwhile; retry."
                ) from exc
            raise

    async def delete(self, row: Organisation | Programme | Site, *, in_use: str) -> None:
        await self.session.delete(row)
        await self.flush(duplicate=in_use, in_use=in_use)

    # Memberships, as read by other areas

    async def programme_ids_of(self, organisation_id: UUID) -> frozenset[UUID]:
        rows = await self.session.scalars(
            select(col(ProgrammeMember.programme_id)).where(
                col(ProgrammeMember.organisation_id) == organisation_id
            )
        )
        return frozenset(rows.all())

    async def site_in_programme(self, site_id: UUID, programme_id: UUID) -> bool:
        """A site may carry a programme's records when a member organisation owns it."""
        query = (
            select(col(Site.id))
            .join(
                ProgrammeMember, col(ProgrammeMember.organisation_id) == col(Site.organisation_id)
            )
            .where(col(Site.id) == site_id, col(ProgrammeMember.programme_id) == programme_id)
        )
        return (await self.session.scalar(query)) is not None

    # Organisations: a public directory, so no visibility filter

    async def get_organisation(
        self, organisation_id: UUID, *, for_update: bool = False
    ) -> Organisation | None:
        query = select(Organisation).where(col(Organisation.id) == organisation_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def organisations_by_ids(self, ids: Sequence[UUID]) -> list[Organisation]:
        rows = await self.session.scalars(select(Organisation).where(col(Organisation.id).in_(ids)))
        return list(rows.all())

    async def existing_organisation_ids(self, ids: Sequence[UUID]) -> set[UUID]:
        rows = await self.session.scalars(
            select(col(Organisation.id)).where(col(Organisation.id).in_(ids))
        )
        return set(rows.all())

    async def list_organisations(
        self, filters: OrganisationFilters, page: PageRequest
    ) -> list[Organisation]:
        query = select(Organisation)
        if filters.kind is not None:
            query = query.where(col(Organisation.kind) == filters.kind.value)
        if page.after is not None:
            query = query.where(col(Organisation.id) < page.after)
        query = query.order_by(col(Organisation.id).desc()).limit(page.limit + 1)
        return list((await self.session.scalars(query)).all())

    async def organisation_references(self, organisation_id: UUID) -> dict[str, int]:
        """How many rows still point at an organisation, by what they are."""

        def count(model: Any, column: Any) -> Any:
            return (
                select(func.count())
                .select_from(model)
                .where(column == organisation_id)
                .scalar_subquery()
            )

        row = (
            await self.session.execute(
                select(
                    count(OAuthClient, col(OAuthClient.organisation_id)),
                    count(Site, col(Site.organisation_id)),
                    count(Cycle, col(Cycle.organisation_id)),
                    count(Programme, col(Programme.lead_organisation_id)),
                    count(ProgrammeMember, col(ProgrammeMember.organisation_id)),
                )
            )
        ).one()
        names = ("clients", "sites", "cycles", "programmes led", "programme memberships")
        return dict(zip(names, (int(n) for n in row), strict=True))

    # Programmes

    async def get_programme(
        self, access: DirectoryAccess, programme_id: UUID, *, for_update: bool = False
    ) -> Programme | None:
        query = select(Programme).where(
            col(Programme.id) == programme_id, _programme_visible(access)
        )
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def programmes_by_ids(
        self, access: DirectoryAccess, ids: Sequence[UUID]
    ) -> list[Programme]:
        rows = await self.session.scalars(
            select(Programme).where(col(Programme.id).in_(ids), _programme_visible(access))
        )
        return list(rows.all())

    async def list_programmes(self, access: DirectoryAccess, page: PageRequest) -> list[Programme]:
        query = select(Programme).where(_programme_visible(access))
        if page.after is not None:
            query = query.where(col(Programme.id) < page.after)
        query = query.order_by(col(Programme.id).desc()).limit(page.limit + 1)
        return list((await self.session.scalars(query)).all())

    async def member_ids(self, programme_ids: Sequence[UUID]) -> dict[UUID, list[UUID]]:
        rows = await self.session.execute(
            select(col(ProgrammeMember.programme_id), col(ProgrammeMember.organisation_id))
            .where(col(ProgrammeMember.programme_id).in_(programme_ids))
            .order_by(col(ProgrammeMember.organisation_id))
        )
        found: dict[UUID, list[UUID]] = defaultdict(list)
        for programme_id, organisation_id in rows.all():
            found[programme_id].append(organisation_id)
        return {p: found.get(p, []) for p in programme_ids}

    async def members_by_programme(
        self, programme_ids: Sequence[UUID]
    ) -> dict[UUID, list[Organisation]]:
        rows = await self.session.execute(
            select(col(ProgrammeMember.programme_id), Organisation)
            .join(Organisation, col(Organisation.id) == col(ProgrammeMember.organisation_id))
            .where(col(ProgrammeMember.programme_id).in_(programme_ids))
            .order_by(col(Organisation.name))
        )
        found: dict[UUID, list[Organisation]] = defaultdict(list)
        for programme_id, organisation in rows.all():
            found[programme_id].append(organisation)
        return {p: found.get(p, []) for p in programme_ids}

    async def list_members(
        self, programme_id: UUID, page: PageRequest
    ) -> list[tuple[ProgrammeMember, Organisation]]:
        query = (
            select(ProgrammeMember, Organisation)
            .join(Organisation, col(Organisation.id) == col(ProgrammeMember.organisation_id))
            .where(col(ProgrammeMember.programme_id) == programme_id)
        )
        if page.after is not None:
            query = query.where(col(ProgrammeMember.organisation_id) < page.after)
        query = query.order_by(col(ProgrammeMember.organisation_id).desc()).limit(page.limit + 1)
        return [
            (member, organisation)
            for member, organisation in (await self.session.execute(query)).all()
        ]

    async def get_member(self, programme_id: UUID, organisation_id: UUID) -> ProgrammeMember | None:
        return await self.session.get(ProgrammeMember, (programme_id, organisation_id))

    async def remove_member(self, programme_id: UUID, organisation_id: UUID) -> None:
        await self.session.execute(
            delete(ProgrammeMember).where(
                col(ProgrammeMember.programme_id) == programme_id,
                col(ProgrammeMember.organisation_id) == organisation_id,
            )
        )

    async def programme_cycle_count(self, programme_id: UUID) -> int:
        """Every cycle of a programme, deleted ones too: they keep the row referenced."""
        query = (
            select(func.count()).select_from(Cycle).where(col(Cycle.programme_id) == programme_id)
        )
        return int(await self.session.scalar(query) or 0)

    async def member_cycle_count(self, programme_id: UUID, organisation_id: UUID) -> int:
        """Live cycles of a programme that an organisation owns or that sit at its sites:
        they would lose sight of their programme or site if it left."""
        own_sites = select(col(Site.id)).where(col(Site.organisation_id) == organisation_id)
        query = (
            select(func.count())
            .select_from(Cycle)
            .where(
                col(Cycle.programme_id) == programme_id,
                col(Cycle.deleted_at).is_(None),
                or_(
                    col(Cycle.organisation_id) == organisation_id,
                    col(Cycle.site_id).in_(own_sites),
                ),
            )
        )
        return int(await self.session.scalar(query) or 0)

    # Sites

    async def get_site(
        self, access: DirectoryAccess, site_id: UUID, *, for_update: bool = False
    ) -> Site | None:
        query = select(Site).where(col(Site.id) == site_id, _site_visible(access))
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def sites_by_ids(self, access: DirectoryAccess, ids: Sequence[UUID]) -> list[Site]:
        rows = await self.session.scalars(
            select(Site).where(col(Site.id).in_(ids), _site_visible(access))
        )
        return list(rows.all())

    async def list_sites(
        self, access: DirectoryAccess, filters: SiteFilters, page: PageRequest
    ) -> list[Site]:
        query = select(Site).where(_site_visible(access))
        if filters.organisation_id is not None:
            query = query.where(col(Site.organisation_id) == filters.organisation_id)
        if filters.parent_id is not None:
            query = query.where(col(Site.parent_id) == filters.parent_id)
        if filters.kind is not None:
            query = query.where(col(Site.kind) == filters.kind.value)
        if page.after is not None:
            query = query.where(col(Site.id) < page.after)
        query = query.order_by(col(Site.id).desc()).limit(page.limit + 1)
        return list((await self.session.scalars(query)).all())

    async def ancestor_ids(self, site_id: UUID) -> frozenset[UUID]:
        """Every site above `site_id`, up to its root (a recursive walk up parent_id)."""
        up = (
            select(col(Site.parent_id).label("id"), literal(1).label("depth"))
            .where(col(Site.id) == site_id)
            .cte("ancestors", recursive=True)
        )
        # The depth bound stops a walk round a cycle made by hand in the database.
        up = up.union_all(
            select(col(Site.parent_id), up.c.depth + 1).where(
                col(Site.id) == up.c.id, up.c.depth < 1000
            )
        )
        rows = await self.session.scalars(select(up.c.id).where(up.c.id.is_not(None)))
        return frozenset(rows.all())

    async def child_kinds(self, site_id: UUID) -> frozenset[SiteKind]:
        rows = await self.session.scalars(
            select(col(Site.kind)).where(col(Site.parent_id) == site_id).distinct()
        )
        return frozenset(SiteKind(kind) for kind in rows.all())

    async def sibling_name_taken(
        self, organisation_id: UUID, parent_id: UUID | None, name: str, *, except_id: UUID | None
    ) -> bool:
        # A friendly early refusal; the unique constraint (NULLS NOT DISTINCT, so it covers
        # roots too) is what holds when two writers pass this check at once.
        query = select(col(Site.id)).where(
            col(Site.organisation_id) == organisation_id,
            col(Site.parent_id).is_not_distinct_from(parent_id),
            col(Site.name) == name,
        )
        if except_id is not None:
            query = query.where(col(Site.id) != except_id)
        return (await self.session.scalar(query.limit(1))) is not None

    async def site_references(self, site_id: UUID) -> dict[str, int]:
        row = (
            await self.session.execute(
                select(
                    select(func.count())
                    .select_from(Site)
                    .where(col(Site.parent_id) == site_id)
                    .scalar_subquery(),
                    select(func.count())
                    .select_from(Cycle)
                    .where(col(Cycle.site_id) == site_id)
                    .scalar_subquery(),
                )
            )
        ).one()
        return {"child sites": int(row[0]), "cycles": int(row[1])}
