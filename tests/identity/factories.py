"""People, app clients and a browserless run of the sign-in and consent pages."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from api.state import AppState
from domain.identity.models import OAuthClient, User, UserRole
from domain.identity.secrets import hash_secret, new_client_id
from domain.identity.users import RoleGrant, new_roles, normalise_email
from domain.tenancy.models import Organisation
from tests.factories import TEST_SECRET, _test_secret_hash, add

PASSWORD = "correct horse battery staple"
REDIRECT_URI = "https://app.example/callback"
ALL_SCOPES_APP = [
    "cycles:read",
    "cycles:write",
    "implementation:read",
    "observations:write",
    "content:read",
    "tenancy:read",
    "admin",
]


@lru_cache(maxsize=1)
def _password_hash() -> str:
    return hash_secret(PASSWORD)


async def create_user(
    state: AppState,
    org: Organisation,
    email: str,
    roles: list[RoleGrant] | None = None,
    *,
    display_name: str = "Test Person",
    **fields: Any,
) -> User:
    user = User(
        organisation_id=org.id,
        email=normalise_email(email),
        display_name=display_name,
        password_hash=_password_hash(),
        created_by="test",
        **fields,
    )
    await add(state, user)
    grants = roles if roles is not None else [RoleGrant("team_member")]
    rows: list[UserRole] = new_roles(user, grants, created_by="test")
    if rows:
        await add(state, *rows)
    return user


async def create_app_client(
    state: AppState,
    org: Organisation,
    *,
    public: bool = True,
    grant_types: list[str] | None = None,
    scopes: list[str] | None = None,
    redirect_uris: list[str] | None = None,
    jwks: dict[str, Any] | None = None,
) -> OAuthClient:
    client = OAuthClient(
        client_id=new_client_id(),
        name="Field app",
        organisation_id=org.id,
        secret_hash=None if public else _test_secret_hash(),
        scopes=ALL_SCOPES_APP if scopes is None else scopes,
        roles=[],
        grant_types=grant_types or ["authorization_code", "refresh_token"],
        redirect_uris=[REDIRECT_URI] if redirect_uris is None else redirect_uris,
        jwks=jwks,
        created_by="test",
    )
    await add(state, client)
    return client


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_params(client: OAuthClient, challenge: str, **extra: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "cycles:read",
        "state": "xyz-state-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(extra)
    return params


def hidden_fields(page: str) -> dict[str, str]:
    return {
        unescape(name): unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page)
    }


@dataclass
class Flow:
    """The steps of one browserless sign-in, with what each answered."""

    login_page: httpx.Response
    after_login: httpx.Response
    after_consent: httpx.Response | None

    @property
    def redirect(self) -> dict[str, list[str]]:
        assert self.after_consent is not None
        location = self.after_consent.headers["location"]
        return parse_qs(urlsplit(location).query)

    @property
    def code(self) -> str:
        return self.redirect["code"][0]


async def sign_in(
    client: httpx.AsyncClient,
    params: dict[str, str],
    *,
    email: str,
    password: str = PASSWORD,
    decision: str | None = "allow",
) -> Flow:
    """GET the sign-in page, post the credentials, then (if the consent page came) the
    decision. The httpx client keeps the CSRF cookie, as a browser would."""
    page = await client.get("/oauth/authorize?" + urlencode(params))
    assert page.status_code == 200, page.text
    form = hidden_fields(page.text)
    form.update({"email": email, "password": password})
    after_login = await client.post("/oauth/authorize", data=form)
    if decision is None or "Allow access?" not in after_login.text:
        return Flow(page, after_login, None)
    consent = hidden_fields(after_login.text)
    consent["decision"] = decision
    after_consent = await client.post("/oauth/authorize", data=consent)
    return Flow(page, after_login, after_consent)


async def exchange(
    client: httpx.AsyncClient,
    app: OAuthClient,
    code: str,
    verifier: str,
    *,
    redirect_uri: str = REDIRECT_URI,
    **extra: str,
) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
        "client_id": app.client_id,
    }
    if app.secret_hash is not None and "client_assertion" not in extra:
        data["client_secret"] = TEST_SECRET
    data.update(extra)
    return await client.post("/oauth/token", data=data)


async def refresh(client: httpx.AsyncClient, app: OAuthClient, token: str) -> httpx.Response:
    return await client.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": token, "client_id": app.client_id},
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
