"""Administration over REST and GraphQL: organisation admins manage their own people and
clients, never another organisation's; nobody grants more than they hold; secrets are shown
once and rotate cleanly; the list says when each client last got a token."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from api.state import AppState
from domain.audit.models import AuditEvent
from domain.identity.models import OAuthClient, User
from tests.factories import Party, World, create_party, create_platform_admin


@pytest.fixture
async def org_admin(app_state: AppState, world: World) -> Party:
    """Organisation A's administration system: the admin scope and the org_admin role."""
    return await create_party(app_state, world.a.organisation, ["admin"], ["org_admin"])


async def count(state: AppState, model: Any) -> int:
    async with state.database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def person(**overrides: Any) -> dict[str, Any]:
    body = {
        "email": "Morag.Reid@DundeeCity.test",
        "display_name": "Morag Reid",
        "password": "a long enough passphrase",
        "roles": [{"role": "team_member"}],
    }
    body.update(overrides)
    return body


async def test_an_org_admin_manages_its_own_people(
    client: httpx.AsyncClient, world: World, org_admin: Party
) -> None:
    made = await client.post(
        "/v1/users",
        json=person(roles=[{"role": "practitioner", "programme_id": str(world.programme.id)}]),
        headers=org_admin.headers,
    )
    assert made.status_code == 201, made.text
    user = made.json()
    assert user["email"] == "morag.reid@dundeecity.test"
    assert user["organisation_id"] == str(world.a.organisation.id)
    assert user["has_password"] is True
    assert "passphrase" not in made.text  # the password is never echoed
    assert made.headers["etag"] == '"1"'

    listed = await client.get("/v1/users", headers=org_admin.headers)
    assert [u["id"] for u in listed.json()["items"]] == [user["id"]]
    assert listed.json()["items"][0]["last_login_at"] is None

    changed = await client.patch(
        f"/v1/users/{user['id']}",
        json={"roles": [{"role": "coach"}], "disabled": True},
        headers={**org_admin.headers, "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert [r["role"] for r in changed.json()["roles"]] == ["coach"]
    assert changed.json()["disabled_at"] is not None
    stale = await client.patch(
        f"/v1/users/{user['id']}",
        json={"display_name": "M. Reid"},
        headers={**org_admin.headers, "If-Match": '"1"'},
    )
    assert stale.status_code == 412
    duplicate = await client.post("/v1/users", json=person(), headers=org_admin.headers)
    assert duplicate.status_code == 409


async def test_an_org_admin_cannot_reach_another_organisation(
    client: httpx.AsyncClient, app_state: AppState, world: World, org_admin: Party
) -> None:
    b_admin = await create_party(app_state, world.b.organisation, ["admin"], ["org_admin"])
    theirs = await client.post("/v1/users", json=person(), headers=b_admin.headers)
    assert theirs.status_code == 201
    user_id = theirs.json()["id"]
    users, events = await count(app_state, User), await count(app_state, AuditEvent)

    assert (await client.get(f"/v1/users/{user_id}", headers=org_admin.headers)).status_code == 404
    patched = await client.patch(
        f"/v1/users/{user_id}",
        json={"disabled": True},
        headers={**org_admin.headers, "If-Match": '"1"'},
    )
    assert patched.status_code == 404
    listed = await client.get(
        "/v1/users",
        params={"organisation_id": str(world.b.organisation.id)},
        headers=org_admin.headers,
    )
    assert listed.status_code == 403  # the filter cannot widen what an org admin sees
    assert user_id not in listed.text
    elsewhere = await client.post(
        "/v1/users",
        json=person(email="x@nhs.test", organisation_id=str(world.b.organisation.id)),
        headers=org_admin.headers,
    )
    assert elsewhere.status_code == 403
    assert (await count(app_state, User), await count(app_state, AuditEvent)) == (users, events)


async def test_nobody_grants_more_than_they_hold(
    client: httpx.AsyncClient, app_state: AppState, world: World, org_admin: Party
) -> None:
    escalation = await client.post(
        "/v1/users",
        json=person(
            roles=[
                {"role": "platform_admin"},
                {"role": "programme_lead", "programme_id": str(world.other_programme.id)},
            ]
        ),
        headers=org_admin.headers,
    )
    assert escalation.status_code == 422
    assert {e["pointer"] for e in escalation.json()["errors"]} == {
        "/roles/0/role",
        "/roles/1/programme_id",
    }
    client_escalation = await client.post(
        "/v1/clients",
        json={"name": "Back door", "scopes": ["admin"], "roles": ["platform_admin"]},
        headers=org_admin.headers,
    )
    assert client_escalation.status_code == 422
    assert client_escalation.json()["errors"][0]["pointer"] == "/roles/0"
    # Holding the admin scope is not enough: the org_admin role is what allows it.
    plain = await client.post("/v1/users", json=person(), headers=world.a.headers)
    assert plain.status_code == 403
    assert await count(app_state, User) == 0


async def test_clients_secrets_are_shown_once_rotate_and_record_last_use(
    client: httpx.AsyncClient, app_state: AppState, world: World, org_admin: Party
) -> None:
    made = await client.post(
        "/v1/clients",
        json={"name": "Dundee case system", "scopes": ["cycles:read"]},
        headers=org_admin.headers,
    )
    assert made.status_code == 201, made.text
    assert made.headers["cache-control"] == "no-store"
    created = made.json()
    first_secret = created["client_secret"]
    assert created["kind"] == "confidential"
    assert created["last_used_at"] is None

    async def token(secret: str) -> httpx.Response:
        return await client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(created["client_id"], secret),
        )

    assert (await token(first_secret)).status_code == 200
    shown = await client.get(f"/v1/clients/{created['id']}", headers=org_admin.headers)
    assert shown.json()["last_used_at"] is not None
    assert "client_secret" not in shown.json()

    rotated = await client.post(
        f"/v1/clients/{created['id']}/secret",
        headers={**org_admin.headers, "If-Match": shown.headers["etag"]},
    )
    assert rotated.status_code == 200, rotated.text
    second_secret = rotated.json()["client_secret"]
    assert second_secret != first_secret
    assert (await token(first_secret)).status_code == 401
    assert (await token(second_secret)).status_code == 200

    disabled = await client.patch(
        f"/v1/clients/{created['id']}",
        json={"disabled": True},
        headers={**org_admin.headers, "If-Match": rotated.headers["etag"]},
    )
    assert disabled.status_code == 200
    assert (await token(second_secret)).status_code == 401


async def test_public_app_clients_and_their_rules(
    client: httpx.AsyncClient, world: World, org_admin: Party
) -> None:
    app = await client.post(
        "/v1/clients",
        json={
            "name": "Observations app",
            "kind": "public",
            "grant_types": ["authorization_code", "refresh_token"],
            "scopes": ["observations:write", "cycles:read"],
            "redirect_uris": ["uk.org.celcis.hub:/callback", "https://app.example.org/cb"],
        },
        headers=org_admin.headers,
    )
    assert app.status_code == 201, app.text
    assert app.json()["client_secret"] is None
    assert app.json()["kind"] == "public"
    wrong = await client.post(
        "/v1/clients",
        json={
            "name": "Bad app",
            "kind": "public",
            "grant_types": ["client_credentials"],
            "redirect_uris": ["javascript:alert(1)"],
        },
        headers=org_admin.headers,
    )
    assert wrong.status_code == 422
    assert {e["pointer"] for e in wrong.json()["errors"]} >= {"/redirect_uris/0"}


async def test_other_organisations_clients_are_invisible(
    client: httpx.AsyncClient, app_state: AppState, world: World, org_admin: Party
) -> None:
    b_admin = await create_party(app_state, world.b.organisation, ["admin"], ["org_admin"])
    theirs = (
        await client.post("/v1/clients", json={"name": "NHS feed"}, headers=b_admin.headers)
    ).json()
    before = await count(app_state, OAuthClient)
    for method, url in [
        ("GET", f"/v1/clients/{theirs['id']}"),
        ("PATCH", f"/v1/clients/{theirs['id']}"),
        ("POST", f"/v1/clients/{theirs['id']}/secret"),
    ]:
        response = await client.request(
            method,
            url,
            json={"disabled": True} if method == "PATCH" else None,
            headers={**org_admin.headers, "If-Match": '"1"'},
        )
        assert response.status_code == 404, (method, url, response.text)
    listed = await client.get("/v1/clients", headers=org_admin.headers)
    assert theirs["client_id"] not in listed.text
    assert await count(app_state, OAuthClient) == before


async def test_platform_admins_administer_any_organisation(
    client: httpx.AsyncClient, app_state: AppState, world: World
) -> None:
    admin = await create_platform_admin(app_state)
    made = await client.post(
        "/v1/users",
        json=person(organisation_id=str(world.b.organisation.id), roles=[{"role": "org_admin"}]),
        headers=admin.headers,
    )
    assert made.status_code == 201, made.text
    assert made.json()["organisation_id"] == str(world.b.organisation.id)


async def test_graphql_administration_uses_the_same_rules(
    client: httpx.AsyncClient, world: World, org_admin: Party
) -> None:
    mutation = """
      mutation($input: CreateUserInput!) {
        createUser(input: $input) { user { id email roles { role } } errors { code field } }
      }"""
    made = await client.post(
        "/graphql",
        json={
            "query": mutation,
            "variables": {
                "input": {
                    "email": "ewan@dundeecity.test",
                    "displayName": "Ewan",
                    "roles": [{"role": "viewer"}],
                }
            },
        },
        headers=org_admin.headers,
    )
    payload = made.json()["data"]["createUser"]
    assert payload["errors"] == []
    assert payload["user"]["roles"] == [{"role": "viewer"}]
    refused = await client.post(
        "/graphql",
        json={
            "query": mutation,
            "variables": {
                "input": {
                    "email": "boss@dundeecity.test",
                    "displayName": "Boss",
                    "roles": [{"role": "platform_admin"}],
                }
            },
        },
        headers=org_admin.headers,
    )
    errors = refused.json()["data"]["createUser"]["errors"]
    assert (
        errors == [{"code": "value_error", "field": "/input/roles/0/role"}]
        or errors[0]["field"] == "/input/roles/0/role"
    )
    listed = await client.post(
        "/graphql",
        json={"query": "{ users { edges { node { email lastLoginAt } } } }"},
        headers=org_admin.headers,
    )
    assert listed.json()["data"]["users"]["edges"] == [
        {"node": {"email": "ewan@dundeecity.test", "lastLoginAt": None}}
    ]


@pytest.mark.parametrize(
    "uri",
    [
        "http://127.0.0.1.evil.example/cb",  # a remote host that starts like the loopback
        "http://127.0.0.1@evil.example/cb",  # user info hiding the real host
        "http://localhost.evil.example/cb",
        "https://",
        "com.evil://host/x",
    ],
)
async def test_redirect_uris_that_only_look_safe_are_refused(
    client: httpx.AsyncClient, org_admin: Party, uri: str
) -> None:
    response = await client.post(
        "/v1/clients",
        json={
            "name": "App",
            "kind": "public",
            "grant_types": ["authorization_code"],
            "redirect_uris": [uri],
        },
        headers=org_admin.headers,
    )
    assert response.status_code == 422, uri
    assert response.json()["errors"][0]["pointer"] == "/redirect_uris/0"


async def test_an_org_admin_cannot_change_a_platform_administrator(
    client: httpx.AsyncClient, app_state: AppState, world: World, org_admin: Party
) -> None:
    admin = await create_platform_admin(app_state)
    made = await client.post(
        "/v1/users",
        json=person(
            organisation_id=str(world.a.organisation.id), roles=[{"role": "platform_admin"}]
        ),
        headers=admin.headers,
    )
    assert made.status_code == 201, made.text
    for change in ({"disabled": True}, {"roles": [{"role": "viewer"}]}):
        refused = await client.patch(
            f"/v1/users/{made.json()['id']}",
            json=change,
            headers={**org_admin.headers, "If-Match": '"1"'},
        )
        assert refused.status_code == 403, change


async def test_a_refused_token_request_leaves_last_use_alone(
    client: httpx.AsyncClient, app_state: AppState, world: World
) -> None:
    refused = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": "no-such-scope"},
        auth=(world.a.client.client_id, world.a.secret),
    )
    assert refused.status_code == 400
    async with app_state.database.sessionmaker() as session:
        row = await session.get(OAuthClient, world.a.client.id)
    assert row is not None
    assert row.last_used_at is None
