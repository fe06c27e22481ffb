"""Failed sign-ins per network address (a per-worker backstop to the account lockout)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select
from sqlmodel import col

from api.oauth.throttle import FailureThrottle
from domain.audit.models import AuditEvent
from domain.identity.users import THROTTLED_MESSAGE
from tests.factories import World
from tests.identity.factories import (
    PASSWORD,
    authorize_params,
    create_app_client,
    create_user,
    pkce_pair,
    sign_in,
)


def test_sliding_window() -> None:
    throttle = FailureThrottle(limit=2, window_seconds=10, max_sources=2)
    throttle.record_failure("a", now=0)
    assert not throttle.blocked("a", now=1)
    throttle.record_failure("a", now=1)
    assert throttle.blocked("a", now=2)
    assert not throttle.blocked("b", now=2)
    assert not throttle.blocked("a", now=10.5)  # the first failure left the window
    # Memory stays bounded: the quietest address is forgotten first.
    throttle.record_failure("b", now=11)
    throttle.record_failure("c", now=12)
    assert set(throttle._failures) == {"b", "c"}


@pytest.fixture
def tight(world: World) -> Iterator[FailureThrottle]:
    app = world.state.app  # type: ignore[attr-defined]
    throttle = FailureThrottle(limit=2, window_seconds=300)
    app.state.login_throttle = throttle
    yield throttle
    del app.state.login_throttle


async def test_an_address_that_fails_too_often_waits(
    client: httpx.AsyncClient, world: World, tight: FailureThrottle
) -> None:
    app = await create_app_client(world.state, world.a.organisation)
    await create_user(world.state, world.a.organisation, "ann@dundee.example")
    _, challenge = pkce_pair()
    params = authorize_params(app, challenge)
    for email in ("ann@dundee.example", "bob@dundee.example"):
        failed = await sign_in(client, params, email=email, password="wrong password!")
        assert failed.after_login.status_code == 200
    # Now even the right password waits, and the page says why (for every email alike).
    waiting = await sign_in(client, params, email="ann@dundee.example", password=PASSWORD)
    assert waiting.after_login.status_code == 429
    assert waiting.after_login.headers["retry-after"] == "300"
    assert "Too many failed sign-ins" in waiting.after_login.text
    assert THROTTLED_MESSAGE.split(".")[0] in waiting.after_login.text
    async with world.state.database.sessionmaker() as session:
        reasons = [
            e.changes.get("reason")
            for e in (
                await session.scalars(select(AuditEvent).order_by(col(AuditEvent.occurred_at)))
            ).all()
        ]
    assert reasons == ["wrong_password", "unknown_email", "throttled"]
