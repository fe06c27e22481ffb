"""The cross-agency access matrix for REST, generated from the OpenAPI document: every
operation, tried without a token, with five kinds of forged or unusable token, without its
declared scope, and with an outsider organisation's valid token aimed at the partnership's
private objects. Each must get its answer (401, 403, 404), show none of the partnership's
private ids, and change nothing in the database. A route added without a declaration
(`requires` / `public` in api.deps) fails `test_every_operation_declares_access`."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from typing import Any

import httpx
import orjson
from sqlalchemy import select

from api.state import AppState
from domain import demo
from domain.identity.federation_models import TrustedIssuer
from domain.observations.models import Observation
from domain.shared.ids import utcnow
from domain.shared.principal import Scope
from domain.shared.uow import UnitOfWork
from domain.tenancy.models import ProgrammeMember
from tests.access.forged import forged_tokens
from tests.access.targets import (
    BodyMaker,
    Targets,
    fingerprint,
    fingerprint_sql,
    load_targets,
    path_values,
)
from tests.factories import Party, create_organisation, create_party, mint_token

# Operations that take no bearer token by design: the OAuth endpoints authenticate the
# client itself, and the probes and key set are for infrastructure.
OPEN_OPERATIONS = {
    ("post", "/oauth/token"),
    ("post", "/oauth/revoke"),
    ("post", "/oauth/introspect"),
    ("get", "/.well-known/jwks.json"),
    ("get", "/.well-known/oauth-authorization-server"),
    ("get", "/healthz"),
    ("get", "/readyz"),
}
ALL_SCOPES = [s.value for s in Scope]
UUID_PATTERN = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@dataclass(frozen=True)
class Declaration:
    public: bool
    scopes: tuple[str, ...]


def declaration(operation: dict[str, Any]) -> Declaration | None:
    security = operation.get("security")
    if not security:
        return None
    scopes: list[str] = []
    for requirement in security:
        for names in requirement.values():
            scopes.extend(names)
    return Declaration(public={} in security, scopes=tuple(scopes))


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def live_document(app_state: AppState) -> dict[str, Any]:
    app = app_state.app  # type: ignore[attr-defined]
    document: dict[str, Any] = app.openapi()
    return document


def test_every_operation_declares_access(app_state: AppState) -> None:
    undeclared = [
        f"{method.upper()} {path}"
        for method, path, operation in operations(live_document(app_state))
        if (method, path) not in OPEN_OPERATIONS and declaration(operation) is None
    ]
    assert undeclared == [], (
        "Declare what these operations need with requires(...) or public(...) from api.deps: "
        + ", ".join(undeclared)
    )


async def seed_partnership(app_state: AppState) -> tuple[Party, Targets]:
    """The demo programme with everything every area seeds, and an outsider organisation
    that belongs to no programme, holding a client with every scope."""
    async with UnitOfWork(app_state.database.sessionmaker) as uow:
        await demo.seed(uow)
    await add_what_the_demo_lacks(app_state)
    outsider = await create_party(app_state, await create_organisation(app_state, "Outsider"))
    return outsider, await load_targets(app_state, outsider.organisation.id)


async def add_what_the_demo_lacks(app_state: AppState) -> None:
    """Rows the demo has no reason to hold: an observation from the field and a trusted
    issuer, so their routes are aimed at real private rows too."""
    async with app_state.database.sessionmaker() as session:
        member = (await session.scalars(select(ProgrammeMember))).first()
        assert member is not None, "the demo has no programme members"
        now = utcnow()
        session.add_all(
            [
                Observation(
                    organisation_id=member.organisation_id,
                    programme_id=member.programme_id,
                    kind="general",
                    observed_at=now,
                    received_at=now,
                    text="Children used the buddy bench at break.",
                    content_hash="0" * 64,
                    created_by="client:demo-app",
                ),
                TrustedIssuer(
                    name="Council sign-in",
                    issuer="https://idp.council.test",
                    jwks_url="https://idp.council.test/jwks",
                    audience="implementation-hub",
                    organisation_id=member.organisation_id,
                    max_scopes=["cycles:read"],
                    created_by="test",
                ),
            ]
        )
        await session.commit()


def leaked(body: bytes, targets: Targets, sent: str) -> list[str]:
    text = body.decode(errors="replace")
    return [
        f"{table} {i}" for i, table in targets.private_ids.items() if i in text and i not in sent
    ]


@dataclass
class Probe:
    method: str
    url: str
    params: dict[str, Any]
    body: Any
    aimed_by_path: list[str]
    aimed_by_body: list[str]
    problems: list[str]


def build_probe(
    document: dict[str, Any], targets: Targets, method: str, path: str, operation: dict[str, Any]
) -> Probe:
    url, aimed, problems = path_values(targets, path)
    maker = BodyMaker(document, targets)
    params = {
        p["name"]: maker.make(p.get("schema", {}), p["name"])
        for p in operation.get("parameters", [])
        if p.get("in") == "query" and p.get("required")
    }
    body = None
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        body = maker.make(content["application/json"].get("schema", {}))
    return Probe(method, url, params, body, aimed, list(maker.aimed), problems)


async def send(
    client: httpx.AsyncClient, probe: Probe, token: str | None
) -> tuple[int, bytes, str]:
    headers = {"If-Match": '"1"'}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    content = None
    if probe.body is not None:
        content = orjson.dumps(probe.body)
        headers["Content-Type"] = "application/json"
    response = await client.request(
        probe.method.upper(), probe.url, params=probe.params, content=content, headers=headers
    )
    sent = probe.url + str(probe.params) + (content or b"").decode()
    return response.status_code, response.content, sent


def expected_for_outsider(method: str, probe: Probe, targets: Targets) -> set[int] | None:
    """None: nothing of the partnership's is named, so there is nothing to refuse."""
    from tests.access.targets import PUBLIC_TABLES

    private_path = [t for t in probe.aimed_by_path if t not in PUBLIC_TABLES]
    if private_path:
        return {404} if method == "get" else {403, 404}
    if probe.aimed_by_path and method != "get":
        return {403, 404}  # public directory rows: readable, never writable by an outsider
    if [t for t in probe.aimed_by_body if t not in PUBLIC_TABLES]:
        return {400, 403, 404, 409, 422}
    return None


async def test_rest_access_matrix(client: httpx.AsyncClient, app_state: AppState) -> None:
    document = live_document(app_state)
    outsider, targets = await seed_partnership(app_state)
    forged = await forged_tokens(app_state, outsider.client)
    sql = fingerprint_sql(targets)
    failures: list[str] = []
    tried = 0

    for method, path, operation in operations(document):
        if (method, path) in OPEN_OPERATIONS:
            continue
        declared = declaration(operation)
        assert declared is not None, f"{method.upper()} {path} declares no access"
        probe = build_probe(document, targets, method, path, operation)
        name = f"{method.upper()} {path}"
        failures.extend(f"{name}: {p}" for p in probe.problems)
        variants: list[tuple[str, str | None, set[int] | None]] = [
            ("no token", None, None if declared.public else {401}),
            *((kind, token, {401}) for kind, token in forged.items()),
        ]
        if declared.scopes:
            lacking = [s for s in ALL_SCOPES if s not in declared.scopes]
            lacking_token = await mint_token(app_state, outsider.client, lacking)
            variants.append(("missing scope", lacking_token, {403}))
        variants.append(
            (
                "another organisation",
                outsider.token,
                expected_for_outsider(method, probe, targets),
            )
        )
        for variant, token, expected in variants:
            tried += 1
            before = await fingerprint(app_state, sql)
            status, body, sent = await send(client, probe, token)
            after = await fingerprint(app_state, sql)
            if status == 403 and expected == {404}:
                # Refused whatever the id (a platform administrator's operation, say): that
                # says nothing about this object, so it is as good as a 404.
                stranger = re.sub(UUID_PATTERN, str(uuid.uuid4()), probe.url)
                if (await send(client, replace(probe, url=stranger), token))[0] == 403:
                    expected = {403}
            if expected is not None and status not in expected:
                failures.append(f"{name} [{variant}]: {status}, expected {sorted(expected)}")
            if status >= 500:
                failures.append(f"{name} [{variant}]: {status} {body[:200]!r}")
            if leaks := leaked(body, targets, sent):
                failures.append(f"{name} [{variant}]: shows private ids {leaks[:3]}")
            if after != before and (expected is not None or variant != "another organisation"):
                failures.append(f"{name} [{variant}]: changed the database ({status})")
    assert tried > 100
    assert failures == [], "\n".join(failures)
