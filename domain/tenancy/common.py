"""What the tenancy use cases share: who may write, version checks, refusing deletes of
rows still referenced, and bumping a row's version."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from domain.shared.errors import Conflict
from domain.shared.principal import Principal, Scope
from domain.shared.records import check_version, touch


def require_admin(principal: Principal) -> None:
    principal.require_platform_admin(Scope.admin)


def refuse_if_in_use(noun: str, references: Mapping[str, int]) -> None:
    held = [f"{count} {what}" for what, count in references.items() if count]
    if held:
        raise Conflict(f"The {noun} is still referenced by {', '.join(held)}; nothing was deleted.")


def plain(value: Any) -> Any:
    # Enum members are stored as their value, as the constructors store them.
    return value.value if isinstance(value, StrEnum) else value


__all__ = ["check_version", "plain", "refuse_if_in_use", "require_admin", "touch"]
