"""Logic model use cases called directly: reading none, and concurrent writers of the
first document queueing behind one another."""

from __future__ import annotations

import asyncio

from api.state import AppState
from domain.improvement import logic_model
from domain.improvement.logic_model import LogicModelItemWrite, LogicModelWrite
from domain.shared.errors import PreconditionFailed
from domain.shared.principal import Principal, PrincipalKind
from domain.shared.uow import UnitOfWork
from tests.factories import Party, World
from tests.logic_model.helpers import audit_events, stored


def member(party: Party, world: World) -> Principal:
    return Principal(
        kind=PrincipalKind.client,
        subject=f"client:{party.client.client_id}",
        organisation_id=party.organisation.id,
        programme_ids=frozenset({world.programme.id}),
        scopes=frozenset({"cycles:read", "cycles:write"}),
    )


async def test_no_document_reads_as_version_0(app_state: AppState, world: World) -> None:
    async with UnitOfWork(app_state.database.sessionmaker) as uow:
        record = await logic_model.get_logic_model(uow, member(world.b, world), world.programme.id)
    assert (record.version, record.updated_by, record.updated_at) == (0, None, None)
    assert record.document.inputs == record.document.long_term_outcomes == []


async def test_concurrent_first_writes_create_one_document(
    app_state: AppState, world: World
) -> None:
    principal = member(world.a, world)

    async def put(n: int) -> int | None:
        """None when written; the current version when refused as stale."""
        data = LogicModelWrite(inputs=[LogicModelItemWrite(text=f"Input {n}")])
        try:
            async with UnitOfWork(app_state.database.sessionmaker) as uow:
                await logic_model.put_logic_model(
                    uow, principal, world.programme.id, data, expected_version=0
                )
        except PreconditionFailed as refused:
            return refused.current_version
        return None

    done = await asyncio.gather(*(put(n) for n in range(4)))
    assert sorted(done, key=str) == [1, 1, 1, None]
    row = await stored(world)
    assert row is not None
    assert row[0] == 1
    assert [e.action for e in await audit_events(world)] == ["create"]
