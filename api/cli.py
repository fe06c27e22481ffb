"""`hub`: serve, migrate, seed-demo, clients, keys, openapi."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

from api import cli_instruments as instruments_cli
from domain.shared.config import Settings, get_settings

_servers: list[Any] = []  # keeps the embedded PostgreSQL handle alive for this process


def database_url(settings: Settings) -> str:
    """The configured database, or an embedded PostgreSQL in the data directory."""
    if settings.database_url:
        return settings.database_url
    from api.database_server import start_embedded

    server, url = start_embedded(settings.data_dir)
    _servers.append(server)
    # Workers are separate processes; they find the database through the environment.
    os.environ["DATABASE_URL"] = url
    settings.database_url = url
    return url


async def _with_uow(url: str, settings: Settings, work: Any) -> Any:
    from domain.shared.db import create_database
    from domain.shared.uow import UnitOfWork

    database = create_database(settings, url)
    try:
        async with UnitOfWork(database.sessionmaker) as uow:
            return await work(uow)
    finally:
        await database.dispose()


def migrate(settings: Settings) -> str:
    from domain.identity.keys import cipher_from_settings, ensure_signing_key
    from domain.shared import migrate as migrations

    url = database_url(settings)
    migrations.upgrade(url)
    cipher = cipher_from_settings(settings)

    async def first_key(uow: Any) -> None:
        await ensure_signing_key(uow.session, cipher)
        await uow.commit()

    asyncio.run(_with_uow(url, settings, first_key))
    return url


def _demo_file(settings: Settings) -> Path:
    return settings.data_dir / "demo-client.json"


def seed_demo(settings: Settings, url: str) -> dict[str, str] | None:
    from domain import demo

    client = asyncio.run(_with_uow(url, settings, demo.seed))
    path = _demo_file(settings)
    if client is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(vars(client), handle)
    if path.exists():
        saved: dict[str, str] = json.loads(path.read_text())
        return saved
    return None


def _banner(settings: Settings, client: dict[str, str] | None) -> str:
    base = f"http://{settings.host}:{settings.port}"
    lines = [
        "",
        "Implementation Hub",
        f"  REST docs   {base}/docs",
        f"  GraphQL     {base}/graphql",
        f"  Health      {base}/healthz  {base}/readyz",
    ]
    if client:
        lines += [
            f"  Demo client ({client['organisation']})",
            f"    client_id     {client['client_id']}",
            f"    client_secret {client['client_secret']}",
            "  Get a token:",
            f"    curl -s -u '{client['client_id']}:{client['client_secret']}' "
            f"-d grant_type=client_credentials {base}/oauth/token",
        ]
    if client:
        from domain.identity.demo import banner_lines

        lines += banner_lines(base)
    return "\n".join(lines) + "\n"


def _exit_cleanly(signum: int, _frame: object) -> None:
    raise SystemExit(0)


def serve(settings: Settings, *, demo: bool) -> None:
    import uvicorn

    from api.logs import configure

    configure(settings.log_level)
    url = migrate(settings)
    client = seed_demo(settings, url) if demo else None
    sys.stderr.write(_banner(settings, client))
    sys.stderr.flush()
    # uvicorn drains requests on SIGTERM/SIGINT, then re-raises the signal with the handler
    # that was there before it; make that a clean exit, so atexit stops the embedded
    # PostgreSQL and the exit status says "stopped", not "killed".
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _exit_cleanly)
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_config=None,
        proxy_headers=True,
        timeout_graceful_shutdown=15,
        server_header=False,
    )


def create_client(settings: Settings, args: argparse.Namespace) -> None:
    from domain import demo
    from domain.identity import service as identity
    from domain.shared.principal import Principal

    url = database_url(settings)

    async def work(uow: Any) -> Any:
        try:
            organisation_id = UUID(args.org)
        except ValueError:
            found = await demo.organisation_id_by_name(uow, args.org)
            if found is None:
                raise SystemExit(f"hub: no organisation with id or name {args.org!r}") from None
            organisation_id = found
        return await identity.register_client(
            uow,
            Principal.system("cli"),
            organisation_id=organisation_id,
            name=args.name,
            scopes=args.scopes.split(","),
            roles=[r for r in args.roles.split(",") if r],
        )

    from domain.shared.errors import ValidationFailed

    try:
        registered = asyncio.run(_with_uow(url, settings, work))
    except ValidationFailed as exc:
        raise SystemExit(f"hub: {exc.detail}") from exc
    print(
        json.dumps(
            {
                "client_id": registered.client.client_id,
                "client_secret": registered.secret,
                "scopes": registered.client.scopes,
                "roles": registered.client.roles,
                "note": "The secret is shown once; only its hash is stored.",
            },
            indent=2,
        )
    )


def rotate_keys(settings: Settings) -> None:
    from domain.identity.keys import cipher_from_settings, retirement_grace, rotate

    url = database_url(settings)
    cipher = cipher_from_settings(settings)
    grace = retirement_grace(settings.access_token_ttl_seconds)

    async def work(uow: Any) -> str:
        key = await rotate(uow.session, cipher, grace)
        await uow.commit()
        return key.kid

    print(f"new signing key {asyncio.run(_with_uow(url, settings, work))}")


def write_contracts(out: Path) -> None:
    from api.contracts import graphql_sdl, openapi_json

    out.mkdir(parents=True, exist_ok=True)
    (out / "openapi.json").write_text(openapi_json())
    (out / "schema.graphql").write_text(graphql_sdl())
    print(f"wrote {out / 'openapi.json'} and {out / 'schema.graphql'}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="hub", description="Implementation Hub")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="migrate, then serve the API")
    serve_cmd.add_argument("--demo", action="store_true", help="load the demo data on first start")
    commands.add_parser("migrate", help="apply migrations and make the first signing key")
    commands.add_parser("seed-demo", help="load the ANEW demo programme (once)")
    clients = commands.add_parser("clients", help="partner clients")
    client_commands = clients.add_subparsers(dest="action", required=True)
    create = client_commands.add_parser("create", help="register a client; prints its secret once")
    create.add_argument("--org", required=True, help="organisation id or exact name")
    create.add_argument(
        "--scopes", required=True, help="comma-separated, e.g. cycles:read,cycles:write"
    )
    create.add_argument("--roles", default="", help="comma-separated, e.g. platform_admin")
    create.add_argument("--name", default="Partner system")
    keys = commands.add_parser("keys", help="token signing keys")
    key_commands = keys.add_subparsers(dest="action", required=True)
    key_commands.add_parser("rotate", help="add a signing key; older keys keep verifying")
    contracts = commands.add_parser("openapi", help="write openapi.json and schema.graphql")
    contracts.add_argument("--out", type=Path, default=Path("openapi"))
    instruments_cli.add_parser(commands)
    args = parser.parse_args(argv)

    settings = get_settings()
    if args.command == "serve":
        serve(settings, demo=args.demo)
    elif args.command == "migrate":
        migrate(settings)
        print("migrated to head")
    elif args.command == "seed-demo":
        client = seed_demo(settings, migrate(settings))
        sys.stderr.write(_banner(settings, client))
    elif args.command == "clients":
        create_client(settings, args)
    elif args.command == "keys":
        rotate_keys(settings)
    elif args.command == "openapi":
        write_contracts(args.out)
    elif args.command == "instruments":
        instruments_cli.run(settings, args, migrate, _with_uow)


if __name__ == "__main__":
    main()
