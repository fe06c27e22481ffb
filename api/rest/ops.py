"""Liveness and readiness probes."""

from __future__ import annotations

import orjson
from fastapi import APIRouter
from starlette.responses import Response

from api.deps import State
from domain.shared.health import readiness

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is up")
async def healthz() -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


@router.get("/readyz", summary="The database is reachable and migrated")
async def readyz(state: State) -> Response:
    ready, checks = await readiness(state.database, state.head_revision)
    body = {"status": "ready" if ready else "not_ready", "checks": checks}
    return Response(
        orjson.dumps(body),
        status_code=200 if ready else 503,
        media_type="application/json",
        headers=None if ready else {"Retry-After": "5"},
    )
