"""Shared helpers for the observations tests: bodies, fixtures in the database, counts."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy import func, select

from domain.implementation.models import CoreComponent, Innovation, PracticeProfileVersion
from domain.observations.models import Observation
from domain.shared.ids import new_id
from domain.tenancy.models import Organisation, Programme
from tests.factories import World, add

PROBLEM = "application/problem+json"


def when(days_ago: float = 0) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()


def general(world: World, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(new_id()),
        "kind": "general",
        "observed_at": when(1),
        "programme_id": str(world.programme.id),
        "text": "Buddy pairs met at break; two pairs needed prompting.",
        "tags": ["buddy-support"],
        "location_label": "Longhaugh Primary",
    }
    body.update(fields)
    return body


def cycle_note(cycle_id: UUID, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(new_id()),
        "kind": "cycle_note",
        "observed_at": when(1),
        "cycle_id": str(cycle_id),
        "text": "The new referral form took four minutes instead of twenty.",
    }
    body.update(fields)
    return body


def gzipped(body: Any) -> bytes:
    return gzip.compress(orjson.dumps(body))


def gzip_headers(world_headers: dict[str, str]) -> dict[str, str]:
    return {**world_headers, "Content-Encoding": "gzip", "Content-Type": "application/json"}


async def count_observations(world: World) -> int:
    async with world.state.database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Observation)) or 0)


async def create_profile(
    world: World,
    owner: Organisation,
    programme: Programme,
    *,
    status: str = "published",
    visibility: str = "programme",
    components: int = 3,
) -> tuple[PracticeProfileVersion, list[CoreComponent]]:
    innovation = Innovation(
        organisation_id=owner.id,
        programme_id=programme.id,
        visibility=visibility,
        name="Team Around the Child meetings",
        created_by="test",
    )
    await add(world.state, innovation)
    version = PracticeProfileVersion(
        innovation_id=innovation.id,
        version_number=1,
        status=status,
        published_at=datetime.now(UTC) if status == "published" else None,
        organisation_id=owner.id,
        programme_id=programme.id,
        visibility=visibility,
        created_by="test",
    )
    await add(world.state, version)
    parts = [
        CoreComponent(
            profile_version_id=version.id,
            key=f"c{i}",
            name=f"Component {i}",
            expected_practice="Family invited and heard",
            position=i,
        )
        for i in range(components)
    ]
    await add(world.state, *parts)
    return version, parts
