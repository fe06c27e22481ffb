"""Helpers for the tenancy tests: GraphQL calls, audit rows, row counts, bearer headers."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import func, select
from sqlmodel import col

from api.state import AppState
from domain.audit.models import AuditEvent
from tests.factories import Party, mint_token


async def gql(
    client: httpx.AsyncClient, headers: dict[str, str], query: str, **variables: Any
) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def bearer(state: AppState, party: Party, scopes: list[str]) -> dict[str, str]:
    """Headers for the party's client with a token carrying only `scopes`."""
    return {"Authorization": f"Bearer {await mint_token(state, party.client, scopes)}"}


async def audit_actions(state: AppState, entity_id: UUID | str) -> list[str]:
    async with state.database.sessionmaker() as session:
        rows = await session.scalars(
            select(col(AuditEvent.action))
            .where(col(AuditEvent.entity_id) == UUID(str(entity_id)))
            .order_by(col(AuditEvent.occurred_at))
        )
        return list(rows.all())


async def audit_events(state: AppState, entity_id: UUID | str) -> list[AuditEvent]:
    async with state.database.sessionmaker() as session:
        rows = await session.scalars(
            select(AuditEvent)
            .where(col(AuditEvent.entity_id) == UUID(str(entity_id)))
            .order_by(col(AuditEvent.occurred_at))
        )
        return list(rows.all())


async def count(state: AppState, model: Any) -> int:
    async with state.database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def etag_of(response: httpx.Response) -> str:
    value = response.headers["ETag"]
    assert value.startswith('"'), value
    return value


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:implementation-hub:problem:{code}", body
    return body


def pointers(body: dict[str, Any]) -> dict[str, str]:
    return {e.get("pointer") or e["parameter"]: e["code"] for e in body["errors"]}
