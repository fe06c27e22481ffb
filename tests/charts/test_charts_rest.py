"""Charts of measures over REST: run, XmR and P charts, rebase marks, annotations, access."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import httpx

from domain.improvement.measures.models import Measure
from domain.improvement.models import CycleTransition
from tests.factories import World, add, create_cycle, create_measure, create_point

# Twelve months around 20, then a sustained drop to around 12: a shift after the change.
BEFORE = [21, 19, 22, 20, 18, 21, 20, 23, 19, 20, 22, 19]
AFTER = [13, 12, 14, 11, 12, 13, 12, 11]


def month(index: int) -> date:
    return date(2022 + index // 12, index % 12 + 1, 1)


async def measure_with_points(world: World, **fields: Any) -> Measure:
    measure = await create_measure(
        world.state,
        world.a.organisation,
        world.programme,
        value_type="measurement",
        direction="decrease",
        **fields,
    )
    for index, value in enumerate(BEFORE + AFTER):
        await create_point(world.state, measure, month(index), value=float(value))
    return measure


async def chart(
    client: httpx.AsyncClient, world: World, measure: Measure, **params: str
) -> dict[str, Any]:
    response = await client.get(
        f"/v1/measures/{measure.id}/chart", params=params, headers=world.a.headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def signals(body: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [
        (s["rule"], s["direction"]) for seg in body["chart"]["segments"] for s in seg["signals"]
    ]


async def test_run_chart_finds_the_shift_after_the_change(
    client: httpx.AsyncClient, world: World
) -> None:
    measure = await measure_with_points(world)
    body = await chart(client, world, measure, baseline="first:12")
    assert body["type"] == "run"
    segment = body["chart"]["segments"][0]
    assert segment["median"] == 20.0
    assert list(segment["baseline_indices"]) == list(range(12))
    assert ("shift", "down") in signals(body)
    shift = next(s for s in segment["signals"] if s["rule"] == "shift")
    # December's 19 is already below the median: the run starts there.
    assert shift["indices"] == list(range(11, 20))
    anhoej = await chart(client, world, measure, baseline="first:12", rules="anhoej")
    assert anhoej["chart"]["segments"][0]["anhoej_test"]["unusually_long_run"] is True


async def test_a_rebase_mark_starts_a_new_segment(client: httpx.AsyncClient, world: World) -> None:
    measure = await measure_with_points(world)
    url = f"/v1/measures/{measure.id}/rebases/{month(12).isoformat()}"
    missing = await client.put(url, json={"note": "New TAC slot"}, headers=world.a.headers)
    assert missing.status_code == 428
    put = await client.put(
        url, json={"note": "New TAC slot"}, headers={**world.a.headers, "If-Match": '"1"'}
    )
    assert put.status_code == 201, put.text
    assert put.headers["etag"] == '"2"'
    body = await chart(client, world, measure)
    segments = body["chart"]["segments"]
    assert [len(s["point_indices"]) for s in segments] == [12, 8]
    assert segments[1]["median"] == 12.0
    assert body["rebases"][0]["note"] == "New TAC slot"
    # The measure's ETag moved with its rebase marks.
    read = await client.get(f"/v1/measures/{measure.id}", headers=world.a.headers)
    assert read.headers["etag"] == '"2"'

    stale = await client.delete(url, headers={**world.a.headers, "If-Match": '"1"'})
    assert stale.status_code == 412
    removed = await client.delete(url, headers={**world.a.headers, "If-Match": '"2"'})
    assert removed.status_code == 204
    again = await client.delete(url, headers={**world.a.headers, "If-Match": '"3"'})
    assert again.status_code == 404
    assert len((await chart(client, world, measure))["chart"]["segments"]) == 1

    mid_month = f"/v1/measures/{measure.id}/rebases/2022-03-15"
    bad = await client.put(mid_month, json={}, headers={**world.a.headers, "If-Match": '"3"'})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["parameter"] == "period"


async def test_a_rebase_answer_is_the_documented_mark(
    client: httpx.AsyncClient, world: World
) -> None:
    # The answer used to be {period, note} only, without the RebaseMark's created_by and
    # created_at; and the 201 for a new mark was not in the OpenAPI document.
    document = (await client.get("/openapi.json")).json()
    documented = document["paths"]["/v1/measures/{measure_id}/rebases/{period}"]["put"]
    assert documented["responses"]["201"]["content"] == documented["responses"]["200"]["content"]
    required = set(document["components"]["schemas"]["RebaseMark"]["required"])
    measure = await measure_with_points(world)
    url = f"/v1/measures/{measure.id}/rebases/{month(12).isoformat()}"
    answers = []
    for version, note in (
        (1, "New TAC slot"),
        (2, "New TAC slot, Thursdays"),
        (3, "New TAC slot, Thursdays"),
    ):
        put = await client.put(
            url, json={"note": note}, headers={**world.a.headers, "If-Match": f'"{version}"'}
        )
        answers.append(put.status_code)
        body = put.json()
        assert required <= set(body), body
        assert body["note"] == note
        assert body["created_by"] == f"client:{world.a.client.client_id}"
    assert answers == [201, 200, 200]
    charted = (await chart(client, world, measure))["rebases"][0]
    assert body == charted


async def test_xmr_and_p_charts(client: httpx.AsyncClient, world: World) -> None:
    measure = await measure_with_points(world)
    xmr = await chart(client, world, measure, type="xmr", baseline="first:12")
    segment = xmr["chart"]["segments"][0]
    assert segment["centre"] == sum(BEFORE) / 12
    assert segment["upper_limit"] > segment["centre"] > segment["lower_limit"]
    fired = {rule for point in xmr["chart"]["points"] for rule in point["rules"]}
    assert fired  # the drop breaks the limits or the run-of-eight rule

    not_proportion = await client.get(
        f"/v1/measures/{measure.id}/chart", params={"type": "p"}, headers=world.a.headers
    )
    assert not_proportion.status_code == 422
    assert not_proportion.json()["errors"][0]["parameter"] == "type"

    proportion = await create_measure(
        world.state,
        world.a.organisation,
        world.programme,
        value_type="proportion",
        name="Contacts before birth",
    )
    for index, (num, den) in enumerate([(8, 20), (9, 25), (10, 22), (7, 18), (30, 31), (28, 30)]):
        await create_point(
            world.state,
            proportion,
            month(index),
            value=num / den,
            numerator=num,
            denominator=den,
        )
    p = await chart(client, world, proportion, type="p")
    limits = [point["upper_limit"] for point in p["chart"]["points"]]
    assert len(set(limits)) > 1  # the limits follow each month's denominator


async def test_bad_chart_parameters(client: httpx.AsyncClient, world: World) -> None:
    measure = await measure_with_points(world)
    for params, name in (
        ({"baseline": "first:zero"}, "baseline"),
        ({"baseline": "between:2022-01-01"}, "baseline"),
        ({"baseline": "between:2030-01-01,2030-02-01"}, "baseline"),
        ({"type": "pie"}, "type"),
        ({"rules": "vibes"}, "rules"),
    ):
        response = await client.get(
            f"/v1/measures/{measure.id}/chart", params=params, headers=world.a.headers
        )
        assert response.status_code == 422, (params, response.text)
        assert response.json()["errors"][0]["parameter"] == name


async def test_a_point_in_the_last_period_of_the_calendar_charts(
    client: httpx.AsyncClient, world: World
) -> None:
    # Its period ends after 9999-12-31; working out that end used to overflow (a 500).
    for reporting, last in (
        ("week", date(9999, 12, 27)),
        ("month", date(9999, 12, 1)),
        ("quarter", date(9999, 10, 1)),
    ):
        measure = await create_measure(
            world.state, world.a.organisation, world.programme, reporting_period=reporting
        )
        await create_point(world.state, measure, date(2024, 1, 1), value=3.0)
        await create_point(world.state, measure, last, value=5.0)
        for kind in ("run", "xmr"):
            body = await chart(client, world, measure, type=kind)
            labels = [p["label"] for p in body["chart"]["points"]]
            assert labels[-1] == last.isoformat(), (reporting, kind)


async def test_cycles_in_their_do_phase_annotate_the_periods(
    client: httpx.AsyncClient, world: World
) -> None:
    measure = await measure_with_points(world, visibility="programme")
    tried = await create_cycle(
        world.state,
        world.a.organisation,
        world.programme,
        title="Thursday slot",
        status="study",
        visibility="programme",
    )
    hidden = await create_cycle(
        world.state, world.b.organisation, world.programme, title="Tayside private", status="do"
    )
    await add(
        world.state,
        CycleTransition(
            cycle_id=tried.id,
            from_status="plan",
            to_status="do",
            occurred_at=datetime(2022, 12, 20, tzinfo=UTC),
            actor="test",
        ),
        CycleTransition(
            cycle_id=tried.id,
            from_status="do",
            to_status="study",
            occurred_at=datetime(2023, 2, 10, tzinfo=UTC),
            actor="test",
        ),
        CycleTransition(
            cycle_id=hidden.id,
            from_status="plan",
            to_status="do",
            occurred_at=datetime(2023, 1, 5, tzinfo=UTC),
            actor="test",
        ),
    )
    body = await chart(client, world, measure)
    annotated = {a["period"]: [c["title"] for c in a["cycles"]] for a in body["annotations"]}
    assert annotated == {
        "2022-12-01": ["Thursday slot"],
        "2023-01-01": ["Thursday slot"],
        "2023-02-01": ["Thursday slot"],
    }
    # world.b's private cycle is hidden from world.a's chart above, but world.b sees its own.
    partner = await client.get(f"/v1/measures/{measure.id}/chart", headers=world.b.headers)
    titles = {c["title"] for a in partner.json()["annotations"] for c in a["cycles"]}
    assert titles == {"Thursday slot", "Tayside private"}


async def test_charts_follow_measure_visibility(client: httpx.AsyncClient, world: World) -> None:
    private = await measure_with_points(world)
    for party in (world.b, world.c):
        response = await client.get(f"/v1/measures/{private.id}/chart", headers=party.headers)
        assert response.status_code == 404
        put = await client.put(
            f"/v1/measures/{private.id}/rebases/2022-06-01",
            json={},
            headers={**party.headers, "If-Match": '"1"'},
        )
        assert put.status_code == 404
    shared = await measure_with_points(world, visibility="programme", name="Shared")
    assert (
        await client.get(f"/v1/measures/{shared.id}/chart", headers=world.b.headers)
    ).status_code == 200
    partner_write = await client.put(
        f"/v1/measures/{shared.id}/rebases/2022-06-01",
        json={},
        headers={**world.b.headers, "If-Match": '"1"'},
    )
    assert partner_write.status_code == 404
    anonymous = await client.get(f"/v1/measures/{shared.id}/chart")
    assert anonymous.status_code == 401
