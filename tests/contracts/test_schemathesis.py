"""Schemathesis against the OpenAPI document of the real app, served by uvicorn, with two
organisations' logins declared as peers (Web Fuzzing Commons auth), so its
`object_level_authorization` check hunts for leaks beyond the hand-written access matrix.

The two organisations share nothing: each is the only member of its own programme and has a
confidential client holding every scope and the org_admin role (so users and clients are in
play too), plus records of its own. Schemathesis signs in as each through `POST /oauth/token`
(client_credentials, client_secret_post) and drives every operation as the first peer;
whenever that peer reads by id an object it created or found in its own list, the check
replays the read as the other peer, and a 2xx carrying the same object is a leak. The other
checks look for server errors, operations that ignore their declared security, responses
that break the documented status codes, media types, headers and schemas, schema-violating
input that is accepted, and deleted resources that are still served.

The run is bounded (examples per operation, phases, failures, a subprocess timeout; not
`--max-time`, which makes schemathesis repeat until the budget is spent). The test fails
when schemathesis reports a failure or an error, tests (almost) nothing, or replays fewer
than three reads as the second peer. Run it alone with
`.venv/bin/pytest tests/contracts/test_schemathesis.py -s` (-s prints the summary)."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.app import create_app
from api.state import AppState
from domain.shared.config import Settings
from domain.tenancy.models import Organisation, Programme, Site
from tests.factories import (
    TEST_SECRET,
    Party,
    World,
    create_cycle,
    create_feedback_item,
    create_measure,
    create_organisation,
    create_party,
    create_point,
    create_programme,
    create_ramp,
    create_site,
)
from tests.identity.factories import create_user
from tests.implementation.factories import make_implementation, make_innovation, make_team
from tests.test_serve import free_port

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# Three examples per operation over ~160 operations is ~530 test cases plus the check's
# replays: about 35 s on a busy two-core machine (five: ~850 cases, ~60 s, a few more
# replays). The timeout is the hard stop if the API or the machine hangs.
MAX_EXAMPLES = 3
TIMEOUT_SECONDS = 100
CHECKS = "all"
# positive_data_acceptance expects every schema-valid request to be accepted, but much that
# the schema cannot express is rightly refused: ids of records that do not exist or that
# the caller may not use (422 on a body reference), opaque cursors this API did not issue,
# If-Match on PATCH/DELETE (428 when absent; the header is documented as optional so the
# 428 can be told apart from a malformed request).
EXCLUDED_CHECKS = "positive_data_acceptance"
# Operations left out of the run, each with the defect or reason: {"GET /v1/x/{id}": "why"}.
EXCLUDED_OPERATIONS: dict[str, str] = {}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass
class Peer:
    """One organisation schemathesis signs in as."""

    name: str
    organisation: Organisation
    programme: Programme
    site: Site
    party: Party


async def _peer(state: AppState, name: str, org_name: str) -> Peer:
    organisation = await create_organisation(state, org_name)
    programme = await create_programme(state, f"{org_name} programme", organisation, [organisation])
    site = await create_site(state, organisation, f"{org_name} primary school")
    party = await create_party(state, organisation, roles=["org_admin"])
    return Peer(name, organisation, programme, site, party)


async def _seed_domain(state: AppState, peer: Peer, other: Peer) -> None:
    """Each peer's own records, made through the factories the rest of the suite uses."""
    for visibility in ("private", "programme"):
        await create_cycle(
            state,
            peer.organisation,
            peer.programme,
            title=f"{peer.name} {visibility} cycle",
            visibility=visibility,
        )
        await create_ramp(state, peer.organisation, peer.programme, visibility=visibility)
        await create_feedback_item(state, peer.organisation, peer.programme, visibility=visibility)
    measure = await create_measure(state, peer.organisation, peer.programme)
    for month in (1, 2, 3):
        await create_point(state, measure, date(2024, month, 1), value=float(month))
    await create_user(state, peer.organisation, f"lead@{peer.name}.example")
    # The implementation factories act as a World's `a`; `c` is whoever is not in its
    # programme. Only the fields they read matter here.
    world = World(
        state=state,
        programme=peer.programme,
        other_programme=other.programme,
        a=peer.party,
        b=peer.party,
        c=other.party,
        site_a=peer.site,
    )
    innovation = await make_innovation(world, visibility="private")
    team = await make_team(world, name=f"{peer.name} implementation team")
    await make_implementation(world, innovation, team.team.id)


async def _seed_over_http(base: str, peer: Peer) -> None:
    """Community content and an observation, through the API as the peer itself."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        token = await client.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": peer.party.client.client_id,
                "client_secret": TEST_SECRET,
            },
        )
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}

        async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
            response = await client.post(path, json=body, headers=headers)
            assert response.status_code in (200, 201), f"{path}: {response.text}"
            created: dict[str, Any] = response.json()
            return created

        community = await post(
            "/v1/communities",
            {
                "name": f"{peer.name} practitioners",
                "programme_id": str(peer.programme.id),
                "visibility": "organisation",
            },
        )
        await post(
            "/v1/resources",
            {
                "kind": "faq",
                "title": f"{peer.name} internal FAQ",
                "community_id": community["id"],
                "visibility": "organisation",
                "status": "published",
            },
        )
        thread = await post(
            "/v1/threads",
            {"community_id": community["id"], "title": f"{peer.name} internal thread"},
        )
        await post(f"/v1/threads/{thread['id']}/posts", {"body": "Only for us."})
        await post(
            "/v1/observations",
            {
                # Observations carry the id the device made.
                "id": f"0192f0c4-8a6e-7c3e-9b1d-{peer.organisation.id.hex[-12:]}",
                "kind": "general",
                "observed_at": "2026-11-20T10:15:00+00:00",
                "programme_id": str(peer.programme.id),
                "text": f"{peer.name} observation",
            },
        )


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    client_id: str | None
    status: int


@dataclass
class Recorder:
    """Wraps the app to note who asked for what and the status they got, so the test can
    show that the second peer really replayed the first peer's reads, not only that
    schemathesis found nothing."""

    app: ASGIApp
    seen: list[Seen] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        client_id = _client_id(headers.get(b"authorization", b"").decode("latin-1"))
        status = 0

        async def noting(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noting)
        finally:
            self.seen.append(Seen(scope["method"], scope["path"], client_id, status))


def _client_id(authorization: str) -> str | None:
    """The `client_id` claim of a bearer token, unverified: the app verifies, this labels."""
    scheme, _, token = authorization.partition(" ")
    parts = token.split(".")
    if scheme.lower() != "bearer" or len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return None
    value = claims.get("client_id") if isinstance(claims, dict) else None
    return value if isinstance(value, str) else None


@dataclass
class Served:
    base: str
    recorder: Recorder


@pytest.fixture
def served(settings: Settings) -> Iterator[Served]:
    """The real app on a free loopback port, in a thread with its own event loop (as in
    tests/identity/test_browser.py), behind the recorder."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    recorder = Recorder(create_app(settings.model_copy(update={"token_issuer": base})))
    server = uvicorn.Server(
        uvicorn.Config(
            recorder, host="127.0.0.1", port=port, log_config=None, lifespan="on", access_log=False
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "uvicorn exited during start-up"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield Served(base, recorder)
    finally:
        server.should_exit = True
        thread.join(15)


def wfc_document(peers: list[Peer]) -> dict[str, Any]:
    """Web Fuzzing Commons auth: each peer logs in with client_secret_post and sends the
    access token as a bearer."""
    return {
        "schemaVersion": "1.0.0",
        "auth": [
            {
                "name": peer.name,
                "loginEndpointAuth": {
                    "endpoint": "/oauth/token",
                    "verb": "POST",
                    "contentType": "application/x-www-form-urlencoded",
                    "payloadRaw": (
                        "grant_type=client_credentials"
                        f"&client_id={peer.party.client.client_id}"
                        f"&client_secret={TEST_SECRET}"
                    ),
                    "token": {
                        "extractFrom": "body",
                        "extractSelector": "/access_token",
                        "sendIn": "header",
                        "sendName": "Authorization",
                        "sendTemplate": "Bearer {token}",
                    },
                },
            }
            for peer in peers
        ],
    }


def schemathesis_config(wfc_path: Path, peers: list[Peer]) -> str:
    """schemathesis.toml: the peers, and what the checks may expect of this API."""
    names = ", ".join(json.dumps(peer.name) for peer in peers)
    lines = [
        "[auth.wfc]",
        f"path = {json.dumps(str(wfc_path))}",
        f"peers = [{names}]",
        # Access tokens live 15 minutes: one login per peer covers the run.
        "refresh_interval = 600",
        "",
        # 413 (body over max_body_bytes) is a rejection too; schemathesis's default list
        # leaves it out.
        "[checks.negative_data_rejection]",
        "expected-statuses = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429]",
    ]
    for label in EXCLUDED_OPERATIONS:
        lines += ["", "[[operations]]", f"include-name = {json.dumps(label)}", "enabled = false"]
    return "\n".join(lines) + "\n"


def command(base: str, config: Path, report: Path) -> list[str]:
    return [
        str(SCHEMATHESIS),
        "--config-file",
        str(config),
        "run",
        f"{base}/openapi.json",
        "--checks",
        CHECKS,
        "--exclude-checks",
        EXCLUDED_CHECKS,
        # Examples: the few documented ones. Fuzzing: every operation, drawing path values
        # from what earlier responses returned (the owner reads the check replays).
        # Stateful: short create -> read chains that feed it too. Coverage is left out: about
        # 8,000 boundary cases, minutes here.
        "--phases",
        "examples,fuzzing,stateful",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--max-failures",
        "10",
        "--workers",
        "2",
        "--request-timeout",
        "20",
        "--no-color",
        "--generation-database",
        "none",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]


def replays(seen: list[Seen], owner: Peer, peer: Peer) -> Counter[str]:
    """The second peer's GETs of paths the first peer had read successfully, by route and
    status: the object-level check's probes (and its list comparisons)."""
    owner_reads = {
        row.path
        for row in seen
        if row.method == "GET"
        and row.client_id == owner.party.client.client_id
        and 200 <= row.status < 300
        and UUID.search(row.path)
    }
    return Counter(
        f"GET {UUID.sub('{id}', row.path)} -> {row.status}"
        for row in seen
        if row.method == "GET"
        and row.client_id == peer.party.client.client_id
        and row.path in owner_reads
    )


def _excerpt(text: str, limit: int = 30_000) -> str:
    return text if len(text) <= limit else f"{text[:8_000]}\n[...]\n{text[-(limit - 8_000) :]}"


async def test_schemathesis_finds_no_leak_between_two_organisations(
    served: Served, app_state: AppState, tmp_path: Path
) -> None:
    first = await _peer(app_state, "tayside", "Tayside Council")
    second = await _peer(app_state, "fife", "Fife Council")
    peers = [first, second]
    for peer, other in ((first, second), (second, first)):
        await _seed_domain(app_state, peer, other)
        await _seed_over_http(served.base, peer)

    wfc_path = tmp_path / "wfc-auth.json"
    wfc_path.write_text(json.dumps(wfc_document(peers), indent=1))
    config = tmp_path / "schemathesis.toml"
    config.write_text(schemathesis_config(wfc_path, peers))
    report = tmp_path / "report.json"
    argv = command(served.base, config, report)
    started = time.monotonic()
    try:
        # Blocking is fine: the server runs on its own loop in its own thread.
        run = subprocess.run(  # noqa: ASYNC221
            argv, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, cwd=tmp_path, check=False
        )
    except subprocess.TimeoutExpired as exc:
        partial = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        pytest.fail(f"schemathesis did not finish in {TIMEOUT_SECONDS}s:\n{_excerpt(partial)}")
    elapsed = time.monotonic() - started
    header = f"$ {' '.join(argv)}\n(exit {run.returncode} after {elapsed:.0f}s)"
    output = f"{header}\n{run.stdout}\n{run.stderr}"
    (tmp_path / "schemathesis.out").write_text(output)
    probed = replays(served.recorder.seen, first, second)
    print(_excerpt(output))
    print(f"{second.name} replayed {sum(probed.values())} of {first.name}'s reads:")
    for line, count in sorted(probed.items()):
        print(f"  {count} x {line}")

    shown = f"{_excerpt(output)}\n(full output: {tmp_path / 'schemathesis.out'})"
    assert report.exists(), shown
    summary = json.loads(report.read_text())
    assert summary["failures"] == [], shown
    assert summary["errors"] == [], shown
    assert run.returncode == 0, shown
    assert summary["complete"], shown
    operations = summary["operations"]
    assert operations is not None, shown
    # Every selected operation tested, give or take one schemathesis cannot generate for.
    assert operations["selected"] >= 100, shown
    assert operations["tested"] >= operations["selected"] - 3, shown
    # The peers really were peers: the second replayed reads the first made successfully
    # (and, since nothing is shared between them, was refused).
    assert len(probed) >= 3, f"too few replays as {second.name}: {dict(probed)}\n{shown}"
