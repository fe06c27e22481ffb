"""Signing in: lockout after repeated failures, one answer for every failure, audit rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from api.state import AppState
from domain.audit.models import AuditEvent
from domain.identity import secrets
from domain.identity.errors import LoginFailed
from domain.identity.models import User
from domain.identity.users import (
    LOGIN_FAILED_MESSAGE,
    RoleGrant,
    authenticate_user,
    new_roles,
    new_user,
)
from domain.shared.errors import ValidationFailed
from domain.shared.ids import utcnow
from domain.shared.uow import UnitOfWork
from tests.factories import World, add
from tests.identity.factories import PASSWORD, create_user


async def _login(state: AppState, email: str, password: str) -> User:
    async with UnitOfWork(state.database.sessionmaker) as uow:
        return await authenticate_user(
            uow, state.settings, email=email, password=password, client_id="hub_app"
        )


async def _audit(state: AppState) -> list[AuditEvent]:
    async with state.database.sessionmaker() as session:
        rows = await session.scalars(
            select(AuditEvent).order_by(col(AuditEvent.occurred_at), col(AuditEvent.id))
        )
        return list(rows.all())


async def test_login_succeeds_and_is_audited(world: World) -> None:
    user = await create_user(world.state, world.a.organisation, "Ann@Dundee.example")
    signed_in = await _login(world.state, "  ANN@dundee.EXAMPLE ", PASSWORD)
    assert signed_in.id == user.id
    assert signed_in.last_login_at is not None
    [event] = await _audit(world.state)
    assert (event.action, event.entity_id, event.actor) == ("login", user.id, f"user:{user.id}")
    assert event.client_id == "hub_app"
    assert event.organisation_id == world.a.organisation.id


async def test_lockout_after_repeated_failures(world: World) -> None:
    state = world.state
    limit = state.settings.login_max_failures
    user = await create_user(state, world.a.organisation, "ann@dundee.example")
    for _ in range(limit):
        with pytest.raises(LoginFailed) as failed:
            await _login(state, "ann@dundee.example", "wrong password!")
        assert failed.value.detail == LOGIN_FAILED_MESSAGE
    # Locked: even the right password is refused, with the same words.
    with pytest.raises(LoginFailed) as locked:
        await _login(state, "ann@dundee.example", PASSWORD)
    assert locked.value.detail == LOGIN_FAILED_MESSAGE

    events = await _audit(state)
    actions = [e.action for e in events]
    assert actions == ["login_failed"] * limit + ["lockout", "login_failed"]
    assert all(e.entity_id == user.id for e in events)
    assert events[-1].changes == {"reason": "locked"}
    assert events[limit].changes["failed_logins"] == limit
    async with state.database.sessionmaker() as session:
        row = await session.get(User, user.id)
    assert row is not None
    assert row.locked_until is not None
    lock = row.locked_until - events[limit].occurred_at
    assert abs(lock - timedelta(minutes=state.settings.login_lockout_minutes)) < timedelta(
        seconds=5
    )

    # Once the lock has passed, the right password works and the count starts again.
    async with state.database.sessionmaker() as session:
        await session.execute(update(User).values(locked_until=utcnow() - timedelta(seconds=1)))
        await session.commit()
    signed_in = await _login(state, "ann@dundee.example", PASSWORD)
    assert signed_in.failed_logins == 0
    assert signed_in.locked_until is None
    assert (await _audit(state))[-1].action == "login"


async def test_a_success_resets_the_count(world: World) -> None:
    state = world.state
    await create_user(state, world.a.organisation, "ann@dundee.example")
    for _ in range(state.settings.login_max_failures - 1):
        with pytest.raises(LoginFailed):
            await _login(state, "ann@dundee.example", "nope nope nope")
    await _login(state, "ann@dundee.example", PASSWORD)
    with pytest.raises(LoginFailed):
        await _login(state, "ann@dundee.example", "nope nope nope")
    assert "lockout" not in [e.action for e in await _audit(state)]


async def test_unknown_email_and_disabled_account_answer_like_a_wrong_password(
    world: World,
) -> None:
    state = world.state
    await create_user(state, world.a.organisation, "ann@dundee.example")
    await create_user(state, world.a.organisation, "gone@dundee.example", disabled_at=utcnow())
    answers = []
    for email, password in [
        ("ann@dundee.example", "wrong password!"),
        ("nobody@dundee.example", "wrong password!"),
        ("gone@dundee.example", PASSWORD),
    ]:
        with pytest.raises(LoginFailed) as failed:
            await _login(state, email, password)
        answers.append(failed.value.detail)
    assert len(set(answers)) == 1
    reasons = [e.changes["reason"] for e in await _audit(state)]
    assert reasons == ["wrong_password", "unknown_email", "disabled"]


async def test_unknown_email_costs_the_same_argon2_check_as_a_wrong_password(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No timing here (speed is for benchmarks): what makes both cost the same is that
    each runs exactly one argon2 verification, the unknown email against a dummy hash."""
    state = world.state
    await create_user(state, world.a.organisation, "ann@dundee.example")
    verified: list[str] = []

    def counting(stored_hash: str | None, secret: str) -> bool:
        verified.append(stored_hash or secrets._DUMMY_HASH)
        return real(stored_hash, secret)

    real = secrets._verify
    monkeypatch.setattr(secrets, "_verify", counting)
    for email in ("ann@dundee.example", "nobody@dundee.example"):
        verified.clear()
        with pytest.raises(LoginFailed):
            await _login(state, email, "wrong password!")
        assert len(verified) == 1, email
        assert verified[0].startswith("$argon2"), email


async def test_email_is_unique_whatever_its_case(world: World) -> None:
    state = world.state
    await create_user(state, world.a.organisation, "ann@dundee.example")
    duplicate = new_user(
        organisation_id=world.b.organisation.id,
        email="ANN@Dundee.Example",
        display_name="Another Ann",
        password=None,
        created_by="test",
    )
    assert duplicate.email == "ann@dundee.example"
    with pytest.raises(IntegrityError):
        await add(state, duplicate)
    # The database refuses a mixed-case email written around the domain, too.
    raw = User(
        organisation_id=world.a.organisation.id,
        email="Bob@Dundee.example",
        display_name="Bob",
        created_by="test",
    )
    with pytest.raises(IntegrityError):
        await add(state, raw)


def test_new_user_validates() -> None:
    from uuid import uuid4

    with pytest.raises(ValidationFailed) as failed:
        new_user(
            organisation_id=uuid4(),
            email="not-an-email",
            display_name=" ",
            password="short",
            created_by="test",
        )
    assert {e.pointer for e in failed.value.errors} == {"/email", "/display_name", "/password"}
    user = new_user(
        organisation_id=uuid4(),
        email="a@b.example",
        display_name="A",
        password="a long enough password",
        created_by="test",
    )
    assert user.password_hash is not None
    assert user.password_hash.startswith("$argon2")
    with pytest.raises(ValidationFailed):
        new_roles(user, [RoleGrant("emperor")], created_by="test")
