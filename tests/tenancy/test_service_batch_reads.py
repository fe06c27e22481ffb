"""The batch reads behind GraphQL DataLoaders: a login is enough (they serve nested fields
of objects already allowed), and programmes and sites follow the visibility rules."""

from __future__ import annotations

import pytest

from api.state import AppState
from domain.shared.errors import AuthenticationRequired
from domain.shared.principal import Principal, PrincipalKind
from domain.shared.uow import UnitOfWork
from domain.tenancy import service
from tests.factories import Party, World, create_site


def principal(party: Party, world: World, *, admin: bool = False) -> Principal:
    memberships = {
        world.a.organisation.id: {world.programme.id},
        world.b.organisation.id: {world.programme.id},
        world.c.organisation.id: {world.other_programme.id},
    }
    return Principal(
        kind=PrincipalKind.client,
        subject=f"client:{party.client.client_id}",
        organisation_id=party.organisation.id,
        programme_ids=frozenset(memberships.get(party.organisation.id, set())),
        roles=frozenset({"platform_admin"} if admin else set()),
        scopes=frozenset({"cycles:read"}),  # no tenancy scope needed for nested reads
    )


async def test_batch_reads_follow_visibility(app_state: AppState, world: World) -> None:
    c_site = await create_site(app_state, world.c.organisation, "Outsider School")
    programmes = [world.programme.id, world.other_programme.id]
    sites = [world.site_a.id, c_site.id]
    async with UnitOfWork(app_state.database.sessionmaker) as uow:
        b = principal(world.b, world)
        assert set(await service.programmes_by_ids(uow, b, programmes)) == {world.programme.id}
        assert set(await service.sites_by_ids(uow, b, sites)) == {world.site_a.id}
        members = await service.programme_members_by_ids(uow, b, programmes)
        assert set(members) == {world.programme.id}
        assert {o.name for o in members[world.programme.id]} == {
            "Dundee City Council",
            "NHS Tayside",
        }
        c = principal(world.c, world)
        assert set(await service.programmes_by_ids(uow, c, programmes)) == {
            world.other_programme.id
        }
        assert set(await service.sites_by_ids(uow, c, sites)) == {c_site.id}
        everyone = [p.organisation.id for p in (world.a, world.b, world.c)]
        assert len(await service.organisations_by_ids(uow, c, everyone)) == 3

        admin = principal(world.c, world, admin=True)
        assert set(await service.programmes_by_ids(uow, admin, programmes)) == set(programmes)
        assert set(await service.sites_by_ids(uow, admin, sites)) == set(sites)
        system = Principal.system()
        assert set(await service.sites_by_ids(uow, system, sites)) == set(sites)

        with pytest.raises(AuthenticationRequired):
            await service.sites_by_ids(uow, Principal.anonymous(), sites)
