"""Delta sync down: contents, tombstones, isolation, and no skipped or repeated change
under concurrent writers (real connections holding real transactions)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import text

from domain.shared.ids import new_id
from tests.factories import World, create_cycle, create_measure
from tests.observations.helpers import create_profile, general

_RAW_INSERT = text(
    """
INSERT INTO observations (id, created_at, updated_at, created_by, version, organisation_id,
    programme_id, kind, observed_at, received_at, text, tags, content_hash)
VALUES (:id, now(), now(), :author, 1, :org, :programme, 'general', now(), now(), 'raw', '{}',
    'x')
"""
)


async def _sync(
    client: httpx.AsyncClient, headers: dict[str, str], since: str | None, limit: int = 500
) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": limit}
    if since:
        params["since"] = since
    response = await client.get("/v1/sync", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _drain(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    since: str | None,
    *,
    expect: set[str] | None = None,
    limit: int = 500,
) -> tuple[list[dict[str, Any]], str]:
    """Pages until has_more is false (and, if given, every expected id has come: other
    transactions on the same server may hold the horizon back for a moment)."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + 20
    token = since
    while True:
        page = await _sync(client, headers, token, limit)
        seen += page["changes"]
        token = page["next"]
        done = not page["has_more"] and (expect is None or expect <= {c["id"] for c in seen})
        if done or time.monotonic() > deadline:
            return seen, token or ""
        if not page["has_more"]:
            await asyncio.sleep(0.2)


async def test_sync_hands_out_what_the_caller_may_see(
    client: httpx.AsyncClient, world: World
) -> None:
    mine = await create_cycle(world.state, world.a.organisation, world.programme)
    shared = await create_cycle(
        world.state, world.b.organisation, world.programme, visibility="programme"
    )
    hidden = await create_cycle(world.state, world.b.organisation, world.programme)
    outsider = await create_cycle(world.state, world.c.organisation, world.other_programme)
    measure = await create_measure(world.state, world.a.organisation, world.programme)
    version, _ = await create_profile(world, world.b.organisation, world.programme)
    note = general(world)
    assert (await client.post("/v1/observations", json=note, headers=world.a.headers)).is_success
    theirs = general(world)
    assert (await client.post("/v1/observations", json=theirs, headers=world.b.headers)).is_success

    expected = {str(mine.id), str(shared.id), str(measure.id), str(version.id), note["id"]}
    changes, token = await _drain(client, world.a.headers, None, expect=expected)
    by_id = {c["id"]: c for c in changes}
    assert set(by_id) == expected
    assert {c["op"] for c in changes} == {"upsert"}
    assert by_id[note["id"]]["type"] == "observation"
    assert by_id[note["id"]]["record"]["text"] == note["text"]
    assert by_id[str(version.id)]["type"] == "practice_profile_version"
    assert len(by_id[str(version.id)]["record"]["components"]) == 3
    for absent in (hidden.id, outsider.id, UUID(theirs["id"])):
        assert str(absent) not in by_id

    # Nothing new: the same token comes back, no changes.
    page = await _sync(client, world.a.headers, token)
    assert page["changes"] == []
    assert page["next"] == token
    assert page["has_more"] is False

    # Without cycles:read or implementation:read only the caller's observations come.
    narrow = await world.token(world.a, ["observations:write"])
    changes, _ = await _drain(
        client, {"Authorization": f"Bearer {narrow}"}, None, expect={note["id"]}
    )
    assert {c["id"] for c in changes} == {note["id"]}

    # Another organisation sees none of these observations.
    for party in (world.b, world.c):
        changes, _ = await _drain(client, party.headers, None)
        assert note["id"] not in {c["id"] for c in changes}
    outsider_changes, _ = await _drain(client, world.c.headers, None)
    assert {c["id"] for c in outsider_changes} == {str(outsider.id)}


async def test_tombstones_for_deleted_and_no_longer_visible(
    client: httpx.AsyncClient, world: World
) -> None:
    shared = await create_cycle(
        world.state, world.b.organisation, world.programme, visibility="programme"
    )
    note = general(world)
    assert (await client.post("/v1/observations", json=note, headers=world.a.headers)).is_success
    _, token = await _drain(client, world.a.headers, None, expect={str(shared.id), note["id"]})

    # B makes its cycle private; A deletes its observation.
    cycle = (await client.get(f"/v1/cycles/{shared.id}", headers=world.b.headers)).json()
    response = await client.patch(
        f"/v1/cycles/{shared.id}",
        json={"visibility": "private"},
        headers={**world.b.headers, "If-Match": f'"{cycle["version"]}"'},
    )
    assert response.status_code == 200, response.text
    response = await client.delete(
        f"/v1/observations/{note['id']}", headers={**world.a.headers, "If-Match": '"1"'}
    )
    assert response.status_code == 204

    changes, _ = await _drain(client, world.a.headers, token, expect={str(shared.id), note["id"]})
    assert {(c["type"], c["id"], c["op"], c["record"] is None) for c in changes} == {
        ("cycle", str(shared.id), "delete", True),
        ("observation", note["id"], "delete", True),
    }
    # The outsider never saw the cycle, so it gets no tombstone for it either.
    outsider, _ = await _drain(client, world.c.headers, None)
    assert str(shared.id) not in {c["id"] for c in outsider}


async def test_a_bad_token_is_a_422(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get("/v1/sync?since=nonsense", headers=world.a.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == "since"


async def test_a_write_committed_between_two_pages_is_not_skipped(
    client: httpx.AsyncClient, world: World
) -> None:
    first = [general(world) for _ in range(5)]
    response = await client.post(
        "/v1/observations/batch", json={"items": first}, headers=world.a.headers
    )
    assert response.json()["counts"]["created"] == 5
    page = await _sync(client, world.a.headers, None, limit=2)
    while len(page["changes"]) < 2:  # another transaction on the server held the horizon
        await asyncio.sleep(0.2)
        page = await _sync(client, world.a.headers, None, limit=2)
    seen = [c["id"] for c in page["changes"]]
    assert page["has_more"] is True

    late = general(world)
    assert (await client.post("/v1/observations", json=late, headers=world.a.headers)).is_success

    expected = {o["id"] for o in first} | {late["id"]}
    rest, _ = await _drain(
        client, world.a.headers, page["next"], expect=expected - set(seen), limit=2
    )
    seen += [c["id"] for c in rest]
    assert sorted(seen) == sorted(expected)  # every change once: none skipped, none repeated


async def test_a_long_transaction_that_commits_after_a_later_one_is_not_skipped(
    client: httpx.AsyncClient, world: World
) -> None:
    engine = world.state.database.engine
    author = f"client:{world.a.client.client_id}"
    slow_id = new_id()
    async with engine.connect() as slow:
        transaction = await slow.begin()
        # The slow writer takes its transaction id first...
        await slow.execute(
            _RAW_INSERT,
            {
                "id": slow_id,
                "author": author,
                "org": world.a.organisation.id,
                "programme": world.programme.id,
            },
        )
        # ...then a quick writer commits after it started.
        quick = general(world)
        response = await client.post("/v1/observations", json=quick, headers=world.a.headers)
        assert response.status_code == 201

        # While the slow one runs, the quick change is held back, not handed out past it.
        page = await _sync(client, world.a.headers, None)
        assert quick["id"] not in {c["id"] for c in page["changes"]}
        assert str(slow_id) not in {c["id"] for c in page["changes"]}
        token = page["next"]
        await transaction.commit()

    changes, _ = await _drain(client, world.a.headers, token, expect={str(slow_id), quick["id"]})
    ids = [c["id"] for c in changes]
    assert sorted(ids) == sorted([str(slow_id), quick["id"]])


async def test_many_concurrent_writers_and_a_pager_see_every_change_once(
    client: httpx.AsyncClient, world: World
) -> None:
    written: set[str] = set()

    async def writer() -> None:
        for _ in range(5):
            items = [general(world) for _ in range(7)]
            response = await client.post(
                "/v1/observations/batch", json={"items": items}, headers=world.a.headers
            )
            assert response.status_code == 200
            written.update(i["id"] for i in items)

    seen: list[str] = []
    token: str | None = None

    async def pager() -> None:
        nonlocal token
        started = datetime.now(UTC)
        while (datetime.now(UTC) - started).total_seconds() < 3:
            page = await _sync(client, world.a.headers, token, limit=3)
            seen.extend(c["id"] for c in page["changes"])
            token = page["next"]
            await asyncio.sleep(0.01)

    await asyncio.gather(writer(), writer(), writer(), pager())
    rest, _ = await _drain(client, world.a.headers, token, expect=written - set(seen))
    seen += [c["id"] for c in rest]
    assert len(seen) == len(set(seen)) == len(written) == 105
    assert set(seen) == written


async def test_joining_or_leaving_a_programme_restarts_sync(
    client: httpx.AsyncClient, world: World
) -> None:
    """Membership changes write nothing to the change log; a token remembers the view it was
    issued for, and a changed view answers `reset` with a sync from the beginning."""
    from sqlalchemy import delete
    from sqlmodel import col

    from domain.tenancy.models import ProgrammeMember
    from tests.factories import add

    shared = await create_cycle(
        world.state, world.b.organisation, world.programme, visibility="programme"
    )
    changes, a_token = await _drain(client, world.a.headers, None, expect={str(shared.id)})
    assert str(shared.id) in {c["id"] for c in changes}
    _, c_token = await _drain(client, world.c.headers, None)

    async with world.state.database.sessionmaker() as session:
        await session.execute(
            delete(ProgrammeMember).where(
                col(ProgrammeMember.organisation_id) == world.a.organisation.id,
                col(ProgrammeMember.programme_id) == world.programme.id,
            )
        )
        await session.commit()
    await add(
        world.state,
        ProgrammeMember(programme_id=world.programme.id, organisation_id=world.c.organisation.id),
    )

    left = await _sync(client, world.a.headers, a_token)
    assert left["reset"] is True
    assert str(shared.id) not in {c["id"] for c in left["changes"]}
    joined = await _sync(client, world.c.headers, c_token)
    assert joined["reset"] is True
    assert str(shared.id) in {c["id"] for c in joined["changes"]}
    # The next token carries the new view: no reset again.
    assert (await _sync(client, world.c.headers, joined["next"]))["reset"] is False
