"""create_app(): middleware, error mapping, REST routers, /graphql and OAuth."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from strawberry.fastapi import GraphQLRouter

from api import errors, openapi_docs
from api.graphql.context import get_context
from api.graphql.schema import schema
from api.middleware import BodySizeLimitMiddleware, JsonBodyMiddleware, RequestIdMiddleware
from api.oauth.authorize import router as authorize_router
from api.oauth.routes import router as oauth_router
from api.request_gzip import GzipRequestMiddleware
from api.rest.ops import router as ops_router
from api.rest.v1 import communities as community_routes
from api.rest.v1 import discussions as discussion_routes
from api.rest.v1 import events as event_routes
from api.rest.v1 import glossary as glossary_routes
from api.rest.v1 import resources as resource_routes
from api.rest.v1 import search as search_routes
from api.rest.v1.charts import router as charts_router
from api.rest.v1.clients import router as clients_router
from api.rest.v1.cycles import router as cycles_router
from api.rest.v1.feedback_items import router as feedback_items_router
from api.rest.v1.implementation_routers import ROUTERS as IMPLEMENTATION_ROUTERS
from api.rest.v1.logic_models import router as logic_models_router
from api.rest.v1.measure_points import router as measure_points_router
from api.rest.v1.measures import router as measures_router
from api.rest.v1.observations import router as observations_router
from api.rest.v1.organisations import router as organisations_router
from api.rest.v1.programmes import router as programmes_router
from api.rest.v1.ramps import router as ramps_router
from api.rest.v1.sites import router as sites_router
from api.rest.v1.sync import router as sync_router
from api.rest.v1.trusted_issuers import router as trusted_issuers_router
from api.rest.v1.users import router as users_router
from api.state import AppState
from domain.identity.federation import FederationKeys
from domain.identity.keys import KeyStore, cipher_from_settings
from domain.shared.config import Settings, get_settings
from domain.shared.db import create_database
from domain.shared.migrate import head_revision

DESCRIPTION = """System of record for multi-agency improvement work in children's services.

Authenticate with an OAuth 2 bearer token from `POST /oauth/token`. Errors are RFC 9457
`application/problem+json`. Lists use keyset cursors (`limit`, `cursor`). Writes need
`If-Match` (PATCH, DELETE) and accept `Idempotency-Key` (POST).
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    if not settings.database_url:
        raise RuntimeError("DATABASE_URL is not set; start the service with `hub serve`.")
    database_url = settings.database_url

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = create_database(settings, database_url)
        app.state.hub = AppState(
            settings=settings,
            database=database,
            keys=KeyStore(
                database.sessionmaker,
                cipher_from_settings(settings),
                access_token_ttl_seconds=settings.access_token_ttl_seconds,
            ),
            head_revision=head_revision(),
            federation=FederationKeys(
                ttl=settings.federation_jwks_ttl_seconds,
                floor=settings.federation_jwks_refetch_floor_seconds,
                timeout=settings.federation_http_timeout_seconds,
            ),
        )
        try:
            yield
        finally:
            # Graceful shutdown: the server has drained requests; close pooled connections.
            await database.dispose()

    app = FastAPI(
        title="Implementation Hub",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    errors.install(app)
    openapi_docs.install(app)
    app.include_router(ops_router)
    app.include_router(oauth_router)
    app.include_router(authorize_router)
    app.include_router(cycles_router)
    app.include_router(ramps_router)
    app.include_router(feedback_items_router)
    app.include_router(measures_router)
    app.include_router(measure_points_router)
    app.include_router(charts_router)
    app.include_router(organisations_router)
    app.include_router(programmes_router)
    app.include_router(logic_models_router)
    app.include_router(sites_router)
    app.include_router(users_router)
    app.include_router(clients_router)
    app.include_router(trusted_issuers_router)
    app.include_router(observations_router)
    app.include_router(sync_router)
    for implementation_router in IMPLEMENTATION_ROUTERS:
        app.include_router(implementation_router)
    for community_router in (
        community_routes.router,
        event_routes.router,
        resource_routes.router,
        discussion_routes.threads,
        discussion_routes.posts,
        glossary_routes.router,
        search_routes.router,
    ):
        app.include_router(community_router)
    app.include_router(
        GraphQLRouter(
            schema,
            context_getter=get_context,
            graphql_ide="graphiql" if settings.environment == "development" else None,
            multipart_uploads_enabled=False,
        ),
        prefix="/graphql",
        include_in_schema=False,
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Content-Encoding",
                "If-Match",
                "If-None-Match",
                "Idempotency-Key",
                "X-Request-ID",
            ],
            expose_headers=["ETag", "Location", "X-Request-ID", "Retry-After"],
        )
    # Inflates gzip bodies (innermost: the size limit outside counts bytes on the wire).
    app.add_middleware(
        GzipRequestMiddleware,
        max_bytes=settings.max_body_bytes,
        path_limits={"/v1/observations/batch": settings.observation_batch_max_bytes},
    )
    app.add_middleware(JsonBodyMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestIdMiddleware)
    return app
