"""The cross-agency access matrix for GraphQL, generated from the schema: every root query
and mutation field, tried without a token, with forged tokens, without its declared scope
and with an outsider organisation's token aimed at the partnership's private objects."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLType,
    Undefined,
    get_named_type,
)

from api.graphql.ids import parse_global_id, to_global_id
from api.graphql.permissions import ScopeDeclaration
from api.graphql.schema import schema
from api.state import AppState
from domain.shared.principal import Scope
from tests.access.forged import forged_tokens
from tests.access.targets import PUBLIC_TABLES, Targets, fingerprint, fingerprint_sql
from tests.access.test_rest_matrix import leaked, seed_partnership
from tests.factories import mint_token

ALL_SCOPES = [s.value for s in Scope]


def declarations() -> dict[tuple[str, str], ScopeDeclaration | None]:
    found: dict[tuple[str, str], ScopeDeclaration | None] = {}
    for root in ("Query", "Mutation"):
        definition = schema.get_type_by_name(root)
        assert definition is not None
        for field in definition.fields:  # type: ignore[union-attr]
            name = schema.config.name_converter.get_graphql_name(field)
            marks = [e for e in field.extensions if isinstance(e, ScopeDeclaration)]
            found[(root, name)] = marks[0] if len(marks) == 1 else None
    return found


def test_every_root_field_declares_access() -> None:
    undeclared = [f"{root}.{name}" for (root, name), d in declarations().items() if d is None]
    assert undeclared == [], (
        "Declare what these fields need with extensions=[requires(...)] or [public(...)] "
        "from api.graphql.permissions: " + ", ".join(undeclared)
    )


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class Arguments:
    """Variables for a field: required arguments only, ids naming private rows."""

    def __init__(self, targets: Targets, subject: str | None) -> None:
        self.targets = targets
        self.subject = subject  # the type an `id` argument names
        self.aimed: list[str] = []

    def global_id(self, type_name: str | None) -> str:
        if type_name:
            table = self.targets.table_for_name(snake(type_name))
            if table and table in self.targets.rows:
                self.aimed.append(table)
                return to_global_id(type_name, self.targets.rows[table]["id"])
        return to_global_id(type_name or "Unknown", uuid.uuid4())

    def value(self, kind: GraphQLType, name: str) -> Any:
        if isinstance(kind, GraphQLNonNull):
            return self.value(kind.of_type, name)
        if isinstance(kind, GraphQLList):
            return []
        if isinstance(kind, GraphQLEnumType):
            return next(iter(kind.values))
        if isinstance(kind, GraphQLInputObjectType):
            return {
                key: self.value(field.type, key)
                for key, field in kind.fields.items()
                if (isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined)
                or key == "id"
            }
        assert isinstance(kind, GraphQLScalarType)
        if kind.name == "ID":
            if name == "id":
                return self.global_id(self.subject)
            type_name = name.removesuffix("Id")
            return self.global_id(type_name[:1].upper() + type_name[1:])
        if kind.name == "UUID":
            table = self.targets.table_for_name(snake(name.removesuffix("Id")))
            if table and table in self.targets.rows:
                self.aimed.append(table)
                return str(self.targets.rows[table]["id"])
            return str(uuid.uuid4())
        return {
            "JSON": {},
            "Int": 1,
            "Float": 1.0,
            "Boolean": False,
            "Date": "2026-01-01",
            "DateTime": "2026-01-01T00:00:00+00:00",
        }.get(kind.name, "x")


def selection(kind: GraphQLType, depth: int = 0) -> str:
    named = get_named_type(kind)
    if isinstance(named, GraphQLInterfaceType):
        return "{ __typename id }"
    if not isinstance(named, GraphQLObjectType):
        return ""
    fields = named.fields
    parts = ["__typename"]
    if "id" in fields:
        parts.append("id")
    if "errors" in fields:
        parts.append("errors { code }")
    if "edges" in fields and depth < 2:
        parts.append("edges { node { __typename " + selection_id(fields["edges"]) + "} }")
    if depth < 1:
        for key, field in fields.items():
            inner = get_named_type(field.type)
            if (
                isinstance(inner, GraphQLObjectType)
                and "id" in inner.fields
                and not field.args
                and key not in ("edges",)
            ):
                parts.append(f"{key} {{ id }}")
    return "{ " + " ".join(parts) + " }"


def selection_id(edges: GraphQLField) -> str:
    node = get_named_type(edges.type)
    assert isinstance(node, GraphQLObjectType)
    inner = get_named_type(node.fields["node"].type) if "node" in node.fields else None
    return "id " if isinstance(inner, GraphQLObjectType) and "id" in inner.fields else ""


def subject_type(root: str, name: str, field: GraphQLField) -> str | None:
    named = get_named_type(field.type)
    if root == "Query":
        return named.name if named.name != "Node" else "Cycle"
    # createCycle, updateFeedbackItem, transitionCycle: the type after the verb.
    match = re.fullmatch(r"[a-z]+([A-Z]\w*)", name)
    return match.group(1) if match else None


def build(
    root: str, name: str, field: GraphQLField, targets: Targets
) -> tuple[str, Any, list[str]]:
    arguments = Arguments(targets, subject_type(root, name, field))
    variables: dict[str, Any] = {}
    declared: list[str] = []
    passed: list[str] = []
    for key, argument in field.args.items():
        required = isinstance(argument.type, GraphQLNonNull) and argument.default_value is Undefined
        if required or key == "id":
            variables[key] = arguments.value(argument.type, key)
            declared.append(f"${key}: {argument.type}")
            passed.append(f"{key}: ${key}")
    verb = "query" if root == "Query" else "mutation"
    header = f"({', '.join(declared)})" if declared else ""
    call = f"{name}({', '.join(passed)})" if passed else name
    return f"{verb} Probe{header} {{ {call} {selection(field.type)} }}", variables, arguments.aimed


def strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def leaked_ids(body: dict[str, Any], targets: Targets, sent: str) -> list[str]:
    """Private ids in the answer, raw or inside a global id, that the caller did not send."""
    found = []
    for text in strings(body.get("data")):
        parsed = parse_global_id(text)
        raw = str(parsed[1]) if parsed else text
        if raw in targets.private_ids and raw not in sent and text not in sent:
            found.append(f"{targets.private_ids[raw]} {raw}")
    return found


def lists(field: GraphQLField) -> bool:
    """A list or connection: an id argument is a filter, and a filter naming rows the caller
    cannot see gives an empty answer, as REST lists do; only a leak would be wrong."""
    kind = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    named = get_named_type(kind)
    return isinstance(kind, GraphQLList) or (
        isinstance(named, GraphQLObjectType) and "edges" in named.fields
    )


def refused(body: dict[str, Any], name: str) -> bool:
    data = (body.get("data") or {}).get(name)
    if data is None:
        return bool(body.get("errors"))
    return isinstance(data, dict) and bool(data.get("errors"))


def error_code(body: dict[str, Any]) -> str | None:
    errors = body.get("errors") or []
    return errors[0].get("extensions", {}).get("code") if errors else None


async def test_graphql_access_matrix(client: httpx.AsyncClient, app_state: AppState) -> None:
    outsider, targets = await seed_partnership(app_state)
    forged = await forged_tokens(app_state, outsider.client)
    sql = fingerprint_sql(targets)
    graphql_schema = schema._schema
    failures: list[str] = []
    tried = 0
    for (root, name), declared in declarations().items():
        assert declared is not None, f"{root}.{name} declares no access"
        root_type = graphql_schema.query_type if root == "Query" else graphql_schema.mutation_type
        assert root_type is not None
        field = root_type.fields[name]
        query, variables, aimed = build(root, name, field, targets)
        private = [t for t in aimed if t not in PUBLIC_TABLES]
        variants: list[tuple[str, str | None]] = [("no token", None)]
        variants += list(forged.items())
        if declared.scopes:
            lacking = [s for s in ALL_SCOPES if s not in declared.scopes]
            variants.append(
                ("missing scope", await mint_token(app_state, outsider.client, lacking))
            )
        variants.append(("another organisation", outsider.token))
        for variant, token in variants:
            tried += 1
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            before = await fingerprint(app_state, sql)
            response = await client.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
            after = await fingerprint(app_state, sql)
            label = f"{root}.{name} [{variant}]"
            body: dict[str, Any] = response.json() if response.content else {}
            if variant in forged:
                if response.status_code != 401:
                    failures.append(f"{label}: HTTP {response.status_code}, expected 401")
            elif response.status_code != 200:
                failures.append(f"{label}: HTTP {response.status_code} {response.text[:200]}")
            elif variant == "no token" and not declared.anonymous:
                if error_code(body) != "UNAUTHENTICATED":
                    failures.append(f"{label}: {error_code(body)}, expected UNAUTHENTICATED")
            elif variant == "missing scope" and error_code(body) != "INSUFFICIENT_SCOPE":
                failures.append(f"{label}: {error_code(body)}, expected INSUFFICIENT_SCOPE")
            elif (
                variant == "another organisation"
                and private
                and not lists(field)
                and not refused(body, name)
            ):
                failures.append(f"{label}: not refused: {response.text[:300]}")
            if error_code(body) == "INTERNAL_SERVER_ERROR" or "Internal error" in response.text:
                failures.append(f"{label}: internal error for {query}")
            leaks = leaked(response.content, targets, str(variables))
            leaks += leaked_ids(body, targets, str(variables))
            if leaks:
                failures.append(f"{label}: shows private ids {leaks[:3]}")
            if after != before and (private or variant != "another organisation"):
                failures.append(f"{label}: changed the database")
    assert tried > 100
    assert failures == [], "\n".join(failures)
