"""`make bench-observations` (or `python -m bench.observations`): batch ingest against a real
service. 100,000 observations in batches of 500 from 4 concurrent senders through
POST /v1/observations/batch; reports observations per second, batch latency (p50, p99, max)
and the server's peak resident memory (all its processes together, sampled every 50 ms).

The service is `hub serve` on loopback with a local PostgreSQL, set up as bench/run.py does
(BENCH_DATABASE_URL, else a fresh `hub_bench` database on 127.0.0.1:5432, else embedded).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import orjson
from sqlalchemy.engine import make_url

from bench import seed
from bench.run import (
    LOCAL_SERVER,
    _port_free,
    _reachable,
    _sql,
    database,
    hub,
    log,
    server,
    service_env,
)
from domain.shared import migrate
from domain.shared.ids import new_id

RESULTS = Path(__file__).parent / "results" / "observations.json"
# Its own database, so it can run while `make bench` uses hub_bench.
BENCH_DATABASE = "hub_bench_observations"
TAGS = ("buddy-support", "coaching", "tac-meeting", "attendance", "family-voice")
PLACES = ("Longhaugh Primary", "Family centre", "Health visiting base", None)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m bench.observations", description=__doc__)
    parser.add_argument("--port", type=int, default=int(env("BENCH_PORT", "8765")))
    parser.add_argument(
        "--workers", type=int, default=int(env("BENCH_WORKERS", env("HUB_WORKERS", "2")))
    )
    parser.add_argument("--total", type=int, default=int(env("BENCH_OBSERVATIONS", "100000")))
    parser.add_argument("--batch", type=int, default=int(env("BENCH_BATCH", "500")))
    parser.add_argument("--senders", type=int, default=int(env("BENCH_SENDERS", "4")))
    parser.add_argument("--gzip", action="store_true", help="send bodies gzip-compressed")
    return parser.parse_args(argv)


def make_batches(total: int, size: int, programme_id: UUID, cycle_ids: list[UUID]) -> list[bytes]:
    """Realistic bodies, built before the clock starts: four in five general observations,
    one in five a note on a cycle the client may see; text of 60-400 characters."""
    import random

    rng = random.Random(11)
    now = datetime.now(UTC)
    batches: list[bytes] = []
    for start in range(0, total, size):
        items: list[dict[str, Any]] = []
        for _ in range(min(size, total - start)):
            item: dict[str, Any] = {
                "id": str(new_id()),
                "observed_at": (now - timedelta(minutes=rng.randint(1, 60 * 24 * 30))).isoformat(),
                "text": seed._text(rng, 60, 400),
                "tags": rng.sample(TAGS, rng.randint(0, 2)),
            }
            place = rng.choice(PLACES)
            if place:
                item["location_label"] = place
            if cycle_ids and rng.random() < 0.2:
                item.update(kind="cycle_note", cycle_id=str(rng.choice(cycle_ids)))
            else:
                item.update(kind="general", programme_id=str(programme_id))
            items.append(item)
        batches.append(orjson.dumps({"items": items}))
    return batches


class MemorySampler:
    """Peak resident memory of every process in the server's process group (uvicorn's
    supervisor and its workers), summed, sampled from /proc."""

    def __init__(self, group: int, interval: float = 0.05) -> None:
        self.group = group
        self.interval = interval
        self.peak_total_kb = 0
        self.peak_by_pid: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _processes(self) -> list[int]:
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[2]) == self.group:  # pgrp
                found.append(int(entry))
        return found

    @staticmethod
    def _rss_kb(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def sample(self) -> None:
        total = 0
        for pid in self._processes():
            rss = self._rss_kb(pid)
            total += rss
            self.peak_by_pid[pid] = max(self.peak_by_pid.get(pid, 0), rss)
        self.peak_total_kb = max(self.peak_total_kb, total)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


async def ingest(
    base_url: str, token: str, batches: list[bytes], senders: int, compress: bool
) -> tuple[float, list[float], dict[str, int]]:
    import gzip

    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if compress:
        headers["Content-Encoding"] = "gzip"
        batches = [gzip.compress(b, 6) for b in batches]
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in batches:
        queue.put_nowait(body)
    latencies: list[float] = []
    counts: dict[str, int] = {}

    async def sender(http: httpx.AsyncClient) -> None:
        while True:
            try:
                body = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            started = time.perf_counter()
            response = await http.post("/v1/observations/batch", content=body)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"bench: HTTP {response.status_code}: {response.text[:500]}")
            for name, value in response.json()["counts"].items():
                counts[name] = counts.get(name, 0) + value

    limits = httpx.Limits(max_connections=senders, max_keepalive_connections=senders)
    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, timeout=60, limits=limits
    ) as http:
        started = time.perf_counter()
        await asyncio.gather(*(sender(http) for _ in range(senders)))
        elapsed = time.perf_counter() - started
    return elapsed, latencies, counts


def run(args: argparse.Namespace) -> dict[str, Any]:
    if not _port_free(args.port):
        raise SystemExit(f"bench: 127.0.0.1:{args.port} is in use; set BENCH_PORT")
    cpus = os.cpu_count() or 1
    load_average = os.getloadavg()[0]
    if load_average > 0.5:
        log(f"bench: warning: load average {load_average:.2f} before starting; numbers will be low")
    with ExitStack() as cleanup:
        scratch = Path(tempfile.mkdtemp(prefix="hub-bench-obs-"))
        cleanup.callback(shutil.rmtree, scratch, ignore_errors=True)
        url, where = cleanup.enter_context(own_database(scratch))
        log(f"bench: PostgreSQL: {where}")
        config = argparse.Namespace(port=args.port, workers=args.workers)
        env = service_env(url, scratch / "data", config)  # type: ignore[arg-type]
        migrate.upgrade(url)
        hub(env, "migrate")
        hub(env, "seed-demo")
        demo = json.loads((scratch / "data" / "demo-client.json").read_text())
        created = subprocess_json(
            env,
            "clients",
            "create",
            "--org",
            demo["organisation"],
            "--name",
            "Observation bench (mobile app)",
            "--scopes",
            "observations:write,cycles:read",
        )
        programme_id = UUID(str(_sql(url, "SELECT id FROM programmes ORDER BY created_at LIMIT 1")))
        cycle_ids = asyncio.run(seed.visible_cycle_ids(url, demo["organisation"], 50))
        batches = make_batches(args.total, args.batch, programme_id, cycle_ids)
        postgres = str(_sql(url, "SHOW server_version"))

        base_url = f"http://127.0.0.1:{args.port}"
        group = cleanup.enter_context(server(env, base_url, scratch / "server.log"))
        log(f"bench: service up on {base_url} with {args.workers} workers")
        token = access_token(base_url, created)
        # Warm-up: one small batch, not measured, not counted in the total.
        warm = make_batches(args.batch, args.batch, programme_id, cycle_ids)
        asyncio.run(ingest(base_url, token, warm, 1, args.gzip))
        with MemorySampler(group) as memory:
            pids = memory._processes()
            cpu_before = cpu_seconds(pids)
            bench_cpu_before = time.process_time()
            elapsed, latencies, counts = asyncio.run(
                ingest(base_url, token, batches, args.senders, args.gzip)
            )
            bench_cpu = time.process_time() - bench_cpu_before
            cpu_after = cpu_seconds(pids)
        server_cpu = sorted(
            round(cpu_after[pid] - cpu_before.get(pid, 0.0), 1) for pid in cpu_after
        )
        stored = int(_sql(url, "SELECT count(*) FROM observations")) - args.batch
    report = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": cpus,
            "load_average_at_start": round(load_average, 2),
            "platform": platform.platform(),
            "python": sys.version.split()[0],
        },
        "postgresql": {"where": where, "version": postgres},
        "workers": args.workers,
        "senders": args.senders,
        "batch": args.batch,
        "gzip": args.gzip,
        "observations": args.total,
        "stored": stored,
        "counts": counts,
        "seconds": round(elapsed, 2),
        "observations_per_s": round(args.total / elapsed, 1),
        "batch_ms": {
            "p50": round(percentile(latencies, 0.5) * 1000, 1),
            "p99": round(percentile(latencies, 0.99) * 1000, 1),
            "max": round(max(latencies) * 1000, 1),
        },
        "server_cpu_s_by_process": server_cpu,
        "server_cpu_ms_per_1000": round(sum(server_cpu) / args.total * 1_000_000, 1),
        "sender_cpu_s": round(bench_cpu, 1),
        "load_average_at_end": round(os.getloadavg()[0], 2),
        "server_peak_rss_mb": round(memory.peak_total_kb / 1024, 1),
        "server_peak_rss_mb_by_process": sorted(
            round(kb / 1024, 1) for kb in memory.peak_by_pid.values()
        ),
    }
    return report


@contextmanager
def own_database(scratch: Path) -> Iterator[tuple[str, str]]:
    explicit = os.environ.get("BENCH_DATABASE_URL")
    if explicit or not _reachable(LOCAL_SERVER):
        with database(explicit, scratch) as found:
            yield found
        return
    drop = f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'
    _sql(LOCAL_SERVER, drop)
    _sql(LOCAL_SERVER, f'CREATE DATABASE "{BENCH_DATABASE}"')
    try:
        url = make_url(LOCAL_SERVER).set(database=BENCH_DATABASE)
        yield url.render_as_string(hide_password=False), f"local, {BENCH_DATABASE}"
    finally:
        _sql(LOCAL_SERVER, drop)


def cpu_seconds(pids: Sequence[int]) -> dict[int, float]:
    """User + system CPU seconds of each process so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        found[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return found


def subprocess_json(env: dict[str, str], *args: str) -> dict[str, str]:
    import subprocess

    from bench.run import HUB

    done = subprocess.run(
        [HUB, *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench: `hub {' '.join(args)}` failed:\n{done.stderr}")
    data: dict[str, str] = json.loads(done.stdout)
    return data


def access_token(base_url: str, client: dict[str, str]) -> str:
    response = httpx.post(
        f"{base_url}/oauth/token",
        auth=(client["client_id"], client["client_secret"]),
        data={"grant_type": "client_credentials"},
        timeout=30,
    )
    if response.status_code != 200:
        raise RuntimeError(f"bench: no token: HTTP {response.status_code} {response.text}")
    token: str = response.json()["access_token"]
    return token


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    report = run(args)
    print()
    print(
        f"{report['observations']} observations in {report['seconds']} s: "
        f"{report['observations_per_s']:.0f} obs/s; batch of {report['batch']} "
        f"p50 {report['batch_ms']['p50']} ms, p99 {report['batch_ms']['p99']} ms, "
        f"max {report['batch_ms']['max']} ms; server peak RSS "
        f"{report['server_peak_rss_mb']} MB ({report['workers']} workers: "
        f"{report['server_peak_rss_mb_by_process']}); stored {report['stored']}; "
        f"results {report['counts']}; server CPU s {report['server_cpu_s_by_process']} "
        f"({report['server_cpu_ms_per_1000']} ms per 1000 observations), senders' CPU "
        f"{report['sender_cpu_s']} s; load average {report['machine']['load_average_at_start']}"
        f" at the start, {report['load_average_at_end']} at the end"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    log(f"bench: wrote {RESULTS}")


if __name__ == "__main__":
    main()
