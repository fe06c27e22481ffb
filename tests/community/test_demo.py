"""The ANEW demo's community of practice: past sessions with attendance, a dozen resources
of several kinds, two threads and the glossary, seen as a partner and as the public."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlmodel import col

from api.state import AppState
from domain import demo
from domain.shared.uow import UnitOfWork
from domain.tenancy.models import Organisation
from tests.factories import create_party


async def test_demo_community(app_state: AppState, client: httpx.AsyncClient) -> None:
    async with UnitOfWork(app_state.database.sessionmaker) as uow:
        assert await demo.seed(uow) is not None
    async with app_state.database.sessionmaker() as session:
        dundee = (
            await session.scalars(
                select(Organisation).where(col(Organisation.name) == "Dundee City Council")
            )
        ).one()
    partner = await create_party(app_state, dundee, scopes=["content:read"])

    communities = (await client.get("/v1/communities", headers=partner.headers)).json()["items"]
    assert [c["name"] for c in communities] == ["ANEW community of practice"]
    community_id = communities[0]["id"]
    members = (
        await client.get(f"/v1/communities/{community_id}/members", headers=partner.headers)
    ).json()["items"]
    assert [m["display_name"] for m in members if m["role"] == "moderator"] == [
        "ANEW programme manager"
    ]

    past = (
        await client.get("/v1/events", params={"when": "past"}, headers=partner.headers)
    ).json()["items"]
    assert len(past) == 4
    attendance = (
        await client.get(f"/v1/events/{past[0]['id']}/attendance", headers=partner.headers)
    ).json()
    assert attendance["total"] == 40

    resources = (
        await client.get("/v1/resources", params={"limit": 100}, headers=partner.headers)
    ).json()["items"]
    kinds = {r["kind"] for r in resources}
    assert len(resources) == 12  # the thirteenth is a draft of the national team
    assert {"faq", "practice_profile", "reflection"} <= kinds
    assert sum(r["kind"] == "faq" for r in resources) == 5
    public = (await client.get("/v1/resources", params={"limit": 100})).json()["items"]
    assert {r["visibility"] for r in public} == {"public"}
    assert len(public) == 7

    threads = (await client.get("/v1/threads", headers=partner.headers)).json()["items"]
    assert len(threads) == 2
    assert (await client.get("/v1/threads")).json()["items"] == []

    glossary = (await client.get("/v1/glossary", params={"limit": 200})).json()["items"]
    assert len(glossary) >= 25
    found = (await client.get("/v1/search", params={"q": "implementation team"})).json()
    assert found["total"] > 0
    assert all(hit["type"] in {"resource", "glossary"} for hit in found["items"])
