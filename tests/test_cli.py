"""The `hub` command, run as an operator would, against the test database."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.factories import World


async def hub(*args: str, database_url: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HUB_DATA_DIR": str(data_dir),
        "HUB_KEY_ENCRYPTION_KEY": "test-key-encryption-key",
        "HUB_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "api.cli", *args]
    return await asyncio.to_thread(
        subprocess.run, command, env=env, capture_output=True, text=True, timeout=120, check=False
    )


async def test_clients_create_prints_a_secret_that_works_once_shown(
    client: httpx.AsyncClient, world: World, database_url: str, tmp_path: Path
) -> None:
    result = await hub(
        "clients",
        "create",
        "--org",
        world.b.organisation.name,
        "--scopes",
        "cycles:read",
        "--name",
        "Tayside dashboard",
        database_url=database_url,
        data_dir=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    assert created["scopes"] == ["cycles:read"]
    token = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(created["client_id"], created["client_secret"]),
    )
    assert token.status_code == 200, token.text
    assert token.json()["scope"] == "cycles:read"


async def test_clients_create_refuses_unknown_scopes_and_organisations(
    world: World, database_url: str, tmp_path: Path
) -> None:
    bad_scope = await hub(
        "clients",
        "create",
        "--org",
        str(world.a.organisation.id),
        "--scopes",
        "root:all",
        database_url=database_url,
        data_dir=tmp_path,
    )
    assert bad_scope.returncode != 0
    assert "unknown scope" in bad_scope.stderr
    bad_org = await hub(
        "clients",
        "create",
        "--org",
        "No Such Council",
        "--scopes",
        "cycles:read",
        database_url=database_url,
        data_dir=tmp_path,
    )
    assert bad_org.returncode != 0
    assert "no organisation" in bad_org.stderr


async def test_seed_demo_loads_once(
    client: httpx.AsyncClient, app_state: object, database_url: str, tmp_path: Path
) -> None:
    first = await hub("seed-demo", database_url=database_url, data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    demo = json.loads((tmp_path / "demo-client.json").read_text())
    assert demo["client_id"] in first.stderr
    second = await hub("seed-demo", database_url=database_url, data_dir=tmp_path)
    assert second.returncode == 0, second.stderr
    token = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(demo["client_id"], demo["client_secret"]),
    )
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    cycles = await client.get("/v1/cycles", headers=headers)
    # Dundee's own three cycles (two rounds of a ramp, one private) plus what Tayside and
    # Inverclyde share with the programme; Perth & Kinross keeps its cycle private.
    assert len(cycles.json()["items"]) == 5
