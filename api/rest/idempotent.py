"""Idempotency-Key for POST: a replay returns the first response, byte for byte."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

import orjson
from fastapi import Request
from starlette.responses import Response

from api.state import AppState
from domain.shared import idempotency
from domain.shared.errors import FieldError, ValidationFailed
from domain.shared.principal import Principal

_REPLAYED_HEADERS = ("content-type", "location", "etag")


def _fingerprint(request: Request, body: bytes) -> str:
    try:
        # The same JSON with other spacing or key order is the same request.
        canonical = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS) if body else b""
    except orjson.JSONDecodeError:
        canonical = body
    parts = [request.method.encode(), request.url.path.encode(), canonical]
    if request.url.query:
        # `?dry_run=true` and the real run are different requests. (Only when there is a query,
        # so requests without one keep the fingerprint they always had.)
        parts.insert(2, request.url.query.encode())
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
        digest.update(b"\0")
    return digest.hexdigest()


async def idempotent(
    request: Request,
    state: AppState,
    principal: Principal,
    key: str | None,
    handler: Callable[[], Awaitable[Response]],
) -> Response:
    if key is None or not principal.is_authenticated:
        # Anonymous callers share no identity to key on; their writes are refused anyway.
        return await handler()
    if not 1 <= len(key) <= idempotency.KEY_MAX or not key.isascii() or not key.isprintable():
        raise ValidationFailed(
            [
                FieldError(
                    "Idempotency-Key",
                    "must be 1 to 255 printable ASCII characters",
                    "invalid",
                    "header",
                )
            ]
        )
    sessionmaker = state.database.sessionmaker
    owner = principal.subject
    stored = await idempotency.claim(
        sessionmaker,
        owner=owner,
        key=key,
        request_hash=_fingerprint(request, await request.body()),
        ttl_seconds=state.settings.idempotency_ttl_seconds,
    )
    if stored is not None:
        headers = {str(k): str(v) for k, v in stored.headers.items()}
        headers["Idempotent-Replayed"] = "true"
        return Response(content=stored.body, status_code=stored.status, headers=headers)
    try:
        response = await handler()
    except BaseException:
        await idempotency.release(sessionmaker, owner=owner, key=key)
        raise
    if response.status_code >= 500:
        await idempotency.release(sessionmaker, owner=owner, key=key)
        return response
    outcome = idempotency.StoredOutcome(
        status=response.status_code,
        headers={k: v for k, v in response.headers.items() if k in _REPLAYED_HEADERS},
        body=bytes(response.body),
    )
    await idempotency.complete(sessionmaker, owner=owner, key=key, outcome=outcome)
    return response
