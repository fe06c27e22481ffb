"""Small async factories for test data, and a World of three organisations in two
programmes: A and B are partners in one programme; C is an outsider in another."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from api.state import AppState
from domain.identity import tokens
from domain.identity.models import OAuthClient
from domain.identity.secrets import hash_secret, new_client_id
from domain.improvement.feedback import FeedbackItem
from domain.improvement.measures.models import DataPoint, Measure
from domain.improvement.models import Cycle, Ramp
from domain.shared.principal import Scope
from domain.tenancy.models import Organisation, Programme, ProgrammeMember, Site

ALL_SCOPES = [s.value for s in Scope]
TEST_SECRET = "test-client-secret-0123456789"


@lru_cache(maxsize=1)
def _test_secret_hash() -> str:
    # argon2 is slow on purpose; hash the shared test secret once per run.
    return hash_secret(TEST_SECRET)


@dataclass
class Party:
    organisation: Organisation
    client: OAuthClient
    secret: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class World:
    state: AppState
    programme: Programme
    other_programme: Programme
    a: Party
    b: Party
    c: Party
    site_a: Site
    extra: dict[str, Any] = field(default_factory=dict)

    async def token(self, party: Party, scopes: list[str] | None = None, **overrides: Any) -> str:
        return await mint_token(self.state, party.client, scopes, **overrides)


async def mint_token(
    state: AppState, client: OAuthClient, scopes: list[str] | None = None, **overrides: Any
) -> str:
    """A real token signed with the service's key, as the token endpoint would issue it."""
    ring = await state.keys.ring()
    arguments: dict[str, Any] = {
        "issuer": state.settings.token_issuer,
        "audience": state.settings.token_audience,
        "subject": f"client:{client.client_id}",
        "client_id": client.client_id,
        "organisation_id": client.organisation_id,
        "scopes": client.scopes if scopes is None else scopes,
        "ttl_seconds": 600,
    }
    arguments.update(overrides)
    return tokens.issue(ring.signing, **arguments)


async def add(state: AppState, *rows: Any) -> None:
    async with state.database.sessionmaker() as session:
        session.add_all(rows)
        await session.commit()


async def create_organisation(
    state: AppState, name: str, kind: str = "local_authority"
) -> Organisation:
    org = Organisation(name=name, kind=kind, created_by="test")
    await add(state, org)
    return org


async def create_programme(
    state: AppState, name: str, lead: Organisation, members: list[Organisation]
) -> Programme:
    programme = Programme(name=name, lead_organisation_id=lead.id, created_by="test")
    await add(state, programme)
    await add(
        state, *[ProgrammeMember(programme_id=programme.id, organisation_id=m.id) for m in members]
    )
    return programme


async def create_site(
    state: AppState,
    owner: Organisation,
    name: str,
    kind: str = "setting",
    parent: Site | None = None,
) -> Site:
    site = Site(
        organisation_id=owner.id,
        name=name,
        kind=kind,
        parent_id=parent.id if parent else None,
        created_by="test",
    )
    await add(state, site)
    return site


async def create_party(
    state: AppState,
    org: Organisation,
    scopes: list[str] | None = None,
    roles: list[str] | None = None,
) -> Party:
    secret = TEST_SECRET
    client = OAuthClient(
        client_id=new_client_id(),
        name=f"{org.name} system",
        organisation_id=org.id,
        secret_hash=_test_secret_hash(),
        scopes=ALL_SCOPES if scopes is None else scopes,
        roles=roles or [],
        grant_types=["client_credentials"],
        created_by="test",
    )
    await add(state, client)
    return Party(org, client, secret, await mint_token(state, client))


async def create_cycle(
    state: AppState, owner: Organisation, programme: Programme, **fields: Any
) -> Cycle:
    values: dict[str, Any] = {"title": "A cycle", "visibility": "private"}
    values.update(fields)
    cycle = Cycle(organisation_id=owner.id, programme_id=programme.id, created_by="test", **values)
    await add(state, cycle)
    return cycle


async def build_world(state: AppState) -> World:
    a = await create_organisation(state, "Dundee City Council")
    b = await create_organisation(state, "NHS Tayside", "health_board")
    c = await create_organisation(state, "Outsider Council")
    programme = await create_programme(state, "ANEW", a, [a, b])
    other = await create_programme(state, "Elsewhere", c, [c])
    site_a = await create_site(state, a, "Longhaugh Primary")
    return World(
        state=state,
        programme=programme,
        other_programme=other,
        a=await create_party(state, a),
        b=await create_party(state, b),
        c=await create_party(state, c),
        site_a=site_a,
    )


async def create_platform_admin(
    state: AppState, name: str = "Hub operators", scopes: list[str] | None = None
) -> Party:
    """A platform administrator: a client with the platform_admin role, in an organisation
    of its own that belongs to no programme."""
    org = await create_organisation(state, name, "national_body")
    return await create_party(state, org, scopes=scopes, roles=["platform_admin"])


async def create_measure(
    state: AppState, owner: Organisation, programme: Programme, **fields: Any
) -> Measure:
    values: dict[str, Any] = {
        "name": "Children seen within ten days",
        "kind": "process",
        "operational_definition": "Children whose first meeting was within ten school days",
        "unit": "children",
        "value_type": "count",
        "direction": "increase",
        "reporting_period": "month",
        "visibility": "private",
    }
    values.update(fields)
    measure = Measure(
        organisation_id=owner.id, programme_id=programme.id, created_by="test", **values
    )
    await add(state, measure)
    return measure


async def create_point(state: AppState, measure: Measure, period: date, **fields: Any) -> DataPoint:
    values: dict[str, Any] = {"value": 1.0}
    values.update(fields)
    point = DataPoint(
        measure_id=measure.id,
        organisation_id=measure.organisation_id,
        period=period,
        created_by="test",
        **values,
    )
    await add(state, point)
    return point


async def create_ramp(
    state: AppState, owner: Organisation, programme: Programme, **fields: Any
) -> Ramp:
    values: dict[str, Any] = {"title": "Buddy support rounds", "visibility": "private"}
    values.update(fields)
    ramp = Ramp(organisation_id=owner.id, programme_id=programme.id, created_by="test", **values)
    await add(state, ramp)
    return ramp


async def create_feedback_item(
    state: AppState, owner: Organisation, programme: Programme, **fields: Any
) -> FeedbackItem:
    values: dict[str, Any] = {
        "barrier": "Referral forms ask for a signature the family cannot give in time",
        "raised_by": "Health visiting team",
        "raised_on": date(2024, 3, 4),
        "leadership_team": "Children's services leadership group",
        "visibility": "private",
    }
    values.update(fields)
    item = FeedbackItem(
        organisation_id=owner.id, programme_id=programme.id, created_by="test", **values
    )
    await add(state, item)
    return item
