"""The demo: people in several organisations and roles sign in to the public demo app with
the documented password, through the URL `make run` prints."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import select
from sqlmodel import col

from api.state import AppState
from domain import demo
from domain.identity import demo as identity_demo
from domain.identity.models import OAuthClient, User
from domain.shared.uow import UnitOfWork
from tests.identity.factories import bearer, hidden_fields


async def test_demo_people_sign_in_to_the_demo_app(
    client: httpx.AsyncClient, app_state: AppState
) -> None:
    async with UnitOfWork(app_state.database.sessionmaker) as uow:
        assert await demo.seed(uow) is not None
    async with app_state.database.sessionmaker() as session:
        users = list((await session.scalars(select(User))).all())
        app = (
            await session.scalars(
                select(OAuthClient).where(
                    col(OAuthClient.client_id) == identity_demo.DEMO_APP_CLIENT_ID
                )
            )
        ).one()
    assert len({u.organisation_id for u in users}) >= 4
    assert app.secret_hash is None
    assert set(app.grant_types) == {"authorization_code", "refresh_token"}

    base = "http://127.0.0.1:8000"
    lines = "\n".join(identity_demo.banner_lines(base))
    assert identity_demo.DEMO_PASSWORD in lines
    url = identity_demo.authorization_url(base)
    assert url in lines
    page = await client.get(url.removeprefix(base))
    assert page.status_code == 200, page.text
    form = hidden_fields(page.text)
    form.update(
        {"email": identity_demo.DEMO_PEOPLE[0].email, "password": identity_demo.DEMO_PASSWORD}
    )
    consent = await client.post("/oauth/authorize", data=form)
    assert "Allow access?" in consent.text
    decision = hidden_fields(consent.text) | {"decision": "allow"}
    redirect = await client.post("/oauth/authorize", data=decision)
    assert redirect.status_code == 303
    location = urlsplit(redirect.headers["location"])
    assert location.path == identity_demo.DEMO_CALLBACK_PATH
    code = parse_qs(location.query)["code"][0]

    landing = await client.get(f"{location.path}?{location.query}")
    assert landing.status_code == 200
    assert identity_demo.DEMO_CODE_VERIFIER in landing.text

    tokens = await client.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "client_id": identity_demo.DEMO_APP_CLIENT_ID,
            "code": code,
            "redirect_uri": f"{base}{identity_demo.DEMO_CALLBACK_PATH}",
            "code_verifier": identity_demo.DEMO_CODE_VERIFIER,
        },
    )
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["scope"] == "cycles:read"  # a practitioner may not write cycles
    cycles = await client.get("/v1/cycles", headers=bearer(body["access_token"]))
    assert cycles.status_code == 200
    assert cycles.json()["items"]  # the demo programme's shared cycles
