"""How every GraphQL resolver runs a use case: in its own unit of work, with domain
refusals turned into GraphQL errors (reads) or payload errors (mutations)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from uuid import UUID

from pydantic import ValidationError

from api.graphql.errors import UserError, from_pydantic, graphql_error, user_errors
from api.graphql.ids import from_global_id
from api.graphql.types import ContextInfo, PageInfo
from domain.shared.errors import DomainError
from domain.shared.pagination import Page
from domain.shared.principal import Principal
from domain.shared.uow import UnitOfWork

T = TypeVar("T")
Work = Callable[[UnitOfWork, Principal], Awaitable[T]]


def optional_id(value: str | None, type_name: str, field: str) -> UUID | None:
    return None if value is None else from_global_id(value, type_name, field=field)


def page_info(page: Page[Any]) -> PageInfo:
    return PageInfo(has_next_page=page.next_cursor is not None, end_cursor=page.next_cursor)


async def run_query(info: ContextInfo, work: Work[T]) -> T:
    """Runs a read; a domain error becomes a GraphQL error (the field is null)."""
    try:
        async with info.context.uow() as uow:
            return await work(uow, info.context.principal)
    except ValidationError as exc:
        raise graphql_error(from_pydantic(exc, prefix="")) from exc
    except DomainError as exc:
        raise graphql_error(exc) from exc


async def run_mutation(
    info: ContextInfo, prepare: Callable[[], Work[T]]
) -> tuple[T | None, list[UserError]]:
    """Parses the input (`prepare`), then runs the use case; refusals become payload errors."""
    try:
        work = prepare()
        async with info.context.uow() as uow:
            return await work(uow, info.context.principal), []
    except ValidationError as exc:
        return None, user_errors(from_pydantic(exc))
    except DomainError as exc:
        return None, user_errors(exc)
