"""Delta sync down: what changed for the caller since its token.

The token is a position (transaction id, sequence) in the change log. Pages follow that
order and only take changes of finished transactions older than every running one, so a
change that commits late is behind no token already handed out: it is never skipped and
never sent twice (see SyncRepository.changes_after). Each change is sent as the record's
current state, or as a tombstone when the record was deleted or the caller may no longer
see it; tombstones go only to callers who could once see the record.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import orjson
from pydantic import BaseModel

from domain.implementation.repository import ImplementationRepository
from domain.improvement.measures.repository import MeasureRepository
from domain.improvement.measures.schemas import MeasureRead
from domain.improvement.repository import CycleRepository
from domain.improvement.schemas import CycleRead
from domain.observations.repository import (
    LoggedChange,
    ObservationRepository,
    ProfileRepository,
    SyncRepository,
)
from domain.observations.schemas import (
    ComponentRead,
    ObservationRead,
    ProfileVersionRead,
    SyncChangeRead,
    SyncEntity,
    SyncOp,
    SyncPage,
)
from domain.shared.authz import RowAccess, visible_to
from domain.shared.errors import FieldError, ValidationFailed
from domain.shared.principal import Principal, Scope
from domain.shared.uow import UnitOfWork

MAX_PAGE = 500
START = (0, 0)


def view_of(principal: Principal) -> str:
    """A fingerprint of what the caller may see of shared records: its organisation, its
    programmes and the kinds of record its scopes reach. Membership changes write nothing to
    the change log, so a token remembers the view it was issued for."""
    view = {
        "o": str(principal.organisation_id),
        "p": sorted(str(p) for p in principal.programme_ids),
        "t": _shared_types(principal),
    }
    return hashlib.sha256(orjson.dumps(view)).hexdigest()[:16]


def encode_token(position: tuple[int, int], view: str | None = None) -> str:
    fields: dict[str, Any] = {"x": position[0], "s": position[1]}
    if view is not None:
        fields["v"] = view
    raw = orjson.dumps(fields)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(
    token: str | None, *, location: str = "query"
) -> tuple[tuple[int, int], str | None]:
    """The position a token names and the view it was issued for (None: no token)."""
    if not token:
        return START, None
    try:
        padded = token + "=" * (-len(token) % 4)
        data = orjson.loads(base64.urlsafe_b64decode(padded))
        xid, seq = int(data["x"]), int(data["s"])
        view = data.get("v")
        if xid < 0 or seq < 0 or not (view is None or isinstance(view, str)):
            raise ValueError(token)
    except (
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        binascii.Error,
        orjson.JSONDecodeError,
    ):
        raise ValidationFailed(
            [FieldError("since", "is not a sync token this API issued", "invalid", location)]
        ) from None
    return (xid, seq), view


def _shared_types(principal: Principal) -> list[str]:
    types = []
    if Scope.cycles_read.value in principal.scopes:
        types += [SyncEntity.cycle.value, SyncEntity.measure.value]
    if Scope.implementation_read.value in principal.scopes:
        types.append(SyncEntity.practice_profile_version.value)
    return types


async def _current(
    uow: UnitOfWork,
    principal: Principal,
    access: RowAccess,
    wanted: dict[str, list[UUID]],
) -> dict[tuple[str, UUID], BaseModel]:
    """The records as they are now, for those the caller may still see (one statement per
    type, as each type's own list would filter them)."""
    found: dict[tuple[str, UUID], BaseModel] = {}
    session = uow.session
    if wanted.get(SyncEntity.cycle.value):
        for cycle in await CycleRepository(session).get_many_by_ids(
            access, wanted[SyncEntity.cycle.value]
        ):
            found[(SyncEntity.cycle.value, cycle.id)] = CycleRead.model_validate(cycle)
    if wanted.get(SyncEntity.measure.value):
        for measure in await MeasureRepository(session).get_many(
            access, wanted[SyncEntity.measure.value]
        ):
            found[(SyncEntity.measure.value, measure.id)] = MeasureRead.model_validate(measure)
    if wanted.get(SyncEntity.practice_profile_version.value):
        # The implementation area's own batch read, so its visibility rule applies.
        versions = await ImplementationRepository(session).profiles_by_ids(
            access, wanted[SyncEntity.practice_profile_version.value]
        )
        components = await ProfileRepository(session).components([v.id for v in versions])
        for version in versions:
            found[(SyncEntity.practice_profile_version.value, version.id)] = ProfileVersionRead(
                **{
                    name: getattr(version, name)
                    for name in ProfileVersionRead.model_fields
                    if name != "components"
                },
                components=[ComponentRead.model_validate(c) for c in components[version.id]],
            )
    if wanted.get(SyncEntity.observation.value):
        for observation in await ObservationRepository(session).get_many_own(
            access, principal.subject, wanted[SyncEntity.observation.value]
        ):
            found[(SyncEntity.observation.value, observation.id)] = ObservationRead.model_validate(
                observation
            )
    return found


def _last_of_each(changes: Sequence[LoggedChange]) -> list[LoggedChange]:
    """A record changed twice in one page is sent once, at its last change."""
    last = {(c.entity_type, c.entity_id): i for i, c in enumerate(changes)}
    return [c for i, c in enumerate(changes) if last[(c.entity_type, c.entity_id)] == i]


async def sync(
    uow: UnitOfWork,
    principal: Principal,
    since: str | None,
    *,
    limit: int = MAX_PAGE,
) -> SyncPage:
    """The caller's changes after `since` (none: from the beginning), at most `limit`."""
    access = visible_to(principal, Scope.observations_write)
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed(
            [FieldError("limit", f"must be between 1 and {MAX_PAGE}", "out_of_range", "query")]
        )
    after, issued_for = decode_token(since)
    view = view_of(principal)
    # The caller joined or left a programme (or its scopes changed) since this token: the
    # log cannot say what that made visible or invisible, so start again from the beginning
    # and tell the app to replace what it holds of shared records.
    reset = issued_for is not None and issued_for != view
    if reset:
        after = START
    logged = await SyncRepository(uow.session).changes_after(
        after=after,
        shared_types=_shared_types(principal),
        access=access,
        author=principal.subject,
        limit=limit + 1,
    )
    has_more = len(logged) > limit
    logged = logged[:limit]
    wanted: dict[str, list[UUID]] = {}
    for change in logged:
        wanted.setdefault(change.entity_type, []).append(change.entity_id)
    current = await _current(uow, principal, access, wanted)
    changes: list[SyncChangeRead] = []
    for change in _last_of_each(logged):
        record = current.get((change.entity_type, change.entity_id))
        body: dict[str, Any] | None = None if record is None else record.model_dump(mode="json")
        changes.append(
            SyncChangeRead(
                type=SyncEntity(change.entity_type),
                id=change.entity_id,
                op=SyncOp.delete if record is None else SyncOp.upsert,
                record=body,
            )
        )
    position = (logged[-1].xid, logged[-1].seq) if logged else after
    return SyncPage(
        changes=changes, next=encode_token(position, view), has_more=has_more, reset=reset
    )
