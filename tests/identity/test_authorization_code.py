"""The authorisation code grant with PKCE, through the real pages and token endpoint."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import func, select

from domain.identity.models import AuthorizationCode, RefreshFamily
from domain.identity.users import RoleGrant
from domain.shared.ids import utcnow
from tests.factories import World
from tests.identity.factories import (
    PASSWORD,
    REDIRECT_URI,
    authorize_params,
    bearer,
    create_app_client,
    create_user,
    exchange,
    hidden_fields,
    pkce_pair,
    refresh,
    sign_in,
)


async def _count(world: World, model: Any) -> int:
    async with world.state.database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_sign_in_consent_and_exchange(client: httpx.AsyncClient, world: World) -> None:
    app = await create_app_client(world.state, world.a.organisation)
    user = await create_user(world.state, world.a.organisation, "Ann@Dundee.example")
    verifier, challenge = pkce_pair()
    flow = await sign_in(client, authorize_params(app, challenge), email="ann@dundee.example")

    page = flow.login_page
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "<script" not in page.text
    assert '<label for="email">' in page.text
    assert '<label for="password">' in page.text
    assert "hub_csrf" in page.headers["set-cookie"]
    assert "samesite=strict" in page.headers["set-cookie"].lower()

    assert "Allow access?" in flow.after_login.text
    assert flow.after_consent is not None
    assert flow.after_consent.status_code == 303
    location = flow.after_consent.headers["location"]
    assert location.startswith(REDIRECT_URI + "?")
    assert flow.redirect["state"] == ["xyz-state-123"]
    assert flow.redirect["iss"] == [world.state.settings.token_issuer]

    response = await exchange(client, app, flow.code, verifier)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scope"] == "cycles:read"
    assert body["refresh_token"].startswith("hubrt_")
    assert response.headers["cache-control"] == "no-store"
    cycles = await client.get("/v1/cycles", headers=bearer(body["access_token"]))
    assert cycles.status_code == 200, cycles.text

    # Stored hashed: neither the code nor the refresh token is in the database.
    async with world.state.database.sessionmaker() as session:
        stored = (await session.scalars(select(AuthorizationCode))).one()
    assert stored.code_hash != flow.code
    assert flow.code not in stored.code_hash
    assert stored.user_id == user.id


async def test_wrong_verifier_is_refused(client: httpx.AsyncClient, world: World) -> None:
    app = await create_app_client(world.state, world.a.organisation)
    await create_user(world.state, world.a.organisation, "ann@dundee.example")
    verifier, challenge = pkce_pair()
    other_verifier, _ = pkce_pair()
    flow = await sign_in(client, authorize_params(app, challenge), email="ann@dundee.example")
    refused = await exchange(client, app, flow.code, other_verifier)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"
    missing = await exchange(client, app, flow.code, "")
    assert missing.json()["error"] == "invalid_grant"
    assert await _count(world, RefreshFamily) == 0
    # The right verifier still works: a failed attempt does not use the code up.
    assert (await exchange(client, app, flow.code, verifier)).status_code == 200


async def test_plain_and_missing_pkce_are_refused(client: httpx.AsyncClient, world: World) -> None:
    app = await create_app_client(world.state, world.a.organisation)
    verifier, challenge = pkce_pair()
    cases = [
        authorize_params(app, verifier, code_challenge_method="plain"),
        {k: v for k, v in authorize_params(app, challenge).items() if k != "code_challenge"},
        {
            k: v
            for k, v in authorize_params(app, challenge).items()
            if k != "code_challenge_method"  # defaults to plain (RFC 7636 4.3)
        },
        authorize_params(app, "too-short"),
    ]
    for params in cases:
        response = await client.get("/oauth/authorize", params=params)
        assert response.status_code == 302, params
        location = response.headers["location"]
        assert location.startswith(REDIRECT_URI + "?")
        query = parse_qs(urlsplit(location).query)
        assert query["error"] == ["invalid_request"]
        assert query["state"] == ["xyz-state-123"]  # errors carry state back too


async def test_redirect_uri_must_match_exactly(client: httpx.AsyncClient, world: World) -> None:
    app = await create_app_client(world.state, world.a.organisation)
    await create_user(world.state, world.a.organisation, "ann@dundee.example")
    verifier, challenge = pkce_pair()
    near_misses = [
        REDIRECT_URI[:-1] + "X",  # one character
        REDIRECT_URI + "/",
        REDIRECT_URI.upper(),
        REDIRECT_URI + "?next=evil",
        "https://evil.example/callback",
    ]
    for uri in near_misses:
        response = await client.get(
            "/oauth/authorize", params=authorize_params(app, challenge, redirect_uri=uri)
        )
        # Shown to the person, never redirected to the unchecked address.
        assert response.status_code == 400, uri
        assert "location" not in response.headers
        assert "not one it registered" in response.text
        assert response.headers["x-frame-options"] == "DENY"

    # The code is bound to the redirect URI it was issued for.
    flow = await sign_in(client, authorize_params(app, challenge), email="ann@dundee.example")
    refused = await exchange(client, app, flow.code, verifier, redirect_uri=REDIRECT_URI[:-1] + "X")
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"


async def test_unknown_client_and_client_without_the_grant_get_an_error_page(
    client: httpx.AsyncClient, world: World
) -> None:
    app = await create_app_client(world.state, world.a.organisation)
    _, challenge = pkce_pair()
    unknown = await client.get(
        "/oauth/authorize", params=authorize_params(app, challenge, client_id="hub_nobody")
    )
    assert unknown.status_code == 400
    assert "location" not in unknown.headers
    # A partner system's client_credentials client cannot ask people.
    machine = await client.get(
        "/oauth/authorize",
        params=authorize_params(world.a.client, challenge),
    )
    assert machine.status_code == 400
    repeated = await client.get(
        "/oauth/authorize?"
        + "&".join(f"{k}={v}" for k, v in authorize_params(app, challenge).items())
        + "&state=again"
    )
    assert repeated.status_code == 400


async def test_state_round_trips_on_deny(client: httpx.AsyncClient, world: World) -> None:
    app = await create_app_client(world.state, world.a.organisation)
    await create_user(world.state, world.a.organisation, "ann@dundee.example")
    _, challenge = pkce_pair()
    state = "a/b?c=d&e=f g"
    flow = await sign_in(
        client,
        authorize_params(app, challenge, state=state),
        email="ann@dundee.example",
        decision="deny",
    )
    assert flow.after_consent is not None
    assert flow.redirect["error"] == ["access_denied"]
    assert flow.redirect["state"] == [state]
    assert "code" not in flow.redirect
    assert await _count(world, AuthorizationCode) == 0


async def test_reused_code_revokes_what_it_issued(client: httpx.AsyncClient, world: World) -> None:
    app = await create_app_client(world.state, world.a.organisation)
    await create_user(world.state, world.a.organisation, "ann@dundee.example")
    verifier, challenge = pkce_pair()
    flow = await sign_in(client, authorize_params(app, challenge), email="ann@dundee.example")
    first = await exchange(client, app, flow.code, verifier)
    assert first.status_code == 200
    tokens = first.json()
    assert (
        await client.get("/v1/cycles", headers=bearer(tokens["access_token"]))
    ).status_code == 200

    replay = await exchange(client, app, flow.code, verifier)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    # Everything the code issued is revoked: the access token and the refresh token.
    revoked = await client.get("/v1/cycles", headers=bearer(tokens["access_token"]))
    assert revoked.status_code == 401
    refreshed = await refresh(client, app, tokens["refresh_token"])
    assert refreshed.status_code == 400
    assert refreshed.json()["error"] == "invalid_grant"
    async with world.state.database.sessionmaker() as session:
        family = (await session.scalars(select(RefreshFamily))).one()
    assert family.revoked_reason == "authorization_code_reused"


async def test_expired_code_is_refused(client: httpx.AsyncClient, world: World) -> None:
    app = await create_app_client(world.state, world.a.organisation)
    await create_user(world.state, world.a.organisation, "ann@dundee.example")
    verifier, challenge = pkce_pair()
    flow = await sign_in(client, authorize_params(app, challenge), email="ann@dundee.example")
    async with world.state.database.sessionmaker() as session:
        row = (await session.scalars(select(AuthorizationCode))).one()
        assert (row.expires_at - row.created_at).total_seconds() == 60
        row.expires_at = utcnow() - timedelta(seconds=1)
        await session.commit()
    refused = await exchange(client, app, flow.code, verifier)
    assert refused.json()["error"] == "invalid_grant"


async def test_a_code_works_only_for_its_client(client: httpx.AsyncClient, world: World) -> None:
    app = await create_app_client(world.state, world.a.organisation)
    other = await create_app_client(world.state, world.a.organisation)
    await create_user(world.state, world.a.organisation, "ann@dundee.example")
    verifier, challenge = pkce_pair()
    flow = await sign_in(client, authorize_params(app, challenge), email="ann@dundee.example")
    refused = await exchange(client, other, flow.code, verifier)
    assert refused.json()["error"] == "invalid_grant"
    assert (await exchange(client, app, flow.code, verifier)).status_code == 200


async def test_confidential_client_must_authenticate(
    client: httpx.AsyncClient, world: World
) -> None:
    app = await create_app_client(world.state, world.a.organisation, public=False)
    await create_user(world.state, world.a.organisation, "ann@dundee.example")
    verifier, challenge = pkce_pair()
    flow = await sign_in(client, authorize_params(app, challenge), email="ann@dundee.example")
    without_secret = await client.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": flow.code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
            "client_id": app.client_id,
        },
    )
    assert without_secret.status_code == 401
    assert without_secret.json()["error"] == "invalid_client"
    assert (await exchange(client, app, flow.code, verifier)).status_code == 200


async def test_public_client_cannot_use_client_credentials(
    client: httpx.AsyncClient, world: World
) -> None:
    app = await create_app_client(
        world.state, world.a.organisation, grant_types=["client_credentials"]
    )
    response = await client.post(
        "/oauth/token", data={"grant_type": "client_credentials", "client_id": app.client_id}
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


async def test_forms_need_the_csrf_cookie(client: httpx.AsyncClient, world: World) -> None:
    app = await create_app_client(world.state, world.a.organisation)
    await create_user(world.state, world.a.organisation, "ann@dundee.example")
    _, challenge = pkce_pair()
    page = await client.get("/oauth/authorize", params=authorize_params(app, challenge))
    form = hidden_fields(page.text)
    form.update({"email": "ann@dundee.example", "password": PASSWORD})
    client.cookies.clear()
    refused = await client.post("/oauth/authorize", data=form)
    assert refused.status_code == 403
    assert "Allow access?" not in refused.text
    client.cookies.set("hub_csrf", "x" * 43, path="/oauth/authorize")
    mismatched = await client.post("/oauth/authorize", data=form)
    assert mismatched.status_code == 403


async def test_consent_ticket_is_bound_to_the_browser(
    client: httpx.AsyncClient, world: World
) -> None:
    app = await create_app_client(world.state, world.a.organisation)
    await create_user(world.state, world.a.organisation, "ann@dundee.example")
    _, challenge = pkce_pair()
    flow = await sign_in(
        client, authorize_params(app, challenge), email="ann@dundee.example", decision=None
    )
    consent = hidden_fields(flow.after_login.text)
    consent["decision"] = "allow"
    # Another browser (its own CSRF cookie, sent with a matching form field) with the ticket.
    consent["csrf"] = "y" * 43
    client.cookies.clear()
    client.cookies.set("hub_csrf", "y" * 43, path="/oauth/authorize")
    stolen = await client.post("/oauth/authorize", data=consent)
    assert stolen.status_code == 400
    assert "location" not in stolen.headers
    assert await _count(world, AuthorizationCode) == 0


async def test_consent_ticket_is_not_an_access_token(
    client: httpx.AsyncClient, world: World
) -> None:
    app = await create_app_client(world.state, world.a.organisation)
    await create_user(world.state, world.a.organisation, "ann@dundee.example")
    _, challenge = pkce_pair()
    flow = await sign_in(
        client, authorize_params(app, challenge), email="ann@dundee.example", decision=None
    )
    ticket = hidden_fields(flow.after_login.text)["ticket"]
    response = await client.get("/v1/cycles", headers=bearer(ticket))
    assert response.status_code == 401


async def test_scopes_are_cut_to_what_the_roles_permit(
    client: httpx.AsyncClient, world: World
) -> None:
    app = await create_app_client(world.state, world.a.organisation)
    await create_user(
        world.state, world.a.organisation, "viewer@dundee.example", [RoleGrant("viewer")]
    )
    verifier, challenge = pkce_pair()
    flow = await sign_in(
        client,
        authorize_params(app, challenge, scope="cycles:read cycles:write"),
        email="viewer@dundee.example",
    )
    assert "cycles:write" not in flow.after_login.text
    body = (await exchange(client, app, flow.code, verifier)).json()
    assert body["scope"] == "cycles:read"

    # Nothing the viewer may have: the client hears access_denied.
    client.cookies.clear()
    denied = await sign_in(
        client,
        authorize_params(app, challenge, scope="cycles:write"),
        email="viewer@dundee.example",
    )
    assert denied.after_login.status_code == 303
    query = parse_qs(urlsplit(denied.after_login.headers["location"]).query)
    assert query["error"] == ["access_denied"]
    assert query["state"] == ["xyz-state-123"]


async def test_unknown_scope_is_refused_with_a_redirect(
    client: httpx.AsyncClient, world: World
) -> None:
    app = await create_app_client(world.state, world.a.organisation, scopes=["cycles:read"])
    _, challenge = pkce_pair()
    response = await client.get(
        "/oauth/authorize", params=authorize_params(app, challenge, scope="cycles:write")
    )
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.headers["location"]).query)["error"] == ["invalid_scope"]


async def test_a_consent_answer_cannot_be_replayed(client: httpx.AsyncClient, world: World) -> None:
    app = await create_app_client(world.state, world.a.organisation)
    await create_user(world.state, world.a.organisation, "ann@dundee.example")
    _, challenge = pkce_pair()
    flow = await sign_in(
        client, authorize_params(app, challenge), email="ann@dundee.example", decision=None
    )
    consent = hidden_fields(flow.after_login.text)
    consent["decision"] = "allow"
    first = await client.post("/oauth/authorize", data=consent)
    assert first.status_code in (302, 303), first.text
    # The same form again, from the same browser: no second code.
    again = await client.post("/oauth/authorize", data=consent)
    assert again.status_code == 400
    assert "location" not in again.headers
    assert "already answered" in again.text
    assert await _count(world, AuthorizationCode) == 1
