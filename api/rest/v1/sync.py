"""REST adapter for delta sync down."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from api import openapi_docs as docs
from api.deps import UoW, requires
from api.rest.responses import json_response
from domain.observations import sync as service
from domain.observations.schemas import SyncPage
from domain.shared.principal import Principal, Scope

router = APIRouter(prefix="/v1/sync", tags=["observations"], responses=docs.COMMON)


@router.get(
    "",
    response_model=SyncPage,
    summary="What changed for you since your last sync",
    description="Your own observations, and with `cycles:read` the cycles and measures you "
    "may see, with `implementation:read` the practice-profile versions; each as its "
    "current record (`upsert`) or a tombstone (`delete`: deleted, or no longer visible to "
    f"you). At most {service.MAX_PAGE} changes a page. Send `next` back as `since`; while "
    "`has_more` is true ask again at once. The token never skips a change, even one "
    "committed late by a slow writer.",
)
async def sync(
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.observations_write)],
    since: Annotated[
        str | None, Query(description="`next` from your last sync; none for everything.")
    ] = None,
    limit: Annotated[int, Query(description=f"1 to {service.MAX_PAGE}.")] = service.MAX_PAGE,
) -> Response:
    return json_response(await service.sync(uow, principal, since, limit=limit))
