"""The GraphQL schema: queries and mutations from each area, with limits and caches on."""

from __future__ import annotations

import strawberry
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)

from api.graphql.cycles import CycleMutations, CycleQueries
from api.graphql.errors import masking
from api.graphql.ids import parse_global_id
from api.graphql.tenancy import TenancyMutations, TenancyQueries
from api.graphql.types import ContextInfo, Cycle, Node, Organisation, Programme, Site
from domain.improvement import service as cycles
from domain.shared.errors import DomainError
from domain.tenancy import service as tenancy

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5_000


@strawberry.type
class Query(CycleQueries, TenancyQueries):
    @strawberry.field(description="Any object by its global id, or null if you may not see it.")
    async def node(self, info: ContextInfo, id: strawberry.ID) -> Node | None:
        parsed = parse_global_id(id)
        if parsed is None:
            return None
        kind, value = parsed
        context = info.context
        try:
            async with context.uow() as uow:
                if kind == "Cycle":
                    found = await cycles.get_cycles_by_ids(uow, context.principal, [value])
                    return Cycle.from_row(found[value]) if value in found else None
                if kind == "Organisation":
                    orgs = await tenancy.organisations_by_ids(uow, context.principal, [value])
                    return Organisation.from_row(orgs[value]) if value in orgs else None
                if kind == "Programme":
                    progs = await tenancy.programmes_by_ids(uow, context.principal, [value])
                    return Programme.from_row(progs[value]) if value in progs else None
                if kind == "Site":
                    sites = await tenancy.sites_by_ids(uow, context.principal, [value])
                    return Site.from_row(sites[value]) if value in sites else None
        except DomainError:
            return None
        return None


@strawberry.type
class Mutation(CycleMutations, TenancyMutations):
    pass


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    types=[Cycle, Organisation, Programme, Site],
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
