"""`python -m appdef schema [--check]` writes the editors' JSON Schema; `requirements` lists what functions need."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .json_schema import SCHEMA_FILE, schema_text, write_schema_file
from .loading import ConfigError, load_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="appdef", description="The app definition (appsync.toml).")
    parser.add_argument("--config", default="appsync.toml", type=Path)
    commands = parser.add_subparsers(dest="command", required=True)
    schema = commands.add_parser("schema", help=f"write {SCHEMA_FILE.name} for editors")
    schema.add_argument("--check", action="store_true", help="fail if the file is out of date")
    commands.add_parser("requirements", help="print every function's pip requirements, one per line")
    commands.add_parser("check", help="load the file and report what is wrong with it")
    args = parser.parse_args(argv)
    if args.command == "schema":
        if args.check:
            if not SCHEMA_FILE.exists() or SCHEMA_FILE.read_text() != schema_text():
                print(f"{SCHEMA_FILE} is out of date: run `make schema`", file=sys.stderr)
                return 1
            return 0
        print(f"{'wrote' if write_schema_file() else 'unchanged:'} {SCHEMA_FILE}")
        return 0
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "requirements":
        for requirement in sorted({r for f in config.functions.values() for r in f.requirements}):
            print(requirement)
    return 0


if __name__ == "__main__":
    sys.exit(main())
