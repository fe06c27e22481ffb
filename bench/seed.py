"""Bulk-loads synthetic PDSA cycles into the demo programme with one COPY.

Rows are built as `Cycle` models, so new columns get the model's defaults, and copied in the
columns the migrated table really has, less the generated ones (`search`)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from uuid import UUID

import asyncpg

from domain.demo import PROGRAMME
from domain.improvement.models import Cycle
from domain.shared.ids import new_id, utcnow

VOCABULARY = (
    "child family school nursery health visitor named person wellbeing concern meeting "
    "team around the plan review referral neglect support parent carer practitioner "
    "attendance contact home visit early help request locality social work assessment "
    "within days weeks fortnightly weekly invite text letter key worker run chart "
    "baseline measure data collected improvement change idea test small scale spread "
    "adopt adapt learning prediction outcome multi-agency partners agreed actions "
    "timescales chronology escalation pathway consent information sharing group session"
)
WORDS = VOCABULARY.split()

STATUSES = ("plan", "do", "study", "act", "completed", "abandoned")
DECISIONS = ("adopt", "adapt", "abandon")


def _text(rng: random.Random, low: int, high: int) -> str:
    """Sentences of plausible vocabulary, between `low` and `high` characters long."""
    target = rng.randint(low, high)
    sentences: list[str] = []
    length = 0
    while length < target:
        words = rng.choices(WORDS, k=rng.randint(6, 16))
        sentence = " ".join(words).capitalize() + "."
        sentences.append(sentence)
        length += len(sentence) + 1
    return " ".join(sentences)[:target].rstrip()


def _cycle(
    rng: random.Random,
    organisation_id: UUID,
    programme_id: UUID,
    site_id: UUID | None,
    now: datetime,
) -> Cycle:
    status = rng.choice(STATUSES)
    stage = STATUSES.index(status)  # how far through Plan-Do-Study-Act the cycle has got
    started = date(2018, 1, 1) + timedelta(days=rng.randint(0, 5 * 365))
    finished = status in ("completed", "abandoned")
    return Cycle(
        id=new_id(),
        created_at=now,
        updated_at=now,
        created_by="bench-seed",
        organisation_id=organisation_id,
        programme_id=programme_id,
        site_id=site_id,
        visibility=rng.choice(("programme", "programme", "private")),
        status=status,
        title=_text(rng, 24, 110),
        aim=_text(rng, 60, 240),
        change_idea=_text(rng, 60, 240),
        questions=[_text(rng, 30, 90) + "?" for _ in range(rng.randint(0, 3))],
        prediction=_text(rng, 40, 200),
        plan=_text(rng, 80, 500),
        data_collection_plan=_text(rng, 40, 240),
        do_notes=_text(rng, 100, 800) if stage >= 1 else "",
        study_results=_text(rng, 80, 600) if stage >= 2 else "",
        study_learning=_text(rng, 60, 400) if stage >= 2 else "",
        act_decision=rng.choice(DECISIONS) if stage >= 3 else None,
        act_notes=_text(rng, 40, 300) if stage >= 3 else "",
        start_date=started,
        end_date=started + timedelta(days=rng.randint(7, 120)) if finished else None,
    )


async def load_cycles(url: str, count: int, *, seed: int = 7) -> int:
    """Adds `count` cycles to the demo programme, spread over its member organisations."""
    rng = random.Random(seed)
    connection = await asyncpg.connect(url)
    try:
        programme_id = await connection.fetchval(
            "SELECT id FROM programmes WHERE name = $1", PROGRAMME
        )
        if programme_id is None:
            raise RuntimeError("The demo programme is missing; did `hub seed-demo` run?")
        members = [
            row["organisation_id"]
            for row in await connection.fetch(
                "SELECT organisation_id FROM programme_members WHERE programme_id = $1",
                programme_id,
            )
        ]
        sites: dict[UUID, list[UUID]] = {}
        for row in await connection.fetch(
            "SELECT id, organisation_id FROM sites WHERE organisation_id = ANY($1::uuid[])",
            members,
        ):
            sites.setdefault(row["organisation_id"], []).append(row["id"])
        all_sites = [site for owned in sites.values() for site in owned]
        columns = [
            row["column_name"]
            for row in await connection.fetch(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'cycles'"
                " AND table_schema = current_schema() AND is_generated = 'NEVER'"
                " ORDER BY ordinal_position"
            )
        ]
        now = utcnow()
        records = []
        for _ in range(count):
            owner = rng.choice(members)
            # Mostly the owner's own sites; sometimes a partner's site, sometimes none.
            choices = sites.get(owner) or all_sites
            site = None if rng.random() < 0.15 else rng.choice(choices)
            cycle = _cycle(rng, owner, programme_id, site, now)
            records.append(tuple(getattr(cycle, column) for column in columns))
        await connection.copy_records_to_table("cycles", records=records, columns=columns)
        await connection.execute("ANALYZE cycles")
        total: int = await connection.fetchval("SELECT count(*) FROM cycles")
        return total
    finally:
        await connection.close()


async def visible_cycle_ids(url: str, organisation: str, limit: int) -> list[UUID]:
    """Random cycles the demo client's organisation may read: its own or shared ones."""
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            """
            SELECT c.id FROM cycles c
            JOIN organisations o ON o.name = $1
            JOIN programme_members m
              ON m.programme_id = c.programme_id AND m.organisation_id = o.id
            WHERE c.deleted_at IS NULL
              AND (c.organisation_id = o.id OR c.visibility = 'programme')
            ORDER BY random() LIMIT $2
            """,
            organisation,
            limit,
        )
        return [row["id"] for row in rows]
    finally:
        await connection.close()
