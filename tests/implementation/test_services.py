"""Use cases called directly: audit trail, concurrent writers, scopes, and visibility that
follows the innovation."""

from __future__ import annotations

import asyncio
from datetime import date

import httpx
import pytest
from sqlalchemy import func, select
from sqlmodel import col

from domain.audit.models import AuditEvent
from domain.implementation import implementations, innovations
from domain.implementation.models import Stage, StageTransition
from domain.implementation.schemas import InnovationUpdate, StageTransitionCreate
from domain.shared.errors import InsufficientScope, PreconditionFailed
from tests.factories import World
from tests.implementation.factories import (
    make_implementation,
    make_innovation,
    make_profile,
    make_team,
    principal_of,
    uow,
)


async def test_writes_are_audited(world: World) -> None:
    innovation = await make_innovation(world)
    team = await make_team(world)
    view = await make_implementation(world, innovation, team.team.id)
    async with uow(world.state) as work:
        await implementations.transition_implementation(
            work,
            principal_of(world, world.a),
            view.implementation.id,
            StageTransitionCreate(to=Stage.installation, effective_on=date(2024, 3, 1)),
            expected_version=1,
        )
    async with world.state.database.sessionmaker() as session:
        rows = (
            await session.execute(
                select(col(AuditEvent.entity_type), col(AuditEvent.action)).order_by(
                    col(AuditEvent.occurred_at)
                )
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("innovation", "create"),
        ("implementation_team", "create"),
        ("implementation", "create"),
        ("implementation", "transition"),
    ]


async def test_concurrent_transitions_with_one_version_let_exactly_one_win(world: World) -> None:
    innovation = await make_innovation(world)
    team = await make_team(world)
    view = await make_implementation(world, innovation, team.team.id)
    principal = principal_of(world, world.a)

    async def attempt(day: int) -> str:
        try:
            async with uow(world.state) as work:
                await implementations.transition_implementation(
                    work,
                    principal,
                    view.implementation.id,
                    StageTransitionCreate(to=Stage.installation, effective_on=date(2024, 3, day)),
                    expected_version=1,
                )
        except PreconditionFailed:
            return "stale"
        return "won"

    results = await asyncio.gather(*(attempt(n) for n in range(1, 5)))
    assert sorted(results) == ["stale", "stale", "stale", "won"]
    async with world.state.database.sessionmaker() as session:
        moves = await session.scalar(select(func.count()).select_from(StageTransition))
    assert moves == 2  # the start and the one winner


async def test_reading_needs_the_implementation_scope(
    client: httpx.AsyncClient, world: World
) -> None:
    innovation = await make_innovation(world)
    token = await world.token(world.a, scopes=["cycles:read"])
    response = await client.get(
        f"/v1/innovations/{innovation.id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403
    reader = await world.token(world.a, scopes=["implementation:read"])
    refused = await client.post(
        "/v1/innovations",
        json={"programme_id": str(world.programme.id), "name": "x"},
        headers={"Authorization": f"Bearer {reader}"},
    )
    assert refused.status_code == 403
    principal = principal_of(world, world.a)
    limited = type(principal)(
        kind=principal.kind,
        subject=principal.subject,
        organisation_id=principal.organisation_id,
        programme_ids=principal.programme_ids,
        scopes=frozenset({"implementation:read"}),
    )
    with pytest.raises(InsufficientScope):
        async with uow(world.state) as work:
            await innovations.update_innovation(
                work, limited, innovation.id, InnovationUpdate(name="y"), expected_version=1
            )


async def test_profile_versions_follow_the_innovations_visibility(
    client: httpx.AsyncClient, world: World
) -> None:
    innovation = await make_innovation(world)
    profile = await make_profile(world, innovation)
    url = f"/v1/profile-versions/{profile.profile.id}"
    assert (await client.get(url, headers=world.b.headers)).status_code == 200
    async with uow(world.state) as work:
        await innovations.update_innovation(
            work,
            principal_of(world, world.a),
            innovation.id,
            InnovationUpdate.model_validate({"visibility": "private"}),
            expected_version=1,
        )
    assert (await client.get(url, headers=world.b.headers)).status_code == 404
    assert (await client.get(url, headers=world.a.headers)).status_code == 200
