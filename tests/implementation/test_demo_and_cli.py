"""The ANEW demo's implementation data, and `hub instruments load`."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import select
from sqlmodel import col

from api.state import AppState
from domain import demo
from domain.implementation.models import Assessment, Implementation, Instrument
from domain.tenancy.models import Organisation
from tests.factories import create_party
from tests.implementation.factories import uow
from tests.test_cli import hub


async def test_demo_shows_stages_and_growth(client: httpx.AsyncClient, app_state: AppState) -> None:
    async with uow(app_state) as work:
        await demo.seed(work)
        await work.commit()
    async with app_state.database.sessionmaker() as session:
        dundee = (
            await session.scalars(
                select(Organisation).where(col(Organisation.name) == "Dundee City Council")
            )
        ).one()
    party = await create_party(app_state, dundee)
    listed = (await client.get("/v1/implementations", headers=party.headers)).json()["items"]
    assert len(listed) == 5
    assert {i["stage"] for i in listed} == {
        "exploration",
        "initial_implementation",
        "full_implementation",
    }
    teams = (await client.get("/v1/teams", headers=party.headers)).json()["items"]
    dundee_team = next(t for t in teams if t["name"] == "Dundee implementation team")
    assert len({m["organisation_id"] for m in dundee_team["members"]}) == 3
    async with app_state.database.sessionmaker() as session:
        checklist = (
            await session.scalars(
                select(Instrument).where(col(Instrument.key) == "stage-checklist")
            )
        ).one()
        tac = (
            await session.scalars(
                select(col(Assessment.subject_id)).where(
                    col(Assessment.instrument_id) == checklist.id
                )
            )
        ).first()
    series = await client.get(
        "/v1/assessments/series",
        params={"instrument_id": str(checklist.id), "subject_id": str(tac)},
        headers=party.headers,
    )
    overall = [p["overall"] for p in series.json()["points"]]
    assert len(overall) == 3
    assert overall == sorted(overall)
    assert overall[0] < overall[-1]
    timeline = await client.get(f"/v1/implementations/{tac}/timeline", headers=party.headers)
    assert [p["stage"] for p in timeline.json()["periods"]] == [
        "exploration",
        "installation",
        "initial_implementation",
        "full_implementation",
    ]
    actions = await client.get(f"/v1/teams/{dundee_team['id']}/actions", headers=party.headers)
    assert [a["item_key"] for a in actions.json()] == ["ini-fidelity"]
    programme_id = listed[0]["programme_id"]
    summary = await client.get(
        f"/v1/programmes/{programme_id}/stage-summary", headers=party.headers
    )
    assert len(summary.json()["by_innovation"]) == 2
    async with app_state.database.sessionmaker() as session:
        assert len((await session.scalars(select(Implementation))).all()) == 5


async def test_cli_loads_files_and_names_the_bad_item(
    app_state: AppState, database_url: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "key: mine\nversion: '1'\nname: Mine\napplies_to: team\n"
        "scale: [{value: 0, label: Not yet}, {value: 1, label: Done}]\n"
        "sections:\n  - key: s\n    title: S\n    items:\n"
        "      - {key: a, text: A}\n      - {key: b, text: B, scale: [{value: 2, label: x}]}\n"
    )
    refused = await hub(
        "instruments", "load", str(bad), database_url=database_url, data_dir=tmp_path
    )
    assert refused.returncode == 1
    assert "/sections/0/items/1/scale" in refused.stderr
    good = tmp_path / "good.yaml"
    good.write_text(bad.read_text().replace(", scale: [{value: 2, label: x}]", ""))
    loaded = await hub(
        "instruments", "load", str(good), database_url=database_url, data_dir=tmp_path
    )
    assert loaded.returncode == 0, loaded.stderr
    assert "loaded mine v1" in loaded.stdout
    built_in = await hub(
        "instruments", "load", "--built-in", database_url=database_url, data_dir=tmp_path
    )
    assert built_in.returncode == 0, built_in.stderr
    assert "stage-checklist v1" in built_in.stdout
