"""What each GraphQL root field needs, declared once on the field: the same front-door
check as REST's `requires`/`public` (api.deps), so both doors refuse alike."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.types import Info

from api.deps import check_declared_scopes
from api.graphql.errors import graphql_error
from domain.shared.errors import DomainError
from domain.shared.principal import Scope


class ScopeDeclaration(FieldExtension):
    """Refuses the field before its resolver runs when the caller lacks a token (unless
    public) or a declared scope; the domain still decides which rows the caller sees."""

    def __init__(self, scopes: tuple[Scope, ...], anonymous: bool) -> None:
        self.scopes = [s.value for s in scopes]
        self.anonymous = anonymous

    def _check(self, info: Info[Any, Any]) -> None:
        try:
            check_declared_scopes(info.context.principal, self.scopes, self.anonymous)
        except DomainError as exc:
            raise graphql_error(exc) from exc

    def resolve(
        self, next_: Callable[..., Any], source: Any, info: Info[Any, Any], **kwargs: Any
    ) -> Any:
        self._check(info)
        return next_(source, info, **kwargs)

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: Info[Any, Any],
        **kwargs: Any,
    ) -> Any:
        self._check(info)
        return await next_(source, info, **kwargs)


# Typed as the base class: strawberry's decorators take `list[FieldExtension]`, and a list
# is invariant, so `[requires(...)]` must already be a list of FieldExtension.
def requires(*scopes: Scope) -> FieldExtension:
    """A valid token holding every scope named (none named: any valid token)."""
    return ScopeDeclaration(scopes, anonymous=False)


def public(*scopes: Scope) -> FieldExtension:
    """Anonymous callers allowed; a token, when sent, must hold the scopes named."""
    return ScopeDeclaration(scopes, anonymous=True)
