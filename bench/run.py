"""`make bench`: a real service on loopback, 10k cycles, wrk against REST and GraphQL reads.

Run with `.venv/bin/python -m bench.run --help` for the knobs; bench/README.md explains them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from bench import load, seed
from domain.shared import migrate

LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
BENCH_DATABASE = "hub_bench"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
RESULTS = Path(__file__).parent / "results" / "latest.json"
HUB = str(Path(sys.executable).parent / "hub")


@dataclass(frozen=True)
class Config:
    database_url: str | None
    port: int
    workers: int
    cycles: int
    load: load.LoadSettings


def log(message: str) -> None:
    print(message, flush=True)


def parse_args(argv: Sequence[str] | None) -> Config:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    knobs: list[tuple[str, str, str, str]] = [
        ("port", "BENCH_PORT", "8765", "service port on 127.0.0.1"),
        ("workers", "BENCH_WORKERS", env("HUB_WORKERS", "2"), "uvicorn workers, else HUB_WORKERS"),
        ("cycles", "BENCH_CYCLES", "10000", "cycles bulk-loaded on top of the demo"),
        ("threads", "BENCH_THREADS", "2", "wrk threads"),
        ("connections", "BENCH_CONNECTIONS", "32", "wrk connections"),
        ("duration", "BENCH_DURATION", "15", "seconds measured per scenario"),
        ("warmup", "BENCH_WARMUP", "3", "unmeasured seconds before each scenario"),
    ]
    for name, variable, default, text in knobs:
        default = env(variable, default)
        parser.add_argument(
            f"--{name}", type=int, default=int(default), help=f"{text} [{variable}]"
        )
    args = parser.parse_args(argv)
    if args.connections < args.threads:
        parser.error("--connections must be at least --threads")
    return Config(
        database_url=env("BENCH_DATABASE_URL") or None,
        port=args.port,
        workers=args.workers,
        cycles=args.cycles,
        load=load.LoadSettings(args.threads, args.connections, args.duration, args.warmup),
    )


# --- PostgreSQL -------------------------------------------------------------------------


async def _fetchval(url: str, sql: str) -> Any:
    connection = await asyncpg.connect(url, timeout=5)
    try:
        return await asyncio.wait_for(connection.fetchval(sql), timeout=60)
    finally:
        await connection.close(timeout=5)


def _sql(url: str, sql: str) -> Any:
    return asyncio.run(_fetchval(url, sql))


def _reachable(url: str) -> bool:
    try:
        _sql(url, "SELECT 1")
    except (OSError, TimeoutError, asyncpg.PostgresError):
        return False
    return True


def _require_loopback(url: str) -> None:
    host = make_url(url).host
    if host is not None and host not in LOOPBACK:
        raise SystemExit(f"bench: BENCH_DATABASE_URL must be on loopback, not {host!r}")


@contextmanager
def database(explicit: str | None, scratch: Path) -> Iterator[tuple[str, str]]:
    """Yields (url, what it is). A database the bench created is dropped afterwards."""
    if explicit:
        _require_loopback(explicit)
        yield explicit, "BENCH_DATABASE_URL"
        return
    if _reachable(LOCAL_SERVER):
        bench_url = make_url(LOCAL_SERVER).set(database=BENCH_DATABASE)
        drop = f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'
        _sql(LOCAL_SERVER, drop)
        _sql(LOCAL_SERVER, f'CREATE DATABASE "{BENCH_DATABASE}"')
        try:
            yield bench_url.render_as_string(hide_password=False), f"local, {BENCH_DATABASE}"
        finally:
            _sql(LOCAL_SERVER, drop)
        return
    from api.database_server import start_embedded

    log("bench: no PostgreSQL on 127.0.0.1:5432; starting an embedded one")
    server, url = start_embedded(scratch / "postgres", temporary=True)
    try:
        yield url, "embedded"
    finally:
        server.cleanup()


# --- The service ------------------------------------------------------------------------


def service_env(url: str, data_dir: Path, config: Config) -> dict[str, str]:
    inherited = {
        k: v for k, v in os.environ.items() if not k.startswith("HUB_") and k != "DATABASE_URL"
    }
    return {
        **inherited,
        "DATABASE_URL": url,
        "HUB_KEY_ENCRYPTION_KEY": "bench",
        "HUB_DATA_DIR": str(data_dir),
        "HUB_HOST": "127.0.0.1",
        "HUB_PORT": str(config.port),
        "HUB_WORKERS": str(config.workers),
        "HUB_LOG_LEVEL": "WARNING",
    }


def hub(env: dict[str, str], *args: str) -> None:
    finished = subprocess.run(
        [HUB, *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )
    if finished.returncode != 0:
        raise RuntimeError(f"bench: `hub {' '.join(args)}` failed:\n{finished.stderr}")


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def server(env: dict[str, str], base_url: str, log_path: Path) -> Iterator[int]:
    """`hub serve` in its own process group, ready on /readyz; always stopped afterwards.
    Yields the process group id (the server's pid)."""
    with log_path.open("wb") as output:
        process = subprocess.Popen(
            [HUB, "serve"], env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"bench: the service exited:\n{_tail(log_path)}")
            try:
                if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"bench: the service was not ready in 90s:\n{_tail(log_path)}")
            time.sleep(0.3)
        yield process.pid
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """TERM the group (uvicorn and its workers); KILL whatever is left after 30 s."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=30)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


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


# --- Reporting --------------------------------------------------------------------------


def table(results: list[load.Result]) -> str:
    baseline = results[0].requests_per_s or 1.0
    header = f"{'scenario':<48} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}"
    header += f" {'sock err':>8} {'vs get':>7}  worker CPU s"
    rows = [header, "-" * len(header)]
    for r in results:
        rows.append(
            f"{r.scenario:<48} {r.requests_per_s:>8.0f} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f}"
            f" {r.non_2xx:>8} {r.socket_errors:>8} {r.requests_per_s / baseline:>6.2f}x"
            f"  {' / '.join(f'{t:.1f}' for t in r.worker_cpu_s)}"
        )
    return "\n".join(rows)


def wrk_version(wrk: str) -> str:
    shown = subprocess.run([wrk, "-v"], capture_output=True, text=True, timeout=10, check=False)
    text = (shown.stdout + shown.stderr).strip()
    return text.splitlines()[0] if text else "unknown"


# --- Main -------------------------------------------------------------------------------


def run(config: Config) -> dict[str, Any]:
    wrk = load.ensure_wrk()
    if not _port_free(config.port):
        raise SystemExit(f"bench: 127.0.0.1:{config.port} is in use; set BENCH_PORT")
    cpus = os.cpu_count() or 1
    log(
        f"bench: {cpus} CPU cores; wrk ({config.load.threads} threads) shares them with the "
        "service and PostgreSQL, so compare ratios, not absolute requests per second."
    )
    load_average = os.getloadavg()[0]
    if load_average > 0.5:
        log(f"bench: warning: load average {load_average:.2f} before starting; numbers will be low")
    with ExitStack() as cleanup:
        scratch = Path(tempfile.mkdtemp(prefix="hub-bench-"))
        cleanup.callback(shutil.rmtree, scratch, ignore_errors=True)
        url, where = cleanup.enter_context(database(config.database_url, scratch))
        log(f"bench: PostgreSQL: {where}")
        env = service_env(url, scratch / "data", config)
        migrate.upgrade(url)
        hub(env, "migrate")
        hub(env, "seed-demo")
        client_file = scratch / "data" / "demo-client.json"
        if not client_file.exists():
            raise SystemExit("bench: the database was already seeded; give an empty database")
        client: dict[str, str] = json.loads(client_file.read_text())
        started = time.monotonic()
        total = asyncio.run(seed.load_cycles(url, config.cycles))
        log(f"bench: loaded {config.cycles} cycles in {time.monotonic() - started:.1f}s")
        ids = [
            str(i) for i in asyncio.run(seed.visible_cycle_ids(url, client["organisation"], 256))
        ]
        ids_file = scratch / "ids.txt"
        ids_file.write_text("\n".join(ids) + "\n")
        postgres = str(_sql(url, "SHOW server_version"))

        base_url = f"http://127.0.0.1:{config.port}"
        group = cleanup.enter_context(server(env, base_url, scratch / "server.log"))
        log(f"bench: service up on {base_url} with {config.workers} workers")
        results: list[load.Result] = []
        for scenario in load.scenarios(ids_file):
            log(f"bench: {scenario.name}")
            token = access_token(base_url, client)  # fresh for each, so none expires mid-run
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=base_url, headers=headers, timeout=30) as http:
                load.verify(http, scenario, ids)
            result = load.run_scenario(wrk, base_url, scenario, token, config.load, group, log)
            results.append(result)

    print()
    print(table(results))
    print(
        f"\n{config.workers} workers, wrk -t{config.load.threads} -c{config.load.connections} "
        f"-d{config.load.duration_s}s on {cpus} cores shared with the service and PostgreSQL: "
        "compare ratios, not absolutes."
    )
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": cpus,
            "load_average_at_start": round(load_average, 2),
            "platform": platform.platform(),
            "python": sys.version.split()[0],
        },
        "postgresql": {"where": where, "version": postgres},
        "wrk": wrk_version(wrk),
        "workers": config.workers,
        "load": asdict(config.load),
        "cycles_loaded": config.cycles,
        "cycles_total": total,
        "rotating_ids": len(ids),
        "results": [asdict(r) for r in results],
    }


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str] | None = None) -> None:
    # Ctrl-C or a TERM unwinds through the cleanup (server, database, temp files).
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        report = run(parse_args(argv))
    except KeyboardInterrupt:
        raise SystemExit(
            "bench: interrupted; the service, database and temp files are gone"
        ) from None
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    log(f"bench: wrote {RESULTS}")


if __name__ == "__main__":
    main()
