"""`hub serve --demo` as `make run` starts it: an embedded PostgreSQL, the demo, a real HTTP
server; and after a graceful stop and a restart the data is still there."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "HUB_DATABASE_URL")}
    env.update(HUB_DATA_DIR=str(data_dir), HUB_PORT=str(port), HUB_LOG_LEVEL="WARNING")
    with (data_dir / "serve.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--demo"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )


async def wait_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            assert process.poll() is None, "the server exited during start-up"
            try:
                if (await client.get(f"{base}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.3)
    raise AssertionError("the server did not become ready")


async def stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    return await asyncio.to_thread(process.wait, 30)


async def test_make_run_serves_the_demo_and_keeps_data_across_restarts(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start(data_dir, port)
    try:
        await wait_ready(base, process)
        demo = json.loads((data_dir / "demo-client.json").read_text())
        async with httpx.AsyncClient(base_url=base) as client:
            token = await client.post(
                "/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=(demo["client_id"], demo["client_secret"]),
            )
            assert token.status_code == 200, token.text
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            listed = await client.get("/v1/cycles", headers=headers)
            programme_id = listed.json()["items"][0]["programme_id"]
            created = await client.post(
                "/v1/cycles",
                json={"programme_id": programme_id, "title": "Survives a restart"},
                headers=headers,
            )
            assert created.status_code == 201, created.text
        assert await stop(process) == 0  # a graceful stop, not a crash

        process = start(data_dir, port)
        await wait_ready(base, process)
        async with httpx.AsyncClient(base_url=base) as client:
            again = await client.post(
                "/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=(demo["client_id"], demo["client_secret"]),
            )
            assert again.status_code == 200  # the demo was not loaded twice
            headers = {"Authorization": f"Bearer {again.json()['access_token']}"}
            kept = await client.get(f"/v1/cycles/{created.json()['id']}", headers=headers)
            assert kept.status_code == 200
            assert kept.json()["title"] == "Survives a restart"
    finally:
        if process.poll() is None:
            await stop(process)
