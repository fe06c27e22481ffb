"""What the access matrix aims at: the private rows of the partnership (owned by its
organisations, not public) and request values that point at them, read from the live
database so that new tables and routes are covered without listing them here."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table, text

from api.state import AppState
from domain.shared.metadata import metadata

# Tables whose rows everyone may read: the directory of organisations and reference data.
PUBLIC_TABLES = {"organisations", "glossary_terms", "instruments", "instrument_versions"}
# Rows whose ids may appear in what others read (public content names the programme it
# belongs to) but whose own records stay private: aimed at, never counted as a leak.
REFERENCE_TABLES = {"programmes"}
# Tables no front door serves, or whose rows are not objects with an owner.
IGNORED_TABLES = {"alembic_version", "signing_keys", "audit_events", "idempotency_keys"}
# Path segments that are not named after their table.
SEGMENT_TABLES = {"teams": "implementation_teams", "glossary": "glossary_terms"}
# Path parameters that are not ids: (table, column) to read a real value from.
VALUE_PARAMETERS = {
    "period": ("data_points", "period"),
    "slug": ("glossary_terms", "slug"),
    "number": ("community_resource_revisions", "number"),
}


def singular(table: str) -> str:
    if table.endswith("ies"):
        return table[:-3] + "y"
    return table[:-1] if table.endswith("s") else table


def links_to(table: str | None) -> list[str]:
    """The column names a child row may point at a row of `table` by."""
    if table is None:
        return []
    noun = singular(table)
    return list(dict.fromkeys([f"{noun}_id", f"{noun.split('_')[-1]}_id"]))


def plural(noun: str) -> str:
    if noun.endswith("y"):
        return noun[:-1] + "ies"
    return noun if noun.endswith("s") else noun + "s"


@dataclass
class Targets:
    """Per table, one private row's id (and its other columns), and every private id."""

    outsider_id: uuid.UUID
    tables: dict[str, Table]
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    all_rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # id -> the table it is a private row of
    private_ids: dict[str, str] = field(default_factory=dict)

    def row(self, table: str, parent: tuple[str, Any] | None = None) -> dict[str, Any] | None:
        if parent is not None:
            column, value = parent
            for candidate in self.all_rows.get(table, []):
                if candidate.get(column) == value:
                    return candidate
        return self.rows.get(table)

    def table_for_name(self, noun: str, parent: str | None = None) -> str | None:
        noun = noun.replace("-", "_")
        # `communities/{id}/members` is `community_members`, `teams/{id}/members` `team_members`.
        nested = [f"{link.removesuffix('_id')}_{plural(noun)}" for link in links_to(parent)]
        for name in (SEGMENT_TABLES.get(noun), *nested, noun, plural(noun)):
            if name and name in self.tables:
                return name
        # `profile_versions` is `practice_profile_versions`, `members` is `team_members`.
        endings = [t for t in self.tables if t.endswith("_" + plural(noun))]
        return endings[0] if len(endings) == 1 else None


async def load_targets(state: AppState, outsider_id: uuid.UUID) -> Targets:
    async with state.database.engine.connect() as connection:
        existing = {
            row[0]
            for row in await connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            )
        }
        tables = {
            t.name: t
            for t in metadata.sorted_tables
            if t.name in existing and t.name not in IGNORED_TABLES and "id" in t.c
        }
        targets = Targets(outsider_id=outsider_id, tables=tables)
        for name, table in tables.items():
            query = table.select()
            if "organisation_id" in table.c:
                query = query.where(table.c.organisation_id != outsider_id)
            if "visibility" in table.c and name not in PUBLIC_TABLES:
                query = query.where(table.c.visibility != "public")
            rows = [dict(r._mapping) for r in await connection.execute(query.limit(500))]
            if not rows:
                continue
            targets.all_rows[name] = rows
            targets.rows[name] = rows[0]
            if name not in PUBLIC_TABLES | REFERENCE_TABLES:
                targets.private_ids.update((str(r["id"]), name) for r in rows)
    return targets


def fingerprint_sql(targets: Targets) -> str:
    """One statement that changes whenever any row is added, removed or changed."""
    parts = []
    for name, table in sorted(targets.tables.items()):
        parts.append(f'(SELECT count(*) FROM "{name}")')
        if "version" in table.c:
            parts.append(f'(SELECT coalesce(sum(version), 0) FROM "{name}")')
    for name in ("audit_events", "idempotency_keys"):
        parts.append(f'(SELECT count(*) FROM "{name}")')
    return "SELECT " + ", ".join(parts)


async def fingerprint(state: AppState, sql: str) -> tuple[Any, ...]:
    async with state.database.engine.connect() as connection:
        row = (await connection.execute(text(sql))).one()
    return tuple(row)


def path_values(targets: Targets, path: str) -> tuple[str, list[str], list[str]]:
    """The path with each parameter filled from a private row (a child row belonging to
    its parent where the table says so); the tables it aims at; the problems, if any."""
    segments = path.strip("/").split("/")
    chosen: list[tuple[str, Any]] = []
    aimed: list[str] = []
    problems: list[str] = []
    filled = []
    for index, segment in enumerate(segments):
        match = re.fullmatch(r"\{(\w+)\}(.*)", segment)
        if not match:
            filled.append(segment)
            continue
        name, suffix = match.groups()
        parent_table = chosen[-1][0] if chosen else None
        if name in VALUE_PARAMETERS:
            table, column = VALUE_PARAMETERS[name]
        else:
            previous = segments[index - 1] if index else ""
            found = targets.table_for_name(previous, parent_table) or targets.table_for_name(
                name.removesuffix("_id"), parent_table
            )
            if found is None:
                problems.append(f"no table known for {{{name}}} after '{previous}'")
                filled.append(str(uuid.uuid4()) + suffix)
                continue
            table, column = found, "id"
        parent = None
        if chosen and table in targets.tables:
            parent_row = chosen[-1][1]
            for link in links_to(chosen[-1][0]):
                if link in targets.tables[table].c:
                    parent = (link, parent_row["id"])
                    break
        row = targets.row(table, parent)
        if row is None:
            problems.append(f"the demo has no {table} row for {{{name}}}")
            filled.append(str(uuid.uuid4()) + suffix)
            continue
        chosen.append((table, row))
        aimed.append(table)
        value = row[column]
        filled.append((value.isoformat() if isinstance(value, date) else str(value)) + suffix)
    return "/" + "/".join(filled), aimed, problems


class BodyMaker:
    """A minimal valid instance of a JSON schema (required properties only), with every
    `*_id` pointing at a private row of the table it names."""

    def __init__(self, document: dict[str, Any], targets: Targets) -> None:
        self.document = document
        self.targets = targets
        self.aimed: list[str] = []

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            node: Any = self.document
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def make(self, schema: dict[str, Any], name: str = "") -> Any:
        schema = self.resolve(schema)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return schema["enum"][0]
        for key in ("anyOf", "oneOf", "allOf"):
            if key in schema:
                options = [self.resolve(s) for s in schema[key]]
                options = [s for s in options if s.get("type") != "null"] or options
                return self.make(options[0], name)
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            properties = schema.get("properties", {})
            return {
                key: self.make(properties[key], key)
                for key in schema.get("required", [])
                if key in properties
            }
        if kind == "array":
            count = schema.get("minItems", 0)
            return [self.make(schema.get("items", {}), name) for _ in range(count)]
        if kind == "integer":
            return max(int(schema.get("minimum", 1)), 1)
        if kind == "number":
            return max(float(schema.get("minimum", 1)), 1.0)
        if kind == "boolean":
            return False
        if kind == "string":
            return self.string(schema, name)
        return None

    def string(self, schema: dict[str, Any], name: str) -> str:
        form = schema.get("format")
        if form == "uuid" or name.endswith("_id"):
            return self.reference(name)
        if form == "date":
            return date.today().isoformat()
        if form == "date-time":
            return datetime.now(UTC).isoformat()
        if form in ("uri", "url"):
            return "https://example.org/a"
        if form == "email":
            return "someone@example.org"
        return "x" * max(int(schema.get("minLength", 1)), 1)

    def reference(self, name: str) -> str:
        noun = name.removesuffix("_id")
        for candidate in (noun, noun.split("_")[-1]):
            table = self.targets.table_for_name(candidate)
            if table and table in self.targets.rows:
                self.aimed.append(table)
                return str(self.targets.rows[table]["id"])
        return str(uuid.uuid4())
