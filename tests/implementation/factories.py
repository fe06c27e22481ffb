"""Small factories for implementation-tracking tests, through the domain services (so the
rows are what the API would have made)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from api.state import AppState
from domain.implementation import implementations, innovations, instruments, teams
from domain.implementation.implementations import ImplementationView
from domain.implementation.innovations import ProfileView
from domain.implementation.models import Innovation, Instrument, MemberRole
from domain.implementation.schemas import (
    ComponentInput,
    ImplementationCreate,
    InnovationCreate,
    MemberInput,
    ProfileVersionCreate,
    TeamCreate,
)
from domain.implementation.teams import TeamView
from domain.shared.principal import Principal, PrincipalKind
from domain.shared.uow import UnitOfWork
from tests.factories import ALL_SCOPES, Party, World

COMPONENTS = [
    {
        "key": "meet-within-ten-days",
        "name": "Meet within ten school days",
        "fixed_or_adaptable": "fixed",
        "expected_practice": "The meeting is held within ten school days of the concern",
        "developmental_practice": "The meeting is held within twenty school days",
        "unacceptable_practice": "No meeting is held",
    },
    {
        "key": "family-voice",
        "name": "The family's voice is heard",
        "fixed_or_adaptable": "fixed",
        "expected_practice": "The family speaks first and their words are recorded",
        "developmental_practice": "The family is asked for views at the end",
        "unacceptable_practice": "The family is not invited",
    },
    {
        "key": "venue",
        "name": "Meeting venue",
        "fixed_or_adaptable": "adaptable",
        "expected_practice": "A place the family chooses",
        "developmental_practice": "A school or clinic room",
        "unacceptable_practice": "A place the family cannot reach",
    },
]


def principal_of(world: World, party: Party) -> Principal:
    return Principal(
        kind=PrincipalKind.client,
        subject=f"client:{party.client.client_id}",
        organisation_id=party.organisation.id,
        client_id=party.client.client_id,
        programme_ids=frozenset(
            {world.programme.id} if party is not world.c else {world.other_programme.id}
        ),
        scopes=frozenset(ALL_SCOPES),
    )


def uow(state: AppState) -> UnitOfWork:
    return UnitOfWork(state.database.sessionmaker)


async def load_instruments(state: AppState) -> dict[str, Instrument]:
    async with uow(state) as work:
        rows = await instruments.load_built_in(work, Principal.system("test"))
    return {row.key: row for row in rows}


async def make_innovation(world: World, party: Party | None = None, **fields: Any) -> Innovation:
    party = party or world.a
    values: dict[str, Any] = {
        "programme_id": world.programme.id,
        "name": "Team Around the Child meetings",
        "visibility": "programme",
    }
    values.update(fields)
    async with uow(world.state) as work:
        return await innovations.create_innovation(
            work, principal_of(world, party), InnovationCreate.model_validate(values)
        )


async def make_profile(
    world: World, innovation: Innovation, *, publish: bool = True, party: Party | None = None
) -> ProfileView:
    principal = principal_of(world, party or world.a)
    async with uow(world.state) as work:
        view = await innovations.create_profile_version(
            work,
            principal,
            innovation.id,
            ProfileVersionCreate(components=[ComponentInput.model_validate(c) for c in COMPONENTS]),
        )
    if publish:
        async with uow(world.state) as work:
            view = await innovations.publish_profile_version(
                work, principal, view.profile.id, expected_version=view.profile.version
            )
    return view


async def make_team(world: World, party: Party | None = None, **fields: Any) -> TeamView:
    party = party or world.a
    programme = world.other_programme if party is world.c else world.programme
    values: dict[str, Any] = {
        "programme_id": programme.id,
        "name": "Dundee implementation team",
        "members": [
            MemberInput(
                name="Alex Reid",
                organisation_id=party.organisation.id,
                role=MemberRole.lead,
                joined_on=date(2023, 1, 9),
            )
        ],
    }
    values.update(fields)
    async with uow(world.state) as work:
        return await teams.create_team(
            work, principal_of(world, party), TeamCreate.model_validate(values)
        )


async def make_implementation(
    world: World,
    innovation: Innovation,
    team_id: UUID,
    *,
    party: Party | None = None,
    started_on: date = date(2024, 1, 10),
    **fields: Any,
) -> ImplementationView:
    values: dict[str, Any] = {
        "innovation_id": innovation.id,
        "site_id": world.site_a.id,
        "team_id": team_id,
        "started_on": started_on,
    }
    values.update(fields)
    async with uow(world.state) as work:
        return await implementations.create_implementation(
            work, principal_of(world, party or world.a), ImplementationCreate.model_validate(values)
        )
