"""`hub instruments load <file>`: validate an instrument file (JSON or YAML) and store it.
`hub instruments load --built-in` loads the instruments shipped with the service."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from domain.shared.config import Settings


def add_parser(commands: Any) -> None:
    instruments = commands.add_parser("instruments", help="assessment instruments")
    actions = instruments.add_subparsers(dest="action", required=True)
    load = actions.add_parser("load", help="validate and load an instrument file (JSON or YAML)")
    load.add_argument("file", nargs="?", type=Path, help="the instrument file")
    load.add_argument("--built-in", action="store_true", help="load the shipped instruments")


def run(
    settings: Settings,
    args: argparse.Namespace,
    migrate: Callable[[Settings], str],
    with_uow: Callable[[str, Settings, Any], Any],
) -> None:
    from domain.implementation import instruments
    from domain.shared.errors import ValidationFailed
    from domain.shared.principal import Principal

    if args.file is None and not args.built_in:
        raise SystemExit("hub instruments load: give a file or --built-in")
    principal = Principal.system("cli")
    url = migrate(settings)

    async def work(uow: Any) -> list[str]:
        if args.built_in:
            rows = await instruments.load_built_in(uow, principal)
            return [f"{r.key} v{r.instrument_version} ({r.id})" for r in rows]
        row, created = await instruments.load_instrument_file(uow, principal, args.file)
        state = "loaded" if created else "already loaded"
        return [f"{state} {row.key} v{row.instrument_version} ({row.id})"]

    try:
        for line in asyncio.run(with_uow(url, settings, work)):
            print(line)
    except ValidationFailed as exc:
        for error in exc.errors:
            sys.stderr.write(f"{args.file}: {error.pointer}: {error.message}\n")
        raise SystemExit(1) from exc
    except FileNotFoundError as exc:
        raise SystemExit(f"no such file: {args.file}") from exc
