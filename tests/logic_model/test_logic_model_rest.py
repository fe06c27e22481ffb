"""A programme's logic model over REST: read, create, replace, and every refusal changing
nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.factories import World, create_measure
from tests.logic_model.helpers import (
    Linked,
    audit_events,
    count_logic_models,
    document,
    ids,
    linked_measures,
    stored,
    url,
)
from tests.measures.helpers import PROBLEM


def _with(headers: dict[str, str], if_match: str | None) -> dict[str, str]:
    return headers if if_match is None else {**headers, "If-Match": if_match}


async def _create(client: httpx.AsyncClient, world: World, linked: Linked) -> dict[str, Any]:
    response = await client.put(
        url(world), json=document(linked), headers=_with(world.a.headers, '"0"')
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_programme_without_one_reads_as_empty_version_0(
    client: httpx.AsyncClient, world: World
) -> None:
    for party in (world.a, world.b):
        response = await client.get(url(world), headers=party.headers)
        assert response.status_code == 200, response.text
        assert response.headers["etag"] == '"0"'
        assert response.json() == {
            "programme_id": str(world.programme.id),
            "inputs": [],
            "activities": [],
            "outputs": [],
            "short_term_outcomes": [],
            "medium_term_outcomes": [],
            "long_term_outcomes": [],
            "version": 0,
            "updated_at": None,
            "updated_by": None,
        }
    assert await count_logic_models(world) == 0


async def test_create_with_if_match_0_fills_ids_and_resolves_measures(
    client: httpx.AsyncClient, world: World
) -> None:
    linked = await linked_measures(world)
    kept = "0190a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b"
    sent = document(linked)
    sent["inputs"][0]["id"] = kept
    response = await client.put(url(world), json=sent, headers=_with(world.a.headers, '"0"'))
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"1"'
    body = response.json()
    assert body["version"] == 1
    assert body["updated_by"] == f"client:{world.a.client.client_id}"
    assert datetime.fromisoformat(body["updated_at"])
    assert body["inputs"][0] == {"id": kept, "text": "Improvement advisers"}
    every_item = [item for name in sent for item in body[name]]
    assert len({item["id"] for item in every_item}) == len(every_item) == 7
    short = body["short_term_outcomes"][0]
    assert short["measure_ids"] == [str(linked.lead_shared.id), str(linked.lead_private.id)]
    assert short["measures"] == [
        {"id": str(linked.lead_shared.id), "name": "TAC within ten days", "kind": "process"},
        {"id": str(linked.lead_private.id), "name": "Named person workload", "kind": "balancing"},
    ]
    assert body["medium_term_outcomes"][0]["measures"] == [
        {"id": str(linked.partner_shared.id), "name": "Pre-birth contacts", "kind": "outcome"}
    ]
    assert body["long_term_outcomes"][0]["measures"] == []

    read = await client.get(url(world), headers=world.a.headers)
    assert read.status_code == 200
    assert read.headers["etag"] == '"1"'
    assert read.json() == body
    cached = await client.get(url(world), headers={**world.a.headers, "If-None-Match": '"1"'})
    assert cached.status_code == 304


async def test_members_see_only_the_linked_measures_they_may_see(
    client: httpx.AsyncClient, world: World
) -> None:
    linked = await linked_measures(world)
    created = await _create(client, world, linked)
    partner = (await client.get(url(world), headers=world.b.headers)).json()
    # A's private measure is neither named nor listed for B, but it stays linked.
    assert partner["short_term_outcomes"][0]["measure_ids"] == [str(linked.lead_shared.id)]
    assert [m["name"] for m in partner["short_term_outcomes"][0]["measures"]] == [
        "TAC within ten days"
    ]
    assert partner["inputs"] == created["inputs"]
    stored_row = await stored(world)
    assert stored_row is not None
    assert stored_row[1]["short_term_outcomes"][0]["measure_ids"] == [
        str(linked.lead_shared.id),
        str(linked.lead_private.id),
    ]


async def test_deleted_measures_drop_out_of_the_read(
    client: httpx.AsyncClient, world: World
) -> None:
    linked = await linked_measures(world)
    await _create(client, world, linked)
    deleted = await client.delete(
        f"/v1/measures/{linked.lead_shared.id}", headers=_with(world.a.headers, '"1"')
    )
    assert deleted.status_code == 204
    body = (await client.get(url(world), headers=world.a.headers)).json()
    assert body["short_term_outcomes"][0]["measure_ids"] == [str(linked.lead_private.id)]


async def test_replace_keeps_ids_sent_and_records_before_and_after(
    client: httpx.AsyncClient, world: World
) -> None:
    linked = await linked_measures(world)
    created = await _create(client, world, linked)
    replacement = {
        "inputs": [created["inputs"][1]],
        "outputs": [{"text": "Pre-birth contacts at 32 weeks"}],
        "short_term_outcomes": [
            {
                "id": created["short_term_outcomes"][0]["id"],
                "text": "Concerns are met within ten days",
                "measure_ids": [str(linked.partner_shared.id)],
            }
        ],
    }
    response = await client.put(url(world), json=replacement, headers=_with(world.a.headers, '"1"'))
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    body = response.json()
    assert body["version"] == 2
    assert body["inputs"] == [created["inputs"][1]]
    assert body["activities"] == []  # a list left out is empty
    assert ids(body["short_term_outcomes"]) == ids(created["short_term_outcomes"])
    assert body["short_term_outcomes"][0]["measures"][0]["name"] == "Pre-birth contacts"
    assert body["medium_term_outcomes"] == body["long_term_outcomes"] == []

    events = await audit_events(world)
    assert [(e.action, e.entity_id) for e in events] == [
        ("create", world.programme.id),
        ("update", world.programme.id),
    ]
    assert events[0].changes["before"] is None
    assert events[0].changes["version"] == [0, 1]
    assert events[1].changes["version"] == [1, 2]
    assert events[1].changes["before"]["inputs"] == created["inputs"]
    assert events[1].changes["after"]["outputs"][0]["text"] == "Pre-birth contacts at 32 weeks"
    assert events[1].actor == f"client:{world.a.client.client_id}"

    # The same document again (ids and all) is no change: no new version, no audit row.
    again = {name: body[name] for name in replacement}
    for outcome in again["short_term_outcomes"]:
        outcome.pop("measures")
    same = await client.put(url(world), json=again, headers=_with(world.a.headers, '"2"'))
    assert same.status_code == 200, same.text
    assert same.headers["etag"] == '"2"'
    assert len(await audit_events(world)) == 2


async def test_stale_and_missing_if_match(client: httpx.AsyncClient, world: World) -> None:
    linked = await linked_measures(world)
    missing = await client.put(url(world), json=document(linked), headers=world.a.headers)
    assert missing.status_code == 428
    assert missing.headers["content-type"] == PROBLEM
    too_new = await client.put(
        url(world), json=document(linked), headers=_with(world.a.headers, '"1"')
    )
    assert too_new.status_code == 412
    assert too_new.json()["current_version"] == 0
    assert await stored(world) is None

    created = await _create(client, world, linked)
    before = await stored(world)
    for if_match, status in ((None, 428), ('"0"', 412), ('"2"', 412)):
        response = await client.put(
            url(world), json={"inputs": []}, headers=_with(world.a.headers, if_match)
        )
        assert response.status_code == status, response.text
        if status == 412:
            assert response.json()["current_version"] == 1
            assert response.headers["etag"] == '"1"'
    assert await stored(world) == before
    assert (await client.get(url(world), headers=world.a.headers)).json() == created
    assert len(await audit_events(world)) == 1


@pytest.mark.parametrize(
    ("which", "code"),
    [
        ("elsewhere", "wrong_programme"),
        ("partner_private", "not_found"),  # B's private measure: A may not see it
        ("outsider", "not_found"),  # C's, in C's programme
        ("deleted", "not_found"),
        ("unknown", "not_found"),
    ],
)
async def test_links_to_measures_that_may_not_be_linked_are_refused(
    client: httpx.AsyncClient, world: World, which: str, code: str
) -> None:
    linked = await linked_measures(world)
    created = await _create(client, world, linked)
    if which == "deleted":
        bad = str(
            (
                await create_measure(
                    world.state,
                    world.a.organisation,
                    world.programme,
                    deleted_at=datetime.fromisoformat("2025-01-01T00:00:00+00:00"),
                )
            ).id
        )
    elif which == "unknown":
        bad = "0190a3c4-0000-7000-8000-000000000000"
    elif which == "elsewhere":
        # A's own measure, so A sees it, but of another programme.
        other = await create_measure(
            world.state, world.a.organisation, world.other_programme, name="A elsewhere"
        )
        bad = str(other.id)
    elif which == "outsider":
        bad = str(linked.elsewhere.id)
    else:
        bad = str(getattr(linked, which).id)
    body = document(linked)
    body["short_term_outcomes"][0]["measure_ids"] = [str(linked.lead_shared.id), bad]
    response = await client.put(url(world), json=body, headers=_with(world.a.headers, '"1"'))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    errors = response.json()["errors"]
    assert [(e["pointer"], e["code"]) for e in errors] == [
        ("/short_term_outcomes/0/measure_ids/1", code)
    ]
    assert (await client.get(url(world), headers=world.a.headers)).json() == created
    assert len(await audit_events(world)) == 1


async def test_shape_errors_point_at_the_field(client: httpx.AsyncClient, world: World) -> None:
    linked = await linked_measures(world)
    lead = linked.lead_shared.id
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"inputs": [{"text": "Staff", "colour": "red"}]}, "/inputs/0/colour", "unknown_field"),
        ({"outcomes": []}, "/outcomes", "unknown_field"),
        ({"version": 3}, "/version", "server_owned"),
        ({"inputs": [{"text": "   "}]}, "/inputs/0/text", "value_error"),
        ({"outputs": [{"text": "x" * 2001}]}, "/outputs/0/text", "string_too_long"),
        ({"activities": [{"text": "a"}] * 51}, "/activities", "too_long"),
        (
            {"inputs": [{"text": "a", "measure_ids": [str(lead)]}]},
            "/inputs/0/measure_ids",
            "unknown_field",
        ),
        (
            {"long_term_outcomes": [{"text": "a", "measure_ids": ["nope"]}]},
            "/long_term_outcomes/0/measure_ids/0",
            "uuid_parsing",
        ),
        (
            {
                "inputs": [{"id": "0190a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b", "text": "a"}],
                "outputs": [{"id": "0190a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b", "text": "b"}],
            },
            "/outputs/0/id",
            "duplicate",
        ),
        (
            {"short_term_outcomes": [{"text": "a", "measure_ids": [str(lead), str(lead)]}]},
            "/short_term_outcomes/0/measure_ids/1",
            "duplicate",
        ),
    ]
    for body, pointer, code in cases:
        response = await client.put(url(world), json=body, headers=_with(world.a.headers, '"0"'))
        assert response.status_code == 422, (body, response.text)
        errors = [(e["pointer"], e["code"]) for e in response.json()["errors"]]
        assert errors == [(pointer, code)], (body, errors)
    assert await count_logic_models(world) == 0
    assert await audit_events(world) == []


async def test_only_the_lead_writes_and_outsiders_see_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    linked = await linked_measures(world)
    # B is a member (it may read) but not the lead: 403, even to create the first one.
    partner = await client.put(
        url(world), json=document(linked), headers=_with(world.b.headers, '"0"')
    )
    assert partner.status_code == 403, partner.text
    assert partner.json()["type"].endswith(":forbidden")
    assert await count_logic_models(world) == 0

    created = await _create(client, world, linked)
    partner = await client.put(url(world), json={}, headers=_with(world.b.headers, '"1"'))
    assert partner.status_code == 403
    # C belongs to another programme: it cannot tell this one has a logic model.
    outsider_read = await client.get(url(world), headers=world.c.headers)
    outsider_write = await client.put(url(world), json={}, headers=_with(world.c.headers, '"1"'))
    assert outsider_read.status_code == outsider_write.status_code == 404
    assert outsider_read.json()["detail"] == outsider_write.json()["detail"]
    unknown = await client.get(
        "/v1/programmes/0190a3c4-0000-7000-8000-000000000000/logic-model", headers=world.a.headers
    )
    assert unknown.status_code == 404
    # A read-only token of the lead cannot write.
    read_only = await world.token(world.a, ["cycles:read"])
    refused = await client.put(
        url(world),
        json={},
        headers={"Authorization": f"Bearer {read_only}", "If-Match": '"1"'},
    )
    assert refused.status_code == 403
    assert refused.json()["type"].endswith(":insufficient_scope")
    anonymous = await client.get(url(world))
    assert anonymous.status_code == 401
    assert (await client.get(url(world), headers=world.a.headers)).json() == created
    assert len(await audit_events(world)) == 1
