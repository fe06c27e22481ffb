"""The sign-in and consent pages driven end to end in headless Chromium against the real
app served by uvicorn: type the credentials, consent, land on the redirect with a code,
exchange it with the PKCE verifier and call the API. Uses Debian's `chromium` package (not
Playwright's own browser downloads); skipped, saying why, where it is not installed."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import uvicorn

from api.app import create_app
from domain.identity.demo import DEMO_CALLBACK_PATH
from domain.shared.config import Settings
from tests.factories import World
from tests.identity.factories import PASSWORD, create_app_client, create_user, pkce_pair
from tests.test_serve import free_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium package is not installed (apt-get install -y chromium; "
    ".ci/run installs it), so the sign-in pages are not driven in a browser here",
)


@pytest.fixture
def served(settings: Settings) -> Iterator[str]:
    """The real app on a free loopback port, in a thread with its own event loop."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(settings.model_copy(update={"token_issuer": base}))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "uvicorn exited during start-up"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(15)


async def test_sign_in_and_consent_in_chromium(served: str, world: World) -> None:
    from playwright.async_api import async_playwright

    base = served
    redirect_uri = base + DEMO_CALLBACK_PATH
    app = await create_app_client(world.state, world.a.organisation, redirect_uris=[redirect_uri])
    await create_user(
        world.state, world.a.organisation, "ann@dundee.example", display_name="Ann Example"
    )
    verifier, challenge = pkce_pair()
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": redirect_uri,
        "scope": "cycles:read",
        "state": "browser-state",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = await browser.new_page()
            response = await page.goto(f"{base}/oauth/authorize?{urlencode(params)}")
            assert response is not None
            assert response.status == 200
            # Found through their labels: the form is usable with a screen reader.
            await page.get_by_label("Email address").fill("ann@dundee.example")
            await page.get_by_label("Password").fill(PASSWORD)
            await page.get_by_role("button", name="Sign in").click()
            await page.get_by_role("heading", name="Allow access?").wait_for()
            assert "Ann Example" in await page.content()
            await page.get_by_role("button", name="Allow").click()
            await page.wait_for_url(f"{redirect_uri}?*")
            landed = urlsplit(page.url)
        finally:
            await browser.close()
    query = parse_qs(landed.query)
    assert query["state"] == ["browser-state"]
    assert query["iss"] == [base]
    async with httpx.AsyncClient(base_url=base) as http:
        tokens = await http.post(
            "/oauth/token",
            data={
                "grant_type": "authorization_code",
                "client_id": app.client_id,
                "code": query["code"][0],
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            },
        )
        assert tokens.status_code == 200, tokens.text
        access = tokens.json()["access_token"]
        cycles = await http.get("/v1/cycles", headers={"Authorization": f"Bearer {access}"})
        assert cycles.status_code == 200, cycles.text
