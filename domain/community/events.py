"""Use cases for events (community-of-practice sessions), their attendance and the iCalendar
feed of a community's events."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from domain.audit import service as audit
from domain.community import cursors
from domain.community.access import content_access, content_editor
from domain.community.common import editable, readable, snapshot
from domain.community.conceal import conceal_links
from domain.community.markdown import render
from domain.community.models import Community, Event, EventAttendance
from domain.community.repository import CommunityRepository
from domain.community.schemas import (
    AttendanceSet,
    AttendanceSummary,
    EventCreate,
    EventRead,
    EventUpdate,
)
from domain.shared.errors import FieldError, ValidationFailed
from domain.shared.ids import utcnow
from domain.shared.pagination import Page, page_request
from domain.shared.principal import Principal
from domain.shared.uow import UnitOfWork

ENTITY = "event"
MARKDOWN_FIELDS = ("agenda", "notes", "key_learning")
CALENDAR_LIMIT = 500
When = Literal["upcoming", "past"]


def _aware(value: datetime, zone: str) -> datetime:
    """A time without an offset is local time in the event's own zone."""
    if value.tzinfo is None:
        return value.replace(tzinfo=ZoneInfo(zone))
    return value


def _time_errors(starts_at: datetime, ends_at: datetime) -> list[FieldError]:
    if ends_at <= starts_at:
        return [FieldError("/ends_at", "must be after starts_at")]
    return []


async def create_event(uow: UnitOfWork, principal: Principal, data: EventCreate) -> Event:
    """Any editor who can see the community may add a session to it (partners host them in
    turn); the event belongs to the caller's organisation."""
    access = content_editor(principal)
    community = await CommunityRepository(uow.session).get(Community, access, data.community_id)
    starts_at = _aware(data.starts_at, data.timezone)
    ends_at = _aware(data.ends_at, data.timezone)
    errors = _time_errors(starts_at, ends_at)
    if community is None:
        errors.insert(0, FieldError("/community_id", "is not a community you may see"))
        raise ValidationFailed(errors)
    visibility = data.visibility.value if data.visibility else community.visibility
    if visibility == "programme" and community.programme_id is None:
        errors.append(FieldError("/visibility", "an open community's events cannot be programme"))
    if errors:
        raise ValidationFailed(errors)
    assert access.organisation_id is not None
    fields = data.model_dump(
        exclude={"community_id", "visibility", "status", "starts_at", "ends_at"}
    )
    event = Event(
        **fields,
        community_id=community.id,
        organisation_id=access.organisation_id,
        programme_id=community.programme_id,
        visibility=visibility,
        status=data.status,
        published_at=utcnow() if data.status == "published" else None,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=principal.subject,
    )
    CommunityRepository(uow.session).add(event)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="create",
        entity_type=ENTITY,
        entity_id=event.id,
        changes=snapshot(EventRead, event),
    )
    await uow.commit()
    return event


async def get_event(uow: UnitOfWork, principal: Principal, event_id: UUID) -> Event:
    access = content_access(principal)
    event = await readable(uow, access, Event, event_id, ENTITY)
    await conceal_links(uow, principal, access, [event])
    return event


async def events_by_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, Event]:
    access = content_access(principal)
    rows = await CommunityRepository(uow.session).get_many(Event, access, ids)
    await conceal_links(uow, principal, access, rows)
    return {row.id: row for row in rows}


async def list_events(
    uow: UnitOfWork,
    principal: Principal,
    *,
    community_id: UUID | None,
    when: When | None,
    limit: int | None,
    cursor: str | None,
    location: str = "query",
) -> Page[Event]:
    """Upcoming events soonest first (those not yet over); past and all events latest first.
    Drafts show only to their editors; archived events are left out."""
    request = page_request(limit, None, location=location)
    values = cursors.decode(cursor, ("t", "id"), location=location)
    after = None
    if values:
        try:
            after = (datetime.fromisoformat(values["t"]), UUID(values["id"]))
        except (TypeError, ValueError):
            raise ValidationFailed(
                [FieldError("cursor", "is not a cursor this API issued", "invalid", location)]
            ) from None
    access = content_access(principal)
    rows = await CommunityRepository(uow.session).list_events(
        access,
        community_id=community_id,
        upcoming=None if when is None else when == "upcoming",
        now=utcnow(),
        after=after,
        limit=request.limit,
    )
    await conceal_links(uow, principal, access, rows)
    if len(rows) > request.limit:
        rows = rows[: request.limit]
        return Page(rows, cursor_after(rows[-1]))
    return Page(rows, None)


def cursor_after(event: Event) -> str:
    """The cursor of the page that follows this event in a list."""
    return cursors.encode({"t": event.starts_at.isoformat(), "id": str(event.id)})


async def update_event(
    uow: UnitOfWork,
    principal: Principal,
    event_id: UUID,
    data: EventUpdate,
    *,
    expected_version: int,
) -> Event:
    access = content_editor(principal)
    event = await editable(uow, access, Event, event_id, ENTITY, expected_version)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    nullable = {"online_url", "recording_url"}
    errors = [
        FieldError(f"/{name}", "cannot be null")
        for name, value in changes.items()
        if value is None and name not in nullable
    ]
    zone = changes.get("timezone") or event.timezone
    starts_at = _aware(changes.get("starts_at") or event.starts_at, zone)
    ends_at = _aware(changes.get("ends_at") or event.ends_at, zone)
    errors += _time_errors(starts_at, ends_at)
    if changes.get("visibility") == "programme" and event.programme_id is None:
        errors.append(FieldError("/visibility", "an open community's events cannot be programme"))
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(EventRead, event)
    for name, value in changes.items():
        setattr(event, name, value)
    event.starts_at, event.ends_at = starts_at, ends_at
    for name in MARKDOWN_FIELDS:
        if name in changes:
            setattr(event, f"{name}_html", render(getattr(event, name)))
    if changes.get("status") == "published" and event.published_at is None:
        event.published_at = utcnow()
    changed = audit.diff(before, snapshot(EventRead, event))
    if changed:
        event.version += 1
        event.updated_at = utcnow()
        await uow.session.flush()
        audit.record(
            uow, principal, action="update", entity_type=ENTITY, entity_id=event.id, changes=changed
        )
        await uow.commit()
    return event


def _summary(event_id: UUID, rows: list[EventAttendance]) -> AttendanceSummary:
    from domain.community.schemas import AttendanceRead

    return AttendanceSummary(
        event_id=event_id,
        total=sum(r.attendees for r in rows),
        attendance=[AttendanceRead.model_validate(r) for r in rows],
    )


async def get_attendance(
    uow: UnitOfWork, principal: Principal, event_id: UUID
) -> AttendanceSummary:
    event = await get_event(uow, principal, event_id)
    found = await CommunityRepository(uow.session).attendance([event.id])
    return _summary(event.id, found[event.id])


async def attendance_by_event_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, AttendanceSummary]:
    visible = await events_by_ids(uow, principal, ids)
    found = await CommunityRepository(uow.session).attendance(list(visible))
    return {event_id: _summary(event_id, rows) for event_id, rows in found.items()}


async def set_attendance(
    uow: UnitOfWork,
    principal: Principal,
    event_id: UUID,
    data: AttendanceSet,
    *,
    expected_version: int,
) -> AttendanceSummary:
    """Replaces the attendance counts (one per organisation); bumps the event's version."""
    from domain.tenancy.repository import TenancyRepository

    access = content_editor(principal)
    event = await editable(uow, access, Event, event_id, ENTITY, expected_version)
    counts: dict[UUID, int] = {}
    errors: list[FieldError] = []
    for index, entry in enumerate(data.attendance):
        if entry.organisation_id in counts:
            errors.append(
                FieldError(f"/attendance/{index}/organisation_id", "is given twice", "duplicate")
            )
        counts[entry.organisation_id] = entry.attendees
    known_ids = await TenancyRepository(uow.session).existing_organisation_ids(list(counts))
    errors += [
        FieldError(f"/attendance/{i}/organisation_id", "is not an organisation", "unknown")
        for i, entry in enumerate(data.attendance)
        if entry.organisation_id not in known_ids
    ]
    if errors:
        raise ValidationFailed(errors)
    await CommunityRepository(uow.session).replace_attendance(event.id, counts)
    event.version += 1
    event.updated_at = utcnow()
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="set_attendance",
        entity_type=ENTITY,
        entity_id=event.id,
        changes={"attendance": {str(k): v for k, v in counts.items()}},
    )
    await uow.commit()
    found = await CommunityRepository(uow.session).attendance([event.id])
    return _summary(event.id, found[event.id])


async def calendar(
    uow: UnitOfWork, principal: Principal, community_id: UUID, *, base_url: str
) -> bytes:
    """The community's published events the caller may see, as an iCalendar file. Calendar
    apps usually subscribe without a token, so they get the public events."""
    access = content_access(principal)
    community = await readable(uow, access, Community, community_id, "community")
    events = await CommunityRepository(uow.session).calendar(access, community.id, CALENDAR_LIMIT)
    cal = Calendar()
    cal.add("prodid", "-//Implementation Hub//Community of practice//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", community.name)
    for row in events:
        entry = CalendarEvent()
        entry.add("uid", f"{row.id}@implementation-hub")
        entry.add("summary", row.title)
        entry.add("dtstamp", row.updated_at)
        entry.add("dtstart", row.starts_at.astimezone(ZoneInfo(row.timezone)))
        entry.add("dtend", row.ends_at.astimezone(ZoneInfo(row.timezone)))
        description = row.summary or row.agenda
        if description:
            entry.add("description", description)
        if row.location:
            entry.add("location", row.location)
        link = row.online_url or f"{base_url}/v1/events/{row.id}"
        entry.add("url", link)
        entry.add("sequence", row.version)
        cal.add_component(entry)
    if events:
        cal.add_missing_timezones()
    return bytes(cal.to_ical())
