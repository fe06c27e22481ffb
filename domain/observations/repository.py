"""All SQL for observations. A batch is written with one INSERT over arrays (unnest), not
one statement per item, and reads for its references are one statement per kind."""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    String,
    and_,
    cast,
    func,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.implementation.models import CoreComponent, PracticeProfileVersion
from domain.observations.models import Observation, SyncChange
from domain.observations.schemas import ObservationFilters
from domain.shared.authz import RowAccess
from domain.shared.pagination import PageRequest


@dataclass(frozen=True)
class NewObservation:
    """One row to insert; the columns the batch does not share."""

    id: UUID
    programme_id: UUID
    kind: str
    observed_at: datetime
    cycle_id: UUID | None
    measure_id: UUID | None
    period: date | None
    value: float | None
    numerator: float | None
    denominator: float | None
    profile_version_id: UUID | None
    practitioner: str | None
    ratings: list[dict[str, str]] | None
    text: str
    tags: list[str]
    location_label: str | None
    content_hash: str


# The rows travel as one JSON document, unpacked by PostgreSQL: one parameter instead of
# seventeen arrays, whose element-by-element encoding in the driver cost more than the
# INSERT itself.
_INSERT = text(
    """
INSERT INTO observations (
    id, created_at, updated_at, created_by, version, organisation_id, programme_id, kind,
    observed_at, received_at, cycle_id, measure_id, period, value, numerator, denominator,
    profile_version_id, practitioner, ratings, text, tags, location_label, content_hash
)
SELECT u.id, :now, :now, :author, 1, :organisation_id, u.programme_id, u.kind,
       u.observed_at, :now, u.cycle_id, u.measure_id, u.period, u.value, u.numerator,
       u.denominator, u.profile_version_id, u.practitioner, u.ratings, u.text, u.tags,
       u.location_label, u.content_hash
FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS u(
    id uuid, programme_id uuid, kind text, observed_at timestamptz, cycle_id uuid,
    measure_id uuid, period date, value float8, numerator float8, denominator float8,
    profile_version_id uuid, practitioner text, ratings jsonb, text text, tags text[],
    location_label text, content_hash text
)
ORDER BY u.id
ON CONFLICT (id) DO NOTHING
RETURNING id
"""
)


_AUDIT = text(
    """
INSERT INTO audit_events (id, occurred_at, actor, client_id, organisation_id, action,
                          entity_type, entity_id, changes, request_id)
SELECT u.id, :now, :actor, :client_id, :organisation_id, 'create', :entity_type,
       u.entity_id, u.changes, :request_id
FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS u(id uuid, entity_id uuid, changes jsonb)
"""
)


def _uuid7s(count: int) -> list[UUID]:
    """`count` UUIDv7 ids (RFC 9562: 48-bit Unix milliseconds, version, 74 random bits)
    from one clock reading and one call for randomness: a batch's audit rows need 500 at
    once, and domain.shared.ids.new_id costs several microseconds apiece."""
    millis = time.time_ns() // 1_000_000
    noise = os.urandom(10 * count)
    head = (millis << 80) | (0x7 << 76)
    out = []
    for i in range(count):
        random = int.from_bytes(noise[10 * i : 10 * i + 10], "big")
        rand_a = (random >> 68) & 0xFFF
        rand_b = random & ((1 << 62) - 1)
        out.append(UUID(int=head | (rand_a << 64) | (0b10 << 62) | rand_b))
    return out


class ObservationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert_new(
        self,
        rows: Sequence[NewObservation],
        *,
        organisation_id: UUID,
        author: str,
        now: datetime,
    ) -> set[UUID]:
        """Inserts the rows whose id is new; returns those ids. An id already stored (or
        being stored by a concurrent transaction, which this waits for) is skipped, so two
        identical batches at once store each row once. Rows go in id order, so concurrent
        batches that overlap take their row locks in one order and cannot deadlock."""
        if not rows:
            return set()
        result = await self.session.execute(
            _INSERT,
            {
                "now": now,
                "author": author,
                "organisation_id": organisation_id,
                # Sorted in SQL (ORDER BY u.id) so overlapping batches lock in one order.
                "rows": orjson.dumps([vars(r) for r in rows], default=str).decode(),
            },
        )
        return {row[0] for row in result.all()}

    async def audit_created(
        self,
        entries: Sequence[tuple[UUID, dict[str, Any]]],
        *,
        now: datetime,
        actor: str,
        client_id: str | None,
        organisation_id: UUID | None,
        request_id: str | None,
        entity_type: str,
    ) -> None:
        """One audit row per created observation (the rows domain.audit.service.record
        writes), in one statement instead of one per row."""
        if not entries:
            return
        await self.session.execute(
            _AUDIT,
            {
                "now": now,
                "actor": actor,
                "client_id": client_id,
                "organisation_id": organisation_id,
                "request_id": request_id,
                "entity_type": entity_type,
                "rows": orjson.dumps(
                    [
                        {"id": audit_id, "entity_id": entity_id, "changes": changes}
                        for audit_id, (entity_id, changes) in zip(
                            _uuid7s(len(entries)), entries, strict=True
                        )
                    ],
                    default=str,  # the driver's own UUID type, for ids read from the database
                ).decode(),
            },
        )

    async def stored_for_comparison(self, ids: Sequence[UUID]) -> dict[UUID, Observation]:
        """Rows with these ids whoever wrote them: a resend is told apart from a clash by
        comparing owner and content. Only the outcome leaves the service, never another
        author's row."""
        if not ids:
            return {}
        rows = await self.session.scalars(select(Observation).where(col(Observation.id).in_(ids)))
        return {row.id: row for row in rows.all()}

    def _own(self, access: RowAccess, author: str) -> list[ColumnElement[bool]]:
        return [
            col(Observation.organisation_id) == access.organisation_id,
            col(Observation.created_by) == author,
            col(Observation.deleted_at).is_(None),
        ]

    async def get_own(
        self, access: RowAccess, author: str, observation_id: UUID, *, for_update: bool = False
    ) -> Observation | None:
        query = select(Observation).where(
            col(Observation.id) == observation_id, *self._own(access, author)
        )
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def get_many_own(
        self, access: RowAccess, author: str, ids: Sequence[UUID]
    ) -> list[Observation]:
        query = select(Observation).where(col(Observation.id).in_(ids), *self._own(access, author))
        return list((await self.session.scalars(query)).all())

    async def list_own(
        self, access: RowAccess, author: str, filters: ObservationFilters, page: PageRequest
    ) -> list[Observation]:
        query = select(Observation).where(*self._own(access, author))
        if filters.kind is not None:
            query = query.where(col(Observation.kind) == filters.kind.value)
        if filters.cycle_id is not None:
            query = query.where(col(Observation.cycle_id) == filters.cycle_id)
        if page.after is not None:
            query = query.where(col(Observation.id) < page.after)
        query = query.order_by(col(Observation.id).desc()).limit(page.limit + 1)
        return list((await self.session.scalars(query)).all())


class ProfileRepository:
    """Reads of practice-profile versions and their core components (the implementation
    area's tables), filtered by the caller's row access like every shared row."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def versions(
        self, access: RowAccess, ids: Sequence[UUID]
    ) -> dict[UUID, PracticeProfileVersion]:
        if not ids:
            return {}
        rows = await self.session.scalars(
            select(PracticeProfileVersion).where(
                col(PracticeProfileVersion.id).in_(ids),
                access.shared_rows(PracticeProfileVersion),
            )
        )
        return {row.id: row for row in rows.all()}

    async def components(self, version_ids: Sequence[UUID]) -> dict[UUID, list[CoreComponent]]:
        found: dict[UUID, list[CoreComponent]] = defaultdict(list)
        if not version_ids:
            return found
        rows = await self.session.scalars(
            select(CoreComponent)
            .where(col(CoreComponent.profile_version_id).in_(version_ids))
            .order_by(col(CoreComponent.profile_version_id), col(CoreComponent.position))
        )
        for row in rows.all():
            found[row.profile_version_id].append(row)
        return found

    async def component_ids(self, version_ids: Sequence[UUID]) -> dict[UUID, set[UUID]]:
        found: dict[UUID, set[UUID]] = defaultdict(set)
        if not version_ids:
            return found
        rows = await self.session.execute(
            select(col(CoreComponent.profile_version_id), col(CoreComponent.id)).where(
                col(CoreComponent.profile_version_id).in_(version_ids)
            )
        )
        for version_id, component_id in rows.all():
            found[version_id].add(component_id)
        return found


@dataclass(frozen=True)
class LoggedChange:
    seq: int
    xid: int
    entity_type: str
    entity_id: UUID


class SyncRepository:
    """Reads of the change log that the triggers of migration 0010 write."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def changes_after(
        self,
        *,
        after: tuple[int, int],
        shared_types: Sequence[str],
        access: RowAccess,
        author: str,
        limit: int,
    ) -> list[LoggedChange]:
        """Up to `limit` changes after `after` (xid, seq) that concern the caller, in
        (xid, seq) order, from finished transactions only: a change is taken only when its
        transaction is older than every transaction still running (the snapshot's xmin,
        read in the same statement), so a later page can never turn up a change that sorts
        before one already handed out. Shared rows concern the caller when they are its
        organisation's or were shared with one of its programmes before or after the
        change; observations when the caller wrote them."""
        relevant: list[ColumnElement[bool]] = [
            and_(
                col(SyncChange.entity_type) == "observation",
                col(SyncChange.organisation_id) == access.organisation_id,
                col(SyncChange.author) == author,
            )
        ]
        if shared_types:
            shared = [col(SyncChange.organisation_id) == access.organisation_id]
            if access.programme_ids:
                shared.append(
                    and_(
                        col(SyncChange.programme_id).in_(access.programme_ids),
                        or_(
                            col(SyncChange.old_visibility) == "programme",
                            col(SyncChange.new_visibility) == "programme",
                        ),
                    )
                )
            relevant.append(and_(col(SyncChange.entity_type).in_(shared_types), or_(*shared)))
        horizon = func.pg_snapshot_xmin(func.pg_current_snapshot())
        query = (
            select(
                col(SyncChange.seq),
                col(SyncChange.xid),
                col(SyncChange.entity_type),
                col(SyncChange.entity_id),
            )
            .where(
                tuple_(col(SyncChange.xid), col(SyncChange.seq)) > tuple_(after[0], after[1]),
                col(SyncChange.xid) < cast(cast(horizon, String), BigInteger),
                or_(*relevant),
            )
            .order_by(col(SyncChange.xid), col(SyncChange.seq))
            .limit(limit)
        )
        rows = await self.session.execute(query)
        return [LoggedChange(int(s or 0), int(x), t, i) for s, x, t, i in rows.all()]
