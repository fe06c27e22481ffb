"""Submitting observations over REST: one, and batches."""

from __future__ import annotations

import asyncio
import gzip
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson

from domain.shared.ids import new_id
from tests.factories import World, create_cycle, create_measure
from tests.observations.helpers import (
    PROBLEM,
    count_observations,
    create_profile,
    cycle_note,
    general,
    gzip_headers,
    gzipped,
    when,
)


async def test_submit_then_resend_then_conflict(client: httpx.AsyncClient, world: World) -> None:
    body = general(world)
    first = await client.post("/v1/observations", json=body, headers=world.a.headers)
    assert first.status_code == 201, first.text
    stored = first.json()
    assert stored["id"] == body["id"]
    assert stored["created_by"].startswith("client:")
    assert first.headers["ETag"] == '"1"'

    again = await client.post("/v1/observations", json=body, headers=world.a.headers)
    assert again.status_code == 200
    assert again.json() == stored

    other = await client.post(
        "/v1/observations", json={**body, "text": "Something else"}, headers=world.a.headers
    )
    assert other.status_code == 409
    assert other.headers["content-type"] == PROBLEM
    assert await count_observations(world) == 1


async def test_kinds_and_what_they_attach_to(client: httpx.AsyncClient, world: World) -> None:
    cycle = await create_cycle(world.state, world.a.organisation, world.programme)
    note = cycle_note(cycle.id, location_label="Family centre")
    response = await client.post("/v1/observations", json=note, headers=world.a.headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["kind"] == "cycle_note"
    assert body["cycle_id"] == str(cycle.id)
    assert body["programme_id"] == str(world.programme.id)
    assert body["organisation_id"] == str(world.a.organisation.id)
    assert body["location_label"] == "Family centre"
    assert body["received_at"] >= body["observed_at"]

    # A partner's cycle shared with the programme may be observed; a private one may not.
    shared = await create_cycle(
        world.state, world.b.organisation, world.programme, visibility="programme"
    )
    ok = await client.post("/v1/observations", json=cycle_note(shared.id), headers=world.a.headers)
    assert ok.status_code == 201


async def test_a_cycle_the_caller_cannot_see_is_404_and_nothing_is_written(
    client: httpx.AsyncClient, world: World
) -> None:
    private = await create_cycle(world.state, world.b.organisation, world.programme)
    outsider = await create_cycle(world.state, world.c.organisation, world.other_programme)
    for cycle in (private, outsider):
        before = await count_observations(world)
        response = await client.post(
            "/v1/observations", json=cycle_note(cycle.id), headers=world.a.headers
        )
        assert response.status_code == 404, response.text
        assert response.headers["content-type"] == PROBLEM
        assert await count_observations(world) == before == 0


async def test_future_timestamps_are_rejected_old_ones_accepted(
    client: httpx.AsyncClient, world: World
) -> None:
    future = general(world, observed_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat())
    response = await client.post("/v1/observations", json=future, headers=world.a.headers)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["pointer"] == "/observed_at"
    assert error["code"] == "in_future"
    # Within the allowed skew (300 s by default) is fine, and so is last year.
    near = general(world, observed_at=(datetime.now(UTC) + timedelta(seconds=60)).isoformat())
    old = general(world, observed_at=when(400))
    for body in (near, old):
        ok = await client.post("/v1/observations", json=body, headers=world.a.headers)
        assert ok.status_code == 201, ok.text
    assert await count_observations(world) == 2


async def test_bad_items_name_their_fields(client: httpx.AsyncClient, world: World) -> None:
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({**general(world), "received_at": when()}, "/received_at", "server_owned"),
        ({**general(world), "gps": "56.46,-2.97"}, "/gps", "unknown_field"),
        ({**general(world), "kind": "photo"}, "/kind", "union_tag_invalid"),
        ({**general(world), "observed_at": "2026-11-20T10:00:00"}, "/observed_at", ""),
        ({**general(world), "programme_id": str(world.other_programme.id)}, "/programme_id", ""),
    ]
    for body, pointer, code in cases:
        response = await client.post("/v1/observations", json=body, headers=world.a.headers)
        assert response.status_code == 422, (pointer, response.text)
        pointers = {e["pointer"]: e["code"] for e in response.json()["errors"]}
        assert pointer in pointers, (pointer, pointers)
        if code:
            assert pointers[pointer] == code
    assert await count_observations(world) == 0


async def test_a_chi_number_is_refused_without_echoing_it(
    client: httpx.AsyncClient, world: World
) -> None:
    for text in ("Seen with CHI 010101 1237 today", "Ava Smith DOB 12/03/2018 attended"):
        body = general(world, text=text)
        response = await client.post("/v1/observations", json=body, headers=world.a.headers)
        assert response.status_code == 422
        assert "1237" not in response.text
        assert "12/03/2018" not in response.text
        [error] = response.json()["errors"]
        assert error["pointer"] == "/text"
        assert error["code"] in ("chi_number", "date_of_birth")
    # The same guard covers the other free-text fields, here a location label and a tag.
    body = general(world, location_label="0101011237", tags=["ok", "0101011237"])
    response = await client.post("/v1/observations", json=body, headers=world.a.headers)
    assert {e["pointer"] for e in response.json()["errors"]} == {"/location_label", "/tags/1"}
    # And another area's free text: a cycle's aim.
    cycle = {"programme_id": str(world.programme.id), "title": "T", "aim": "CHI 0101011237"}
    response = await client.post("/v1/cycles", json=cycle, headers=world.a.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "chi_number"
    assert await count_observations(world) == 0


async def test_mixed_batch_keeps_the_good_items(client: httpx.AsyncClient, world: World) -> None:
    private = await create_cycle(world.state, world.b.organisation, world.programme)
    good = general(world)
    items = [
        good,
        general(world, observed_at=(datetime.now(UTC) + timedelta(days=1)).isoformat()),
        cycle_note(private.id),
        general(world, text="CHI 0101011237"),
        good,  # the same item twice in one batch
        {**good, "text": "Different"},
        general(world),
    ]
    response = await client.post(
        "/v1/observations/batch", json={"items": items}, headers=world.a.headers
    )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["index"] for r in results] == list(range(len(items)))
    assert [r["status"] for r in results] == [
        "created",
        "rejected",
        "rejected",
        "rejected",
        "duplicate",
        "conflict",
        "created",
    ]
    assert results[1]["problem"]["errors"][0]["pointer"] == "/items/1/observed_at"
    assert results[2]["problem"]["status"] == 404
    assert results[2]["problem"]["errors"][0]["pointer"] == "/items/2/cycle_id"
    assert results[3]["problem"]["errors"][0] == {
        "pointer": "/items/3/text",
        "detail": results[3]["problem"]["errors"][0]["detail"],
        "code": "chi_number",
    }
    assert results[4]["observation"]["id"] == good["id"]
    assert response.json()["counts"] == {
        "created": 2,
        "duplicate": 1,
        "conflict": 1,
        "rejected": 3,
    }
    assert await count_observations(world) == 2

    # The app resends the whole batch: nothing new, the same answers for the good items.
    again = await client.post(
        "/v1/observations/batch", json={"items": items}, headers=world.a.headers
    )
    statuses = [r["status"] for r in again.json()["results"]]
    assert statuses[0] == statuses[4] == statuses[6] == "duplicate"
    assert await count_observations(world) == 2


async def test_two_identical_batches_at_once_store_each_record_once(
    client: httpx.AsyncClient, world: World
) -> None:
    items = [general(world) for _ in range(200)]

    async def send() -> list[str]:
        response = await client.post(
            "/v1/observations/batch", json={"items": items}, headers=world.a.headers
        )
        assert response.status_code == 200, response.text
        return [r["status"] for r in response.json()["results"]]

    first, second = await asyncio.gather(send(), send())
    assert await count_observations(world) == 200
    # Every item was created by exactly one of the two and is a duplicate in the other.
    assert all({a, b} == {"created", "duplicate"} for a, b in zip(first, second, strict=True))


async def test_oversize_batch_is_413_and_writes_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    items = [general(world, text="", tags=[], location_label=None) for _ in range(501)]
    # Gzipped, so the body fits the size limit and the item count is what is refused.
    response = await client.post(
        "/v1/observations/batch",
        content=gzipped({"items": items}),
        headers=gzip_headers(world.a.headers),
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("too_many_items")
    assert await count_observations(world) == 0
    # 500 is allowed.
    response = await client.post(
        "/v1/observations/batch",
        content=gzipped({"items": items[:500]}),
        headers=gzip_headers(world.a.headers),
    )
    assert response.status_code == 200
    assert response.json()["counts"]["created"] == 500


async def test_gzip_bodies(client: httpx.AsyncClient, world: World) -> None:
    body = general(world)
    response = await client.post(
        "/v1/observations", content=gzipped(body), headers=gzip_headers(world.a.headers)
    )
    assert response.status_code == 201, response.text
    # Not gzip at all, and gzip cut short: 400.
    for bad in (b"this is not gzip", gzipped(general(world))[:-12]):
        response = await client.post(
            "/v1/observations", content=bad, headers=gzip_headers(world.a.headers)
        )
        assert response.status_code == 400, response.text
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["type"].endswith("bad_gzip")
    # A zip bomb: 50 MB of zeros in a small body is refused once it inflates past the cap.
    bomb = gzip.compress(b"0" * 50_000_000)
    assert len(bomb) < 64 * 1024
    response = await client.post(
        "/v1/observations/batch", content=bomb, headers=gzip_headers(world.a.headers)
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    # Other content codings: 415.
    response = await client.post(
        "/v1/observations",
        content=orjson.dumps(body),
        headers={**world.a.headers, "Content-Encoding": "br", "Content-Type": "application/json"},
    )
    assert response.status_code == 415
    assert await count_observations(world) == 1


async def test_data_point_observation_sets_the_measure_point(
    client: httpx.AsyncClient, world: World
) -> None:
    measure = await create_measure(world.state, world.a.organisation, world.programme)
    body = {
        "id": str(new_id()),
        "kind": "data_point",
        "observed_at": when(1),
        "measure_id": str(measure.id),
        "period": "2026-10-01",
        "value": 7,
    }
    response = await client.post("/v1/observations", json=body, headers=world.a.headers)
    assert response.status_code == 201, response.text
    point = await client.get(
        f"/v1/measures/{measure.id}/points/2026-10-01", headers=world.a.headers
    )
    assert point.status_code == 200
    assert point.json()["value"] == 7
    # A later observation of the same period replaces the value.
    later = {**body, "id": str(new_id()), "value": 9, "observed_at": when(0.5)}
    assert (
        await client.post("/v1/observations", json=later, headers=world.a.headers)
    ).status_code == 201
    point = await client.get(
        f"/v1/measures/{measure.id}/points/2026-10-01", headers=world.a.headers
    )
    assert point.json()["value"] == 9
    # The measure's rules apply: not the first day of a month, and not a whole count.
    bad = {**body, "id": str(new_id()), "period": "2026-10-02", "value": 1.5}
    response = await client.post("/v1/observations", json=bad, headers=world.a.headers)
    assert response.status_code == 422
    assert {e["pointer"] for e in response.json()["errors"]} == {"/period", "/value"}
    # Another organisation's measure is not there.
    other = await create_measure(
        world.state, world.b.organisation, world.programme, visibility="programme"
    )
    response = await client.post(
        "/v1/observations",
        json={**body, "id": str(new_id()), "measure_id": str(other.id)},
        headers=world.a.headers,
    )
    assert response.status_code == 404
    assert await count_observations(world) == 2


async def test_fidelity_ratings_must_name_components_of_the_version(
    client: httpx.AsyncClient, world: World
) -> None:
    version, components = await create_profile(world, world.b.organisation, world.programme)
    _other_version, other_components = await create_profile(
        world, world.b.organisation, world.programme
    )
    body: dict[str, Any] = {
        "id": str(new_id()),
        "kind": "fidelity",
        "observed_at": when(2),
        "profile_version_id": str(version.id),
        "practitioner": "Health visitor",
        "ratings": [
            {"component_id": str(components[0].id), "rating": "expected"},
            {"component_id": str(components[1].id), "rating": "developmental"},
            {"component_id": str(other_components[0].id), "rating": "unacceptable"},
        ],
    }
    response = await client.post("/v1/observations", json=body, headers=world.a.headers)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["pointer"] == "/ratings/2/component_id"
    assert error["code"] == "not_in_profile"
    assert await count_observations(world) == 0

    body["ratings"][2] = {"component_id": str(components[2].id), "rating": "not_observed"}
    response = await client.post("/v1/observations", json=body, headers=world.a.headers)
    assert response.status_code == 201, response.text
    assert [r["rating"] for r in response.json()["ratings"]] == [
        "expected",
        "developmental",
        "not_observed",
    ]
    # A draft version cannot be rated; an outsider's version is not there.
    draft, _parts = await create_profile(
        world, world.a.organisation, world.programme, status="draft"
    )
    outsider, _ = await create_profile(world, world.c.organisation, world.other_programme)
    for version_id, status in ((draft.id, 422), (outsider.id, 404)):
        response = await client.post(
            "/v1/observations",
            json={**body, "id": str(new_id()), "profile_version_id": str(version_id)},
            headers=world.a.headers,
        )
        assert response.status_code == status, response.text
    assert await count_observations(world) == 1


async def test_scope_is_required(client: httpx.AsyncClient, world: World) -> None:
    token = await world.token(world.a, ["cycles:read"])
    response = await client.post(
        "/v1/observations", json=general(world), headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403
    response = await client.post("/v1/observations", json=general(world))
    assert response.status_code == 401
    assert await count_observations(world) == 0


async def test_a_batch_with_an_idempotency_key_replays_its_first_answer(
    client: httpx.AsyncClient, world: World
) -> None:
    items = [general(world), general(world)]
    headers = {**world.a.headers, "Idempotency-Key": "batch-1"}
    first = await client.post("/v1/observations/batch", json={"items": items}, headers=headers)
    again = await client.post("/v1/observations/batch", json={"items": items}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert [r["status"] for r in again.json()["results"]] == ["created", "created"]
    # Without the key the resend is answered afresh: duplicates.
    plain = await client.post(
        "/v1/observations/batch", json={"items": items}, headers=world.a.headers
    )
    assert [r["status"] for r in plain.json()["results"]] == ["duplicate", "duplicate"]
    assert await count_observations(world) == 2
