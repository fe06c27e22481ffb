"""The GraphQL schema: queries and mutations from each area, with limits and caches on."""

from __future__ import annotations

import logging
from uuid import UUID

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from api.graphql.admin import AdminMutations, AdminQueries
from api.graphql.charts import ChartQueries
from api.graphql.community import (
    COMMUNITY_NODE_TYPES,
    CommunityMutations,
    CommunityQueries,
    resolve_community_node,
)
from api.graphql.cycles import CycleMutations, CycleQueries
from api.graphql.errors import graphql_error, masking
from api.graphql.feedback import FeedbackMutations, FeedbackQueries
from api.graphql.ids import parse_global_id
from api.graphql.implementation import (
    IMPLEMENTATION_NODE_TYPES,
    NODE_CLASSES,
    ImplementationMutations,
    ImplementationQueries,
    resolve_node,
)
from api.graphql.implementation_edits import ImplementationEditMutations
from api.graphql.logic_model import LogicModelMutations, LogicModelQueries
from api.graphql.measures import Measure, MeasureMutations, MeasureQueries
from api.graphql.observations import (
    OBSERVATION_NODE_TYPES,
    ObservationMutations,
    ObservationQueries,
    resolve_observation_node,
)
from api.graphql.permissions import requires
from api.graphql.ramps import RampMutations, RampQueries
from api.graphql.tenancy import TenancyMutations, TenancyQueries
from api.graphql.types import ContextInfo, Cycle, Node, Organisation, Programme, Site
from domain.improvement import service as cycles
from domain.improvement.measures import service as measures
from domain.shared.errors import DomainError, FieldError, ValidationFailed
from domain.tenancy import service as tenancy

log = logging.getLogger("api.graphql")
NODE_TYPES = (
    frozenset({"Cycle", "Measure", "Organisation", "Programme", "Site"})
    | IMPLEMENTATION_NODE_TYPES
    | COMMUNITY_NODE_TYPES
    | OBSERVATION_NODE_TYPES
)
MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5_000


@strawberry.type
class Query(
    AdminQueries,
    ChartQueries,
    CommunityQueries,
    CycleQueries,
    FeedbackQueries,
    ImplementationQueries,
    LogicModelQueries,
    MeasureQueries,
    ObservationQueries,
    RampQueries,
    TenancyQueries,
):
    @strawberry.field(
        description="Any object by its global id, or null (with an error) if you may not see it.",
        # Any valid token; each kind of node is then checked by its own use case's scope.
        extensions=[requires()],
    )
    async def node(self, info: ContextInfo, id: strawberry.ID) -> Node | None:
        context = info.context
        try:
            kind, value = _parse_node_id(id)
            # The same use cases as the typed fields, so the same scopes and visibility apply.
            async with context.uow() as uow:
                if kind == "Cycle":
                    return Cycle.from_row(await cycles.get_cycle(uow, context.principal, value))
                if kind == "Organisation":
                    organisation = await tenancy.get_organisation(uow, context.principal, value)
                    return Organisation.from_row(organisation)
                if kind == "Programme":
                    programme = await tenancy.get_programme(uow, context.principal, value)
                    return Programme.from_row(programme.programme)
                if kind in IMPLEMENTATION_NODE_TYPES:
                    return await resolve_node(uow, context.principal, kind, value)
                if kind in COMMUNITY_NODE_TYPES:
                    return await resolve_community_node(uow, context.principal, kind, value)
                if kind in OBSERVATION_NODE_TYPES:
                    return await resolve_observation_node(uow, context.principal, kind, value)
                if kind == "Measure":
                    measure = await measures.get_measure(uow, context.principal, value)
                    return Measure.from_row(measure)
                site = await tenancy.get_site(uow, context.principal, value)
                return Site.from_row(site)
        except DomainError as exc:
            raise graphql_error(exc) from exc


def _parse_node_id(value: str) -> tuple[str, UUID]:
    parsed = parse_global_id(value)
    if parsed is None or parsed[0] not in NODE_TYPES:
        raise ValidationFailed([FieldError("id", "is not a global id", "invalid_id", "argument")])
    return parsed


@strawberry.type
class Mutation(
    AdminMutations,
    CommunityMutations,
    CycleMutations,
    FeedbackMutations,
    ImplementationEditMutations,
    ImplementationMutations,
    LogicModelMutations,
    MeasureMutations,
    ObservationMutations,
    RampMutations,
    TenancyMutations,
):
    pass


class HubSchema(strawberry.Schema):
    """Logs what went wrong on our side; a caller's mistake (a refused use case, a query
    that does not validate) is answered, not logged as an error with a traceback."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        ours = [e for e in errors if _is_unexpected(e)]
        for error in errors:
            if error not in ours:
                log.info("graphql request refused", extra={"detail": error.message})
        super().process_errors(ours, execution_context)


def _is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, (DomainError, GraphQLError))


schema = HubSchema(
    query=Query,
    mutation=Mutation,
    types=[Cycle, Organisation, Programme, Site, *NODE_CLASSES],
    extensions=[
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        # Both keep their LRU cache at module level, shared by every request.
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        masking,
    ],
)
