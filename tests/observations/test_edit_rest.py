"""Reading, listing, editing and deleting one's own observations; nobody else sees them."""

from __future__ import annotations

import httpx

from domain.shared.ids import new_id
from tests.factories import World, create_measure, create_party
from tests.observations.helpers import PROBLEM, count_observations, general, when


async def _submit(client: httpx.AsyncClient, world: World, **fields: object) -> dict[str, object]:
    response = await client.post(
        "/v1/observations", json=general(world, **fields), headers=world.a.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


async def test_read_list_edit_delete(client: httpx.AsyncClient, world: World) -> None:
    first = await _submit(client, world)
    second = await _submit(client, world, tags=["coaching"])
    url = f"/v1/observations/{first['id']}"

    read = await client.get(url, headers=world.a.headers)
    assert read.status_code == 200
    assert read.headers["ETag"] == '"1"'
    listed = await client.get("/v1/observations?limit=1", headers=world.a.headers)
    page = listed.json()
    assert len(page["items"]) == 1
    assert page["next_cursor"]
    rest = await client.get(
        f"/v1/observations?limit=1&cursor={page['next_cursor']}", headers=world.a.headers
    )
    assert {page["items"][0]["id"], rest.json()["items"][0]["id"]} == {first["id"], second["id"]}

    missing = await client.patch(url, json={"text": "Edited"}, headers=world.a.headers)
    assert missing.status_code == 428
    edited = await client.patch(
        url, json={"text": "Edited", "tags": []}, headers={**world.a.headers, "If-Match": '"1"'}
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["text"] == "Edited"
    assert edited.json()["version"] == 2

    # A stale edit from a second device: 412 with the current record to show both.
    stale = await client.patch(
        url, json={"text": "Other device"}, headers={**world.a.headers, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"] == PROBLEM
    assert stale.json()["current_version"] == 2
    assert stale.json()["current"]["text"] == "Edited"

    refused = await client.patch(
        url,
        json={"ratings": [], "received_at": when()},
        headers={**world.a.headers, "If-Match": '"2"'},
    )
    assert refused.status_code == 422

    stale_delete = await client.delete(url, headers={**world.a.headers, "If-Match": '"1"'})
    assert stale_delete.status_code == 412
    deleted = await client.delete(url, headers={**world.a.headers, "If-Match": '"2"'})
    assert deleted.status_code == 204
    assert (await client.get(url, headers=world.a.headers)).status_code == 404
    # The row stays as a tombstone; a resend of the original is not stored again.
    assert await count_observations(world) == 2
    resend = await client.post(
        "/v1/observations",
        json={k: v for k, v in first.items() if k in general(world)},
        headers=world.a.headers,
    )
    assert resend.status_code in (409, 410)
    assert await count_observations(world) == 2


async def test_edit_of_a_data_point_observation_updates_the_point(
    client: httpx.AsyncClient, world: World
) -> None:
    measure = await create_measure(world.state, world.a.organisation, world.programme)
    body = {
        "id": str(new_id()),
        "kind": "data_point",
        "observed_at": when(1),
        "measure_id": str(measure.id),
        "period": "2026-09-01",
        "value": 3,
    }
    assert (await client.post("/v1/observations", json=body, headers=world.a.headers)).is_success
    response = await client.patch(
        f"/v1/observations/{body['id']}",
        json={"value": 4},
        headers={**world.a.headers, "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    point = await client.get(
        f"/v1/measures/{measure.id}/points/2026-09-01", headers=world.a.headers
    )
    assert point.json()["value"] == 4


async def test_nobody_else_sees_or_changes_them(client: httpx.AsyncClient, world: World) -> None:
    mine = await _submit(client, world)
    url = f"/v1/observations/{mine['id']}"
    colleague = await create_party(world.state, world.a.organisation)
    for party in (world.b, world.c, colleague):
        assert (await client.get(url, headers=party.headers)).status_code == 404
        patch = await client.patch(
            url, json={"text": "x"}, headers={**party.headers, "If-Match": '"1"'}
        )
        assert patch.status_code == 404
        delete = await client.delete(url, headers={**party.headers, "If-Match": '"1"'})
        assert delete.status_code == 404
        listed = await client.get("/v1/observations", headers=party.headers)
        assert listed.json()["items"] == []
        # A resend of its id by someone else is a conflict that shows nothing of it.
        clash = await client.post(
            "/v1/observations/batch",
            json={"items": [general(world, id=mine["id"], text="Theirs")]},
            headers=party.headers,
        )
        [result] = clash.json()["results"]
        assert result["status"] in ("conflict", "rejected")
        assert result["observation"] is None
    read = await client.get(url, headers=world.a.headers)
    assert read.json()["text"] == mine["text"]
    assert read.json()["version"] == 1
