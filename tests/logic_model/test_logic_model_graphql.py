"""A programme's logic model over GraphQL: the query and the mutation against their REST
twins, the same refusals, and outcome measures resolved in one statement."""

from __future__ import annotations

from typing import Any

import httpx

from api.graphql.ids import to_global_id
from tests.conftest import StatementCounter
from tests.factories import World
from tests.logic_model.helpers import (
    Linked,
    audit_events,
    count_logic_models,
    linked_measures,
    stored,
    url,
)
from tests.measures.helpers import gql

READ = """
query($programmeId: ID!) {
  logicModel(programmeId: $programmeId) {
    version updatedBy updatedAt programme { name }
    inputs { id text } activities { id text } outputs { id text }
    shortTermOutcomes { id text measures { databaseId name kind } }
    mediumTermOutcomes { id text measures { databaseId name kind } }
    longTermOutcomes { id text measures { databaseId name kind } }
  }
}
"""
PUT = """
mutation($input: PutLogicModelInput!) {
  putLogicModel(input: $input) {
    logicModel {
      version updatedBy
      inputs { id text } activities { id text } outputs { id text }
      shortTermOutcomes { id text measures { databaseId name kind } }
      mediumTermOutcomes { id text measures { databaseId name kind } }
      longTermOutcomes { id text measures { databaseId name kind } }
    }
    errors { code message field }
  }
}
"""


def _input(world: World, linked: Linked, version: int, **overrides: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "programmeId": to_global_id("Programme", world.programme.id),
        "expectedVersion": version,
        "inputs": [{"text": "Improvement advisers"}, {"text": "Protected practitioner time"}],
        "activities": [{"text": "Team Around the Child meetings in a standing weekly slot"}],
        "outputs": [{"text": "Meetings held within ten days of a concern"}],
        "shortTermOutcomes": [
            {
                "text": "Concerns are met quickly",
                # A global id and a raw UUID are both accepted.
                "measureIds": [
                    to_global_id("Measure", linked.lead_shared.id),
                    str(linked.lead_private.id),
                ],
            }
        ],
        "mediumTermOutcomes": [
            {"text": "Parents engaged before birth", "measureIds": [str(linked.partner_shared.id)]}
        ],
        "longTermOutcomes": [{"text": "Fewer children experience neglect"}],
    }
    value.update(overrides)
    return value


def _measure(row: Any) -> dict[str, str]:
    return {"databaseId": str(row.id), "name": row.name, "kind": row.kind}


async def test_query_reads_an_empty_model_then_the_one_put(
    client: httpx.AsyncClient, world: World
) -> None:
    linked = await linked_measures(world)
    programme_id = to_global_id("Programme", world.programme.id)
    empty = await gql(client, world.b.headers, READ, programmeId=programme_id)
    assert "errors" not in empty, empty
    assert empty["data"]["logicModel"] == {
        "version": 0,
        "updatedBy": None,
        "updatedAt": None,
        "programme": {"name": "ANEW"},
        "inputs": [],
        "activities": [],
        "outputs": [],
        "shortTermOutcomes": [],
        "mediumTermOutcomes": [],
        "longTermOutcomes": [],
    }

    put = await gql(client, world.a.headers, PUT, input=_input(world, linked, 0))
    payload = put["data"]["putLogicModel"]
    assert payload["errors"] == [], payload
    model = payload["logicModel"]
    assert model["version"] == 1
    assert model["updatedBy"] == f"client:{world.a.client.client_id}"
    assert model["shortTermOutcomes"][0]["measures"] == [
        _measure(linked.lead_shared),
        _measure(linked.lead_private),
    ]
    assert model["mediumTermOutcomes"][0]["measures"] == [_measure(linked.partner_shared)]

    # The same document as REST gives it, item for item.
    rest = (await client.get(url(world), headers=world.a.headers)).json()
    assert rest["version"] == 1
    for name, field in (("inputs", "inputs"), ("short_term_outcomes", "shortTermOutcomes")):
        assert [(i["id"], i["text"]) for i in rest[name]] == [
            (i["id"], i["text"]) for i in model[field]
        ]

    lead = await gql(client, world.a.headers, READ, programmeId=str(world.programme.id))
    read = lead["data"]["logicModel"]
    assert {k: v for k, v in read.items() if k not in ("updatedAt", "programme")} == model
    # B may read it, without A's private measure.
    partner = await gql(client, world.b.headers, READ, programmeId=programme_id)
    assert partner["data"]["logicModel"]["shortTermOutcomes"][0]["measures"] == [
        _measure(linked.lead_shared)
    ]
    events = await audit_events(world)
    assert [e.action for e in events] == ["create"]


async def test_mutation_replaces_with_expected_version(
    client: httpx.AsyncClient, world: World
) -> None:
    linked = await linked_measures(world)
    first = (await gql(client, world.a.headers, PUT, input=_input(world, linked, 0)))["data"]
    kept = first["putLogicModel"]["logicModel"]["inputs"][1]
    replaced = await gql(
        client,
        world.a.headers,
        PUT,
        input={
            "programmeId": str(world.programme.id),
            "expectedVersion": 1,
            "inputs": [kept],
            "longTermOutcomes": [
                {
                    "text": "Fewer children on the register",
                    "measureIds": [str(linked.lead_shared.id)],
                }
            ],
        },
    )
    model = replaced["data"]["putLogicModel"]["logicModel"]
    assert model["version"] == 2
    assert model["inputs"] == [kept]
    assert model["activities"] == model["shortTermOutcomes"] == []
    assert model["longTermOutcomes"][0]["measures"] == [_measure(linked.lead_shared)]
    assert [e.action for e in await audit_events(world)] == ["create", "update"]


async def test_mutation_refusals_match_rest_and_change_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    linked = await linked_measures(world)
    await gql(client, world.a.headers, PUT, input=_input(world, linked, 0))
    before = await stored(world)

    async def errors(party_headers: dict[str, str], value: dict[str, Any]) -> list[Any]:
        result = await gql(client, party_headers, PUT, input=value)
        assert "errors" not in result, result
        payload = result["data"]["putLogicModel"]
        assert payload["logicModel"] is None
        return [(e["code"], e["field"]) for e in payload["errors"]]

    stale = await errors(world.a.headers, _input(world, linked, 0))
    assert stale == [("precondition_failed", None)]
    hidden = _input(
        world,
        linked,
        1,
        shortTermOutcomes=[
            {
                "text": "a",
                "measureIds": [str(linked.lead_shared.id), str(linked.partner_private.id)],
            }
        ],
    )
    assert await errors(world.a.headers, hidden) == [
        ("not_found", "/input/shortTermOutcomes/0/measureIds/1")
    ]
    bad_id = _input(world, linked, 1, longTermOutcomes=[{"text": "a", "measureIds": ["nope"]}])
    assert await errors(world.a.headers, bad_id) == [
        ("invalid_id", "/input/longTermOutcomes/0/measureIds/0")
    ]
    blank = _input(world, linked, 1, outputs=[{"text": " "}])
    assert await errors(world.a.headers, blank) == [("value_error", "/input/outputs/0/text")]
    assert await errors(world.b.headers, _input(world, linked, 1)) == [("forbidden", None)]
    assert await errors(world.c.headers, _input(world, linked, 1)) == [("not_found", None)]
    assert await stored(world) == before
    assert await count_logic_models(world) == 1
    assert len(await audit_events(world)) == 1


async def test_outsiders_get_null_and_an_error(client: httpx.AsyncClient, world: World) -> None:
    result = await gql(
        client, world.c.headers, READ, programmeId=to_global_id("Programme", world.programme.id)
    )
    assert result["data"] == {"logicModel": None}
    assert result["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_outcome_measures_resolve_in_one_statement(
    client: httpx.AsyncClient, world: World, count_statements: StatementCounter
) -> None:
    linked = await linked_measures(world)
    measure_ids = [
        str(linked.lead_shared.id),
        str(linked.lead_private.id),
        str(linked.partner_shared.id),
    ]
    outcomes = [{"text": f"Outcome {n}", "measureIds": measure_ids} for n in range(10)]
    value = _input(world, linked, 0, shortTermOutcomes=outcomes, mediumTermOutcomes=outcomes)
    put = await gql(client, world.a.headers, PUT, input=value)
    assert put["data"]["putLogicModel"]["errors"] == []
    count_statements.statements.clear()
    result = await gql(client, world.a.headers, READ, programmeId=str(world.programme.id))
    model = result["data"]["logicModel"]
    assert all(len(o["measures"]) == 3 for o in model["shortTermOutcomes"])
    from_measures = [s for s in count_statements.statements if "FROM measures" in s]
    assert len(from_measures) == 1, from_measures
