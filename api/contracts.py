"""The committed API contracts, generated from the code."""

from __future__ import annotations

import orjson

from api.graphql.schema import schema
from domain.shared.config import Settings


def openapi_json() -> str:
    from api.app import create_app

    # The document does not depend on where the database is.
    app = create_app(Settings(database_url="postgresql://contract@localhost/contract"))
    return (
        orjson.dumps(app.openapi(), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()
        + "\n"
    )


def graphql_sdl() -> str:
    return schema.as_str() + "\n"
