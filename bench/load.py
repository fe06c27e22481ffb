"""The scenarios, checking that each answers correctly, and driving them with wrk."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

WRK_DIR = Path(__file__).parent / "wrk"

GRAPHQL_QUERY = (
    "{ cycles(first: 50) { edges { node { id title status "
    "organisation { name } programme { name } site { name } } } } }"
)


@dataclass(frozen=True)
class LoadSettings:
    threads: int
    connections: int
    duration_s: int
    warmup_s: int
    timeout_s: int = 10


@dataclass(frozen=True)
class Scenario:
    name: str
    method: str
    path: str  # for rotate_ids.lua, the prefix the ids are appended to
    script: str
    body: str = ""
    ids_file: Path | None = None


@dataclass(frozen=True)
class Result:
    scenario: str
    requests: int
    requests_per_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    non_2xx: int
    socket_errors: int
    # CPU seconds each busy server process used while measured: shows how evenly the
    # kernel spread the connections over the uvicorn workers.
    worker_cpu_s: list[float]


def scenarios(ids_file: Path) -> list[Scenario]:
    return [
        Scenario("REST GET /v1/cycles/{id}", "GET", "/v1/cycles/", "rotate_ids.lua", "", ids_file),
        Scenario("REST GET /v1/cycles?limit=50", "GET", "/v1/cycles?limit=50", "static.lua"),
        Scenario(
            "GraphQL cycles(first: 50) + org/programme/site",
            "POST",
            "/graphql",
            "static.lua",
            json.dumps({"query": GRAPHQL_QUERY}),
        ),
    ]


def ensure_wrk() -> str:
    """The wrk binary; installs the Debian package when running as root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit(
            "bench: wrk is not installed. Install it with: sudo apt-get update && "
            "sudo apt-get install -y wrk"
        )
    print("bench: installing wrk (apt-get install -y wrk)", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "wrk"]):
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, timeout=300, check=True)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("bench: apt-get installed wrk but it is not on PATH")
    return found


def _expect(condition: bool, scenario: Scenario, response: httpx.Response, why: str) -> None:
    if not condition:
        raise RuntimeError(
            f"bench: {scenario.name} answered wrongly ({why}): "
            f"HTTP {response.status_code} {response.text[:300]}"
        )


def verify(client: httpx.Client, scenario: Scenario, ids: list[str]) -> None:
    """One correct answer (every id for the rotating scenario) before measuring anything."""
    if scenario.ids_file is not None:
        for cycle_id in ids:
            response = client.get(scenario.path + cycle_id)
            _expect(response.status_code == 200, scenario, response, "status")
            _expect(response.json().get("id") == cycle_id, scenario, response, "id")
        return
    response = client.request(
        scenario.method,
        scenario.path,
        content=scenario.body or None,
        headers={"Content-Type": "application/json"} if scenario.body else None,
    )
    _expect(response.status_code == 200, scenario, response, "status")
    payload: dict[str, Any] = response.json()
    if scenario.path.startswith("/graphql"):
        errors = json.dumps(payload.get("errors"))[:1000]
        _expect(not payload.get("errors"), scenario, response, f"GraphQL errors {errors}")
        edges = payload["data"]["cycles"]["edges"]
        _expect(len(edges) == 50, scenario, response, f"{len(edges)} edges, not 50")
        node = edges[0]["node"]
        _expect(node["organisation"] is not None, scenario, response, "no organisation")
        _expect(node["programme"] is not None, scenario, response, "no programme")
    else:
        items = payload.get("items", [])
        _expect(len(items) == 50, scenario, response, f"{len(items)} items, not 50")


def _wrk(
    wrk: str, base_url: str, scenario: Scenario, token: str, settings: LoadSettings, seconds: int
) -> dict[str, Any]:
    env = {
        **os.environ,
        "BENCH_TOKEN": token,
        "BENCH_METHOD": scenario.method,
        "BENCH_BODY": scenario.body,
        "BENCH_IDS_FILE": str(scenario.ids_file or ""),
    }
    command = [
        wrk,
        f"-t{settings.threads}",
        f"-c{settings.connections}",
        f"-d{seconds}s",
        f"--timeout={settings.timeout_s}s",
        "--latency",
        "-s",
        scenario.script,
        base_url + scenario.path,
    ]
    finished = subprocess.run(
        command,
        check=False,
        cwd=WRK_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + settings.timeout_s + 30,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"bench: wrk failed ({finished.returncode}): {finished.stderr}")
    for line in finished.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            parsed: dict[str, Any] = json.loads(line.removeprefix("BENCH_RESULT "))
            return parsed
    raise RuntimeError(f"bench: no result line from wrk:\n{finished.stdout}\n{finished.stderr}")


def process_cpu(group: int) -> dict[int, float]:
    """CPU seconds used so far by each process in a process group (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # the process ended
        if int(fields[2]) == group:  # fields: state ppid pgrp ... utime(11) stime(12)
            used[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / ticks
    return used


def run_scenario(
    wrk: str,
    base_url: str,
    scenario: Scenario,
    token: str,
    settings: LoadSettings,
    server_group: int,
    log: Callable[[str], None],
) -> Result:
    if settings.warmup_s > 0:
        log(f"  warm-up {settings.warmup_s}s")
        _wrk(wrk, base_url, scenario, token, settings, settings.warmup_s)
    log(f"  measuring {settings.duration_s}s")
    before = process_cpu(server_group)
    raw = _wrk(wrk, base_url, scenario, token, settings, settings.duration_s)
    after = process_cpu(server_group)
    spent = [after[pid] - before.get(pid, 0.0) for pid in after]
    seconds = raw["duration_us"] / 1e6
    return Result(
        scenario=scenario.name,
        requests=raw["requests"],
        requests_per_s=raw["requests"] / seconds if seconds else 0.0,
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        non_2xx=raw["status_errors"],
        socket_errors=raw["connect_errors"]
        + raw["read_errors"]
        + raw["write_errors"]
        + raw["timeouts"],
        worker_cpu_s=sorted((round(t, 1) for t in spent if t >= 0.1), reverse=True),
    )
