"""The committed contracts in openapi/ match the code. Regenerate with `make openapi`."""

from __future__ import annotations

from pathlib import Path

from api.contracts import graphql_sdl, openapi_json

OPENAPI = Path(__file__).resolve().parent.parent / "openapi"


def test_openapi_document_is_current() -> None:
    committed = (OPENAPI / "openapi.json").read_text()
    assert committed == openapi_json(), "openapi/openapi.json is stale: run `make openapi`"


def test_graphql_sdl_is_current() -> None:
    committed = (OPENAPI / "schema.graphql").read_text()
    assert committed == graphql_sdl(), "openapi/schema.graphql is stale: run `make openapi`"
