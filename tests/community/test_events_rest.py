"""Events over REST: time zones, upcoming and past lists, attendance, and the iCalendar feed
(only what the caller may see, with markup in titles left as text)."""

from __future__ import annotations

from typing import Any

import httpx
from icalendar import Calendar

from tests.community import helpers as h
from tests.factories import World


async def test_times_are_kept_in_the_events_zone(client: httpx.AsyncClient, world: World) -> None:
    community = await h.community(client, world)
    summer = await h.event(
        client,
        world,
        community["id"],
        starts_at="2030-07-01T10:00:00",
        ends_at="2030-07-01T12:00:00",
    )
    assert summer["starts_at"] == "2030-07-01T10:00:00+01:00"
    offset = await h.event(
        client,
        world,
        community["id"],
        starts_at="2030-07-01T09:00:00Z",
        ends_at="2030-07-01T10:00:00Z",
    )
    assert offset["starts_at"] == "2030-07-01T10:00:00+01:00"
    bad = await client.post(
        "/v1/events",
        json={
            "community_id": community["id"],
            "title": "x",
            "starts_at": "2030-07-01T10:00:00",
            "ends_at": "2030-07-01T09:00:00",
            "timezone": "Mars/Olympus",
            "format": "hybrid",
        },
        headers=world.a.headers,
    )
    assert bad.status_code == 422
    assert [e["pointer"] for e in bad.json()["errors"]] == ["/timezone"]
    backwards = await client.post(
        "/v1/events",
        json={
            "community_id": community["id"],
            "title": "x",
            "starts_at": "2030-07-01T10:00:00",
            "ends_at": "2030-07-01T09:00:00",
            "timezone": "Europe/London",
            "format": "hybrid",
        },
        headers=world.a.headers,
    )
    assert backwards.status_code == 422
    assert [e["pointer"] for e in backwards.json()["errors"]] == ["/ends_at"]


async def test_upcoming_and_past(client: httpx.AsyncClient, world: World) -> None:
    community = await h.community(client, world, visibility="programme")
    for year in (2019, 2020, 2031, 2032):
        await h.event(
            client,
            world,
            community["id"],
            title=f"Session {year}",
            starts_at=f"{year}-03-05T10:00:00",
            ends_at=f"{year}-03-05T12:00:00",
        )

    async def titles(when: str, **params: str) -> list[str]:
        response = await client.get(
            "/v1/events", params={"when": when, **params}, headers=world.b.headers
        )
        assert response.status_code == 200, response.text
        return [e["title"] for e in response.json()["items"]]

    assert await titles("upcoming") == ["Session 2031", "Session 2032"]
    assert await titles("past") == ["Session 2020", "Session 2019"]
    first = await client.get(
        "/v1/events", params={"when": "past", "limit": 1}, headers=world.b.headers
    )
    cursor = first.json()["next_cursor"]
    assert await titles("past", cursor=cursor) == ["Session 2019"]
    assert (await client.get("/v1/events", headers=world.c.headers)).json()["items"] == []


async def test_notes_attendance_and_recording(client: httpx.AsyncClient, world: World) -> None:
    community = await h.community(client, world)
    event = await h.event(client, world, community["id"])
    changed = await client.patch(
        f"/v1/events/{event['id']}",
        json={
            "notes": "We *shared* ramps",
            "key_learning": "Standing slots work",
            "recording_url": "https://video.example/anew-2030",
        },
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["notes_html"] == "<p>We <em>shared</em> ramps</p>\n"
    bad_link = await client.patch(
        f"/v1/events/{event['id']}",
        json={"recording_url": "javascript:alert(1)"},
        headers={**world.a.headers, "If-Match": '"2"'},
    )
    assert bad_link.status_code == 422
    attendance = await client.put(
        f"/v1/events/{event['id']}/attendance",
        json={
            "attendance": [
                {"organisation_id": str(world.a.organisation.id), "attendees": 12},
                {"organisation_id": str(world.b.organisation.id), "attendees": 5},
            ]
        },
        headers={**world.a.headers, "If-Match": '"2"'},
    )
    assert attendance.status_code == 200, attendance.text
    assert attendance.json()["total"] == 17
    read = await client.get(f"/v1/events/{event['id']}/attendance", headers=world.b.headers)
    assert read.json()["total"] == 17


async def test_calendar_feed(client: httpx.AsyncClient, world: World) -> None:
    community = await h.community(client, world, visibility="public", programme_id=None)
    await h.event(
        client,
        world,
        community["id"],
        title="<script>alert(1)</script> Open session",
        visibility="public",
        location="Dundee",
    )
    await h.event(client, world, community["id"], title="Draft session", status="draft",
                  visibility="public")  # fmt: skip
    await h.event(client, world, community["id"], title="Org session", visibility="organisation")
    anonymous = await client.get(f"/v1/communities/{community['id']}/events.ics")
    assert anonymous.status_code == 200
    assert anonymous.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(anonymous.content)
    events = calendar.walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["<script>alert(1)</script> Open session"]
    start: Any = events[0]["dtstart"]
    assert start.dt.tzinfo is not None
    own = Calendar.from_ical(
        (
            await client.get(
                f"/v1/communities/{community['id']}/events.ics", headers=world.a.headers
            )
        ).content
    )
    assert sorted(str(e["summary"]) for e in own.walk("VEVENT")) == [
        "<script>alert(1)</script> Open session",
        "Org session",
    ]
    private = await h.community(client, world)
    assert (await client.get(f"/v1/communities/{private['id']}/events.ics")).status_code == 404
