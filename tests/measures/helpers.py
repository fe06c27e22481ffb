"""Shared helpers for the measures tests: request bodies, GraphQL calls and row counts."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import func, select
from sqlmodel import col

from domain.audit.models import AuditEvent
from domain.improvement.measures.models import DataPoint, Measure
from tests.factories import World

PROBLEM = "application/problem+json"


def new_measure(world: World, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "programme_id": str(world.programme.id),
        "name": "Team Around the Child meetings within ten days",
        "kind": "process",
        "operational_definition": "Meetings held within ten school days of a concern, "
        "from the TAC log, by the date of the concern",
        "unit": "meetings",
        "value_type": "proportion",
        "direction": "increase",
        "target": 0.8,
        "reporting_period": "month",
        "visibility": "programme",
    }
    body.update(fields)
    return body


async def count_measures(world: World) -> int:
    async with world.state.database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Measure)) or 0)


async def count_points(world: World, measure_id: UUID | None = None) -> int:
    query = select(func.count()).select_from(DataPoint)
    if measure_id is not None:
        query = query.where(col(DataPoint.measure_id) == measure_id)
    async with world.state.database.sessionmaker() as session:
        return int(await session.scalar(query) or 0)


async def stored_points(world: World, measure_id: UUID) -> dict[str, tuple[Any, ...]]:
    """period -> (value, numerator, denominator, note, version), straight from the table."""
    async with world.state.database.sessionmaker() as session:
        rows = await session.scalars(
            select(DataPoint).where(col(DataPoint.measure_id) == measure_id)
        )
        return {
            p.period.isoformat(): (p.value, p.numerator, p.denominator, p.note, p.version)
            for p in rows.all()
        }


async def audit_rows(world: World, entity_type: str) -> list[tuple[str, UUID]]:
    async with world.state.database.sessionmaker() as session:
        rows = await session.execute(
            select(col(AuditEvent.action), col(AuditEvent.entity_id))
            .where(col(AuditEvent.entity_type) == entity_type)
            .order_by(col(AuditEvent.occurred_at))
        )
        return [(action, entity_id) for action, entity_id in rows.all()]


async def audit_actions(world: World, entity_id: UUID | str) -> list[str]:
    async with world.state.database.sessionmaker() as session:
        rows = await session.scalars(
            select(col(AuditEvent.action))
            .where(col(AuditEvent.entity_id) == UUID(str(entity_id)))
            .order_by(col(AuditEvent.occurred_at))
        )
        return list(rows.all())


async def gql(
    client: httpx.AsyncClient, headers: dict[str, str], query: str, **variables: Any
) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
