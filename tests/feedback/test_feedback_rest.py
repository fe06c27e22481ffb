"""Practice-policy feedback items over REST: the status moves and their dates, and every
convention's failure answer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import func, select
from sqlmodel import col

from domain.audit.models import AuditEvent
from domain.improvement.feedback import FeedbackItem
from tests.factories import World, create_cycle, create_feedback_item

PROBLEM = "application/problem+json"
URL = "/v1/feedback-items"


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def new_item(world: World, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "programme_id": str(world.programme.id),
        "barrier": "The referral form needs a manager's signature before a TAC meeting",
        "raised_by": "Primary school pastoral team",
        "raised_on": "2024-02-12",
        "leadership_team": "Getting it right for every child strategic group",
        "visibility": "programme",
    }
    body.update(fields)
    return body


def if_match(world: World, version: int) -> dict[str, str]:
    return {**world.a.headers, "If-Match": f'"{version}"'}


async def count_items(world: World) -> int:
    async with world.state.database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(FeedbackItem)) or 0)


async def audit_rows(world: World, entity_id: str | UUID) -> list[tuple[str, dict[str, Any]]]:
    async with world.state.database.sessionmaker() as session:
        rows = await session.execute(
            select(col(AuditEvent.action), col(AuditEvent.changes))
            .where(
                col(AuditEvent.entity_id) == UUID(str(entity_id)),
                col(AuditEvent.entity_type) == "feedback_item",
            )
            .order_by(col(AuditEvent.occurred_at))
        )
        return [(action, changes) for action, changes in rows.all()]


async def test_create_read_update_delete(client: httpx.AsyncClient, world: World) -> None:
    created = await client.post(URL, json=new_item(world), headers=world.a.headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"] == f"{URL}/{body['id']}"
    assert created.headers["etag"] == '"1"'
    assert body["organisation_id"] == str(world.a.organisation.id)
    assert body["status"] == "raised"
    assert body["raised_on"] == "2024-02-12"
    assert body["acknowledged_on"] is None
    assert body["response"] == ""

    read = await client.get(f"{URL}/{body['id']}", headers=world.a.headers)
    assert read.status_code == 200
    assert read.json() == body
    not_modified = await client.get(
        f"{URL}/{body['id']}", headers={**world.a.headers, "If-None-Match": '"1"'}
    )
    assert not_modified.status_code == 304

    patched = await client.patch(
        f"{URL}/{body['id']}",
        json={"leadership_team": "Chief officers group", "raised_by": "Health visitors"},
        headers=if_match(world, 1),
    )
    assert patched.status_code == 200, patched.text
    assert patched.headers["etag"] == '"2"'
    assert patched.json()["leadership_team"] == "Chief officers group"
    assert patched.json()["barrier"] == body["barrier"]

    deleted = await client.delete(f"{URL}/{body['id']}", headers=if_match(world, 2))
    assert deleted.status_code == 204
    gone = await client.get(f"{URL}/{body['id']}", headers=world.a.headers)
    assert gone.status_code == 404
    assert gone.headers["content-type"] == PROBLEM
    assert (await client.get(URL, headers=world.a.headers)).json()["items"] == []
    assert await count_items(world) == 1
    rows = await audit_rows(world, body["id"])
    assert [action for action, _ in rows] == ["create", "update", "delete"]
    assert rows[1][1] == {
        "leadership_team": [body["leadership_team"], "Chief officers group"],
        "raised_by": [body["raised_by"], "Health visitors"],
    }


async def test_raised_on_defaults_to_today(client: httpx.AsyncClient, world: World) -> None:
    body = new_item(world)
    del body["raised_on"]
    created = await client.post(URL, json=body, headers=world.a.headers)
    assert created.status_code == 201
    assert created.json()["raised_on"] == today()


async def test_status_moves_up_and_back_down_with_dates_stamped(
    client: httpx.AsyncClient, world: World
) -> None:
    item = await create_feedback_item(world.state, world.a.organisation, world.programme)
    url = f"{URL}/{item.id}"

    skipped = await client.patch(url, json={"status": "resolved"}, headers=if_match(world, 1))
    assert skipped.status_code == 409
    assert skipped.headers["content-type"] == PROBLEM
    assert skipped.json()["type"].endswith("invalid_transition")

    acknowledged = await client.patch(
        url, json={"status": "acknowledged"}, headers=if_match(world, 1)
    )
    assert acknowledged.status_code == 200, acknowledged.text
    assert acknowledged.json()["acknowledged_on"] == today()
    assert acknowledged.json()["resolved_on"] is None

    no_response = await client.patch(url, json={"status": "resolved"}, headers=if_match(world, 2))
    assert no_response.status_code == 422
    assert no_response.json()["errors"][0]["pointer"] == "/response"
    assert no_response.json()["errors"][0]["code"] == "required"
    blank = await client.patch(
        url, json={"status": "resolved", "response": "  "}, headers=if_match(world, 2)
    )
    assert blank.status_code == 422
    assert blank.json()["errors"][0]["pointer"] == "/response"

    resolved = await client.patch(
        url,
        json={"status": "resolved", "response": "A duty manager now signs the same day"},
        headers=if_match(world, 2),
    )
    assert resolved.status_code == 200, resolved.text
    done = resolved.json()
    assert (done["status"], done["acknowledged_on"], done["resolved_on"]) == (
        "resolved",
        today(),
        today(),
    )
    assert done["declined_on"] is None

    for to in ("raised", "acknowledged", "declined"):
        refused = await client.patch(url, json={"status": to}, headers=if_match(world, 3))
        assert refused.status_code == 409, to
        assert "closed" in refused.json()["detail"]
    cleared = await client.patch(url, json={"response": ""}, headers=if_match(world, 3))
    assert cleared.status_code == 422
    assert cleared.json()["errors"][0]["pointer"] == "/response"

    rows = await audit_rows(world, item.id)
    assert [action for action, _ in rows] == ["update", "update"]
    assert rows[0][1]["status"] == ["raised", "acknowledged"]
    assert rows[0][1]["acknowledged_on"] == [None, today()]
    assert rows[1][1]["status"] == ["acknowledged", "resolved"]


async def test_a_raised_item_may_be_declined_with_a_response(
    client: httpx.AsyncClient, world: World
) -> None:
    item = await create_feedback_item(world.state, world.a.organisation, world.programme)
    url = f"{URL}/{item.id}"
    missing = await client.patch(url, json={"status": "declined"}, headers=if_match(world, 1))
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["pointer"] == "/response"
    declined = await client.patch(
        url,
        json={"status": "declined", "response": "The signature is a legal requirement"},
        headers=if_match(world, 1),
    )
    assert declined.status_code == 200
    assert declined.json()["declined_on"] == today()
    assert declined.json()["acknowledged_on"] is None
    same = await client.patch(url, json={"status": "declined"}, headers=if_match(world, 2))
    assert same.status_code == 200  # staying put is no move
    assert same.json()["version"] == 2


async def test_the_dates_are_the_servers(client: httpx.AsyncClient, world: World) -> None:
    for name in ("acknowledged_on", "resolved_on", "declined_on"):
        refused = await client.post(
            URL, json=new_item(world, **{name: "2024-03-01"}), headers=world.a.headers
        )
        assert refused.status_code == 422
        assert refused.json()["errors"][0] == {
            "pointer": f"/{name}",
            "detail": "is set by the server when the status moves",
            "code": "server_owned",
        }
    assert await count_items(world) == 0
    item = await create_feedback_item(world.state, world.a.organisation, world.programme)
    refused = await client.patch(
        f"{URL}/{item.id}",
        json={"status": "acknowledged", "acknowledged_on": "2024-03-01"},
        headers=if_match(world, 1),
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["pointer"] == "/acknowledged_on"
    for body, pointer in (
        ({"version": 4}, "/version"),
        ({"status": "closed"}, "/status"),
        ({"barrier": None}, "/barrier"),
        ({"barrier": "   "}, "/barrier"),
        ({"raised_on": None}, "/raised_on"),
        ({"programme_id": str(world.programme.id)}, "/programme_id"),
    ):
        response = await client.patch(f"{URL}/{item.id}", json=body, headers=if_match(world, 1))
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["pointer"] == pointer
    unchanged = await client.get(f"{URL}/{item.id}", headers=world.a.headers)
    assert unchanged.json()["status"] == "raised"
    assert unchanged.json()["version"] == 1
    assert await audit_rows(world, item.id) == []


async def test_the_cycle_must_be_the_callers_own_in_the_programme(
    client: httpx.AsyncClient, world: World
) -> None:
    mine = await create_cycle(
        world.state,
        world.a.organisation,
        world.programme,
        kind="practice_policy_feedback",
        title="Signature barrier",
    )
    partners = await create_cycle(
        world.state, world.b.organisation, world.programme, visibility="programme"
    )
    outsiders = await create_cycle(world.state, world.c.organisation, world.other_programme)
    for cycle_id in (partners.id, outsiders.id, UUID(int=7)):
        refused = await client.post(
            URL, json=new_item(world, cycle_id=str(cycle_id)), headers=world.a.headers
        )
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["pointer"] == "/cycle_id"
    other_programme = await client.post(
        URL,
        json=new_item(world, programme_id=str(world.other_programme.id)),
        headers=world.a.headers,
    )
    assert other_programme.status_code == 422
    assert other_programme.json()["errors"][0]["pointer"] == "/programme_id"

    created = await client.post(
        URL, json=new_item(world, cycle_id=str(mine.id)), headers=world.a.headers
    )
    assert created.status_code == 201
    assert created.json()["cycle_id"] == str(mine.id)
    url = f"{URL}/{created.json()['id']}"
    moved = await client.patch(url, json={"cycle_id": str(partners.id)}, headers=if_match(world, 1))
    assert moved.status_code == 422
    unlinked = await client.patch(url, json={"cycle_id": None}, headers=if_match(world, 1))
    assert unlinked.status_code == 200
    assert unlinked.json()["cycle_id"] is None


async def test_list_filters(client: httpx.AsyncClient, world: World) -> None:
    cycle = await create_cycle(world.state, world.a.organisation, world.programme)
    await create_feedback_item(
        world.state, world.a.organisation, world.programme, barrier="First", cycle_id=cycle.id
    )
    await create_feedback_item(
        world.state,
        world.a.organisation,
        world.programme,
        barrier="Second",
        status="acknowledged",
        acknowledged_on=datetime(2024, 3, 5, tzinfo=UTC).date(),
    )
    await create_feedback_item(
        world.state, world.c.organisation, world.other_programme, barrier="Theirs"
    )

    async def barriers(**params: str) -> list[str]:
        response = await client.get(URL, params=params, headers=world.a.headers)
        assert response.status_code == 200, response.text
        return [item["barrier"] for item in response.json()["items"]]

    assert await barriers() == ["Second", "First"]
    assert await barriers(status="acknowledged") == ["Second"]
    assert await barriers(cycle_id=str(cycle.id)) == ["First"]
    assert await barriers(programme_id=str(world.programme.id)) == ["Second", "First"]
    assert await barriers(programme_id=str(world.other_programme.id)) == []
    assert await barriers(limit="1") == ["Second"]
    bad = await client.get(URL, params={"status": "lost"}, headers=world.a.headers)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["parameter"] == "status"


async def test_patch_and_delete_need_a_current_if_match(
    client: httpx.AsyncClient, world: World
) -> None:
    item = await create_feedback_item(world.state, world.a.organisation, world.programme)
    url = f"{URL}/{item.id}"
    missing = await client.patch(url, json={"status": "acknowledged"}, headers=world.a.headers)
    assert missing.status_code == 428
    assert (await client.delete(url, headers=world.a.headers)).status_code == 428
    stale = await client.patch(url, json={"status": "acknowledged"}, headers=if_match(world, 5))
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 1
    assert (await client.delete(url, headers=if_match(world, 5))).status_code == 412
    unchanged = await client.get(url, headers=world.a.headers)
    assert unchanged.json()["status"] == "raised"


async def test_idempotency_key_replays_the_first_response(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = {**world.a.headers, "Idempotency-Key": "barrier-signature-1"}
    first = await client.post(URL, json=new_item(world), headers=headers)
    assert first.status_code == 201
    again = await client.post(URL, json=new_item(world), headers=headers)
    assert again.status_code == 201
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert await count_items(world) == 1
    other = await client.post(URL, json=new_item(world, barrier="Other"), headers=headers)
    assert other.status_code == 422
    assert other.json()["type"].endswith("idempotency_key_reused")
    assert await count_items(world) == 1


async def test_another_organisation_sees_nothing_and_a_partner_only_reads(
    client: httpx.AsyncClient, world: World
) -> None:
    private = await create_feedback_item(
        world.state, world.a.organisation, world.programme, barrier="Private"
    )
    shared = await create_feedback_item(
        world.state, world.a.organisation, world.programme, barrier="Shared", visibility="programme"
    )
    for party, sees_shared in ((world.b, True), (world.c, False)):
        listed = await client.get(URL, headers=party.headers)
        assert [i["barrier"] for i in listed.json()["items"]] == (["Shared"] if sees_shared else [])
        assert (await client.get(f"{URL}/{private.id}", headers=party.headers)).status_code == 404
        read_shared = await client.get(f"{URL}/{shared.id}", headers=party.headers)
        assert read_shared.status_code == (200 if sees_shared else 404)
        for item in (private, shared):
            write = {**party.headers, "If-Match": '"1"'}
            patched = await client.patch(
                f"{URL}/{item.id}", json={"status": "acknowledged"}, headers=write
            )
            assert patched.status_code == 404
            assert (await client.delete(f"{URL}/{item.id}", headers=write)).status_code == 404
    for item in (private, shared):
        still = await client.get(f"{URL}/{item.id}", headers=world.a.headers)
        assert still.json()["version"] == 1
        assert await audit_rows(world, item.id) == []


async def test_scopes_gate_reads_and_writes(client: httpx.AsyncClient, world: World) -> None:
    reader = {"Authorization": f"Bearer {await world.token(world.a, ['cycles:read'])}"}
    assert (await client.get(URL, headers=reader)).status_code == 200
    assert (await client.post(URL, json=new_item(world), headers=reader)).status_code == 403
    assert (await client.get(URL)).status_code == 401
