"""Shared helpers for the logic model tests: linked measures, bodies and stored state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlmodel import col

from domain.audit.models import AuditEvent
from domain.improvement.chart_models import LogicModel
from domain.improvement.measures.models import Measure
from tests.factories import World, create_measure

URL = "/v1/programmes/{}/logic-model"


def url(world: World) -> str:
    return URL.format(world.programme.id)


@dataclass
class Linked:
    """Measures a logic model of the world's programme may or may not link to."""

    lead_shared: Measure  # A's, shared with the programme
    lead_private: Measure  # A's, private: only A sees it
    partner_shared: Measure  # B's, shared with the programme
    partner_private: Measure  # B's, private: A may not link to it
    elsewhere: Measure  # C's, in another programme


async def linked_measures(world: World) -> Linked:
    state, a, b = world.state, world.a.organisation, world.b.organisation
    return Linked(
        lead_shared=await create_measure(
            state, a, world.programme, name="TAC within ten days", visibility="programme"
        ),
        lead_private=await create_measure(
            state, a, world.programme, name="Named person workload", kind="balancing"
        ),
        partner_shared=await create_measure(
            state,
            b,
            world.programme,
            name="Pre-birth contacts",
            kind="outcome",
            value_type="proportion",
            visibility="programme",
        ),
        partner_private=await create_measure(state, b, world.programme, name="HV caseload"),
        elsewhere=await create_measure(
            state, world.c.organisation, world.other_programme, name="Elsewhere"
        ),
    )


def document(linked: Linked, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "inputs": [{"text": "Improvement advisers"}, {"text": "Protected practitioner time"}],
        "activities": [{"text": "Team Around the Child meetings in a standing weekly slot"}],
        "outputs": [{"text": "Meetings held within ten days of a concern"}],
        "short_term_outcomes": [
            {
                "text": "Concerns are met quickly",
                "measure_ids": [str(linked.lead_shared.id), str(linked.lead_private.id)],
            }
        ],
        "medium_term_outcomes": [
            {"text": "Parents engaged before birth", "measure_ids": [str(linked.partner_shared.id)]}
        ],
        "long_term_outcomes": [{"text": "Fewer children experience neglect"}],
    }
    body.update(overrides)
    return body


async def stored(world: World) -> tuple[int, dict[str, Any]] | None:
    """(version, document) of the programme's logic model row, straight from the table."""
    async with world.state.database.sessionmaker() as session:
        row = await session.get(LogicModel, world.programme.id)
        return None if row is None else (row.version, row.document)


async def audit_events(world: World) -> list[AuditEvent]:
    async with world.state.database.sessionmaker() as session:
        rows = await session.scalars(
            select(AuditEvent)
            .where(col(AuditEvent.entity_type) == "logic_model")
            .order_by(col(AuditEvent.occurred_at))
        )
        return list(rows.all())


async def count_logic_models(world: World) -> int:
    async with world.state.database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(LogicModel)) or 0)


def ids(items: list[dict[str, Any]]) -> list[UUID]:
    return [UUID(item["id"]) for item in items]
