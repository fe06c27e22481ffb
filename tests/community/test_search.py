"""Search: only what the caller may see (items, snippets and counts), escaped snippets with
our own highlights, filters, glossary typo tolerance, and 10,000 resources searched in a
bounded number of statements through the GIN index."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.dialects import postgresql

from domain.community import glossary
from domain.community import search_repository as sql
from domain.community.access import content_access
from domain.shared.principal import Principal
from domain.shared.uow import UnitOfWork
from tests.community import helpers as h
from tests.conftest import StatementCounter
from tests.factories import World


async def search(
    client: httpx.AsyncClient, headers: dict[str, str] | None = None, **params: Any
) -> Any:
    response = await client.get("/v1/search", params=params, headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
async def content(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    """Items about neglect at every visibility; each private one carries a secret word."""
    programme = await h.community(client, world)
    open_community = await h.community(
        client, world, name="Open", visibility="public", programme_id=None
    )
    made: dict[str, Any] = {"programme": programme, "open": open_community}
    for visibility, secret in (
        ("public", "daffodil"),
        ("programme", "gooseberry"),
        ("organisation", "marmalade"),
    ):
        made[visibility] = await h.resource(
            client,
            world,
            visibility=visibility,
            title=f"Neglect {visibility}",
            body=f"Working with neglect: {secret}",
        )
    made["draft"] = await h.resource(
        client, world, status="draft", title="Neglect draft", body="neglect pumpernickel"
    )
    made["thread"] = await h.thread(
        client, world, programme["id"], title="Neglect thread", body="neglect quince"
    )
    made["event"] = await h.event(
        client, world, open_community["id"], title="Neglect session", visibility="public"
    )
    return made


async def test_only_what_the_caller_may_see(
    client: httpx.AsyncClient, world: World, content: dict[str, Any]
) -> None:
    expected = {
        None: ({"Neglect public", "Neglect session"}, {"resource": 1, "event": 1, "thread": 0}),
        "c": ({"Neglect public", "Neglect session"}, {"resource": 1, "event": 1, "thread": 0}),
        "b": (
            {"Neglect public", "Neglect programme", "Neglect session", "Neglect thread"},
            {"resource": 2, "event": 1, "thread": 1},
        ),
        "a": (
            {
                "Neglect public",
                "Neglect programme",
                "Neglect organisation",
                "Neglect session",
                "Neglect thread",
            },
            {"resource": 3, "event": 1, "thread": 1},
        ),
    }
    secrets = {"daffodil": None, "gooseberry": "b", "marmalade": "a", "quince": "b"}
    for caller, (titles, counts) in expected.items():
        headers = getattr(world, caller).headers if caller else {}
        found = await search(client, headers, q="neglect", type=["resource", "event", "thread"])
        assert {i["title"] for i in found["items"]} == titles, caller
        assert {k: v for k, v in found["counts"].items()} == counts, caller
        assert found["total"] == sum(counts.values())
        # Drafts never appear in search, not even for their editors.
        assert "pumpernickel" not in str(found)
        for secret, first_allowed in secrets.items():
            allowed = {None: 0, "c": 0, "b": 1, "a": 2}
            may = first_allowed is None or allowed[caller] >= allowed[first_allowed]
            hits = await search(client, headers, q=secret)
            assert (hits["total"] > 0) is may, (caller, secret)
            assert (secret in str(hits)) is may, (caller, secret)


async def test_snippets_are_escaped_with_our_marks_only(
    client: httpx.AsyncClient, world: World
) -> None:
    await h.resource(
        client,
        world,
        title="<script>alert(1)</script> Fidelity",
        summary="",
        body='<script>alert("x")</script> fidelity <img src=x onerror=alert(1)> end',
    )
    # Our highlight marks are control characters, which no text field accepts, so nobody
    # can forge one from inside a resource.
    forged = await client.post(
        "/v1/resources",
        json={"kind": "faq", "title": "Marks", "body": "fidelity \x01 <img src=x> \x02"},
        headers=world.a.headers,
    )
    assert forged.status_code == 422
    assert forged.json()["errors"][0]["pointer"] == "/body"
    found = await search(client, q="fidelity", type=["resource"])
    snippet = found["items"][0]["snippet"]
    assert "<mark>fidelity</mark>" in snippet
    assert "&lt;img src=x onerror=alert" in snippet
    assert "<script" not in snippet
    assert "<img" not in snippet
    assert snippet.count("<mark>") == snippet.count("</mark>") == 1
    h.assert_inert(snippet.replace("<mark>", "").replace("</mark>", ""))


async def test_weights_and_filters(
    client: httpx.AsyncClient, world: World, content: dict[str, Any]
) -> None:
    in_title = await h.resource(client, world, title="Coaching", body="x")
    in_summary = await h.resource(client, world, title="x", summary="coaching", body="y")
    in_body = await h.resource(client, world, title="y", summary="z", body="coaching")
    order = [i["id"] for i in (await search(client, q="coaching"))["items"]]
    assert order == [in_title["id"], in_summary["id"], in_body["id"]]

    tagged = await h.resource(
        client,
        world,
        kind="practice_profile",
        title="Buddy support profile",
        tags=["buddy"],
        audiences=["leaders"],
        stage="exploration",
        community_id=content["open"]["id"],
    )
    for params in (
        {"kind": "practice_profile"},
        {"tag": "buddy"},
        {"audience": "leaders"},
        {"stage": "exploration"},
        {"community_id": content["open"]["id"], "type": ["resource"]},
    ):
        found = await search(client, q="buddy support", **params)
        assert [i["id"] for i in found["items"]] == [tagged["id"]], params
    assert (await search(client, q="buddy", kind="faq"))["total"] == 0
    assert (await search(client, q="neglect", date_from="2100-01-01"))["total"] == 0
    session = await search(client, q="neglect", type=["event"], date_from="2030-01-01")
    assert [i["title"] for i in session["items"]] == ["Neglect session"]


async def test_glossary_tolerates_typos(client: httpx.AsyncClient, world: World) -> None:
    async with UnitOfWork(world.state.database.sessionmaker) as uow:
        assert await glossary.seed_glossary(uow) > 20
    found = await search(client, q="fidelty", type=["glossary"])
    assert found["items"][0]["title"] == "Fidelity"
    assert found["items"][0]["url"] == "/v1/glossary/fidelity"
    zone = await search(client, q="transformaton zone")
    assert zone["items"][0]["title"] == "Transformation zone"
    listed = await client.get("/v1/glossary", params={"q": "implementaton team"})
    assert listed.json()["items"][0]["slug"] == "implementation-team"


async def test_pages_follow_the_ranking(
    client: httpx.AsyncClient, world: World, content: dict[str, Any]
) -> None:
    everything = await search(client, world.a.headers, q="neglect")
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"q": "neglect", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = await search(client, world.a.headers, **params)
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [i["id"] for i in everything["items"]]
    bad = await client.get("/v1/search", params={"q": "x", "cursor": "nonsense"})
    assert bad.status_code == 422


async def _insert_resources(world: World, count: int) -> None:
    """Bulk rows straight into the table; every 100th mentions 'fidelity'. Bodies have 40
    distinct words each, like real text: with bodies of a few bytes (a 3 MB table) the
    planner rightly prefers a sequential scan to the GIN index, as seen while writing this."""
    statement = text(
        """
        INSERT INTO community_resources (
            id, created_at, updated_at, created_by, version, organisation_id, programme_id,
            visibility, status, published_at, kind, title, summary, body, body_html, links,
            audiences, tags)
        SELECT gen_random_uuid(), now(), now(), 'bulk', 1, :org, :programme,
            CASE WHEN n % 3 = 0 THEN 'organisation' ELSE 'public' END, 'published', now(),
            'faq', 'Resource ' || n,
            'Summary of resource ' || n,
            CASE WHEN n % 100 = 0 THEN 'Observing fidelity in practice. ' ELSE '' END ||
            (SELECT string_agg(md5((n * 41 + g)::text), ' ') FROM generate_series(1, 40) g),
            '', '[]'::jsonb, '{}', '{}'
        FROM generate_series(1, :count) AS n
        """
    )
    async with world.state.database.sessionmaker() as session:
        # Test data, not a request: the service's statement timeout does not apply.
        await session.execute(text("SET LOCAL statement_timeout = 0"))
        await session.execute(
            statement,
            {"org": world.a.organisation.id, "programme": world.programme.id, "count": count},
        )
        await session.commit()
        # Fresh statistics, as autovacuum would gather them; without them the planner
        # guesses from an empty table.
        await session.execute(text("ANALYZE community_resources"))
        await session.commit()


async def test_ten_thousand_resources(
    client: httpx.AsyncClient, world: World, count_statements: StatementCounter
) -> None:
    await _insert_resources(world, 10_000)
    count_statements.statements.clear()
    # Resources only: the seeded glossary (present in a freshly migrated database) also
    # mentions fidelity.
    found = await search(client, q="fidelity", limit=20, type=["resource"])
    statements = list(count_statements.statements)
    # 100 mention fidelity; every third is organisation-only, so 67 are public.
    assert found["total"] == 67
    assert len(found["items"]) == 20
    # One statement for the counts, one for the page with its snippets.
    assert len(statements) == 2, statements

    count_statements.statements.clear()
    await search(client, world.a.headers, q="fidelity", limit=200)
    # With a token: the token's checks, then the same two.
    assert len(count_statements.statements) <= 4, count_statements.statements

    query = sql.explain_resources(content_access(Principal.anonymous()), "fidelity")
    compiled = query.compile(dialect=postgresql.asyncpg.dialect())  # type: ignore[no-untyped-call]
    params = [compiled.params[name] for name in compiled.positiontup or []]
    async with world.state.database.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        plan = "\n".join(row[0] for row in await driver.fetch("EXPLAIN " + str(compiled), *params))
    assert "ix_community_resources_search" in plan, plan
