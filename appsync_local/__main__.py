"""Command line: `python -m appsync_local serve|token|api-key|iam-credentials|export-schema`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from appdef import ConfigError, load_config

DEFAULT_TLS_PORT = 4443


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="appsync_local", description="A local AWS AppSync runtime.")
    parser.add_argument("--config", default="appsync.toml", type=Path, help="the app's description")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API (and GraphiQL) on HOST:PORT")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "4000")))
    serve.add_argument(
        "--tls", action="store_true",
        help="also serve HTTPS/WSS on TLS_PORT (default 4443) with a certificate from a local CA",
    )
    serve.add_argument(
        "--tls-port", type=int, default=int(os.environ["TLS_PORT"]) if os.environ.get("TLS_PORT") else None,
        help="serve HTTPS/WSS on this port (setting TLS_PORT implies --tls)",
    )
    token = commands.add_parser("token", help="print a user-pool JWT the local server accepts")
    token.add_argument("username")
    token.add_argument("--groups", default="", help="comma-separated groups (default: the user's configured groups)")
    token.add_argument("--token-use", choices=("id", "access"), default="id")
    token.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    commands.add_parser("api-key", help="print the local API key")
    commands.add_parser("iam-credentials", help="print the local IAM access key the server accepts (JSON)")
    export = commands.add_parser("export-schema", help="write schema.graphql in the form AppSync accepts")
    export.add_argument("--check", action="store_true", help="fail if schema.graphql is out of date")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "serve":
        from .server import main_serve

        tls_port = args.tls_port if args.tls_port is not None else (DEFAULT_TLS_PORT if args.tls else None)
        return main_serve(args.config, args.host, args.port, tls_port)
    if args.command == "token":
        from .runtime import local_user_pool

        pool = local_user_pool(config)
        if pool is None:
            print("error: appsync.toml configures no Cognito user pool", file=sys.stderr)
            return 2
        groups = [g for g in args.groups.split(",") if g] or None
        print(pool.mint(args.username, groups=groups, token_use=args.token_use, ttl_seconds=args.ttl))
        return 0
    if args.command == "api-key":
        from .runtime import api_key_store

        print(api_key_store(config).current().id)
        return 0
    if args.command == "iam-credentials":
        from .auth import IamCredentials

        creds = IamCredentials.load_or_create(config.data_dir)
        print(json.dumps({"AccessKeyId": creds.access_key_id, "SecretAccessKey": creds.secret_access_key,
                          "AccountId": creds.account_id, "UserArn": creds.user_arn}, indent=2))
        return 0
    if args.command == "export-schema":
        from .sdl import appsync_sdl, load_schema, write_schema_file

        target = config.root / "schema.graphql"
        if args.check:
            current = target.read_text() if target.exists() else ""
            if current != appsync_sdl(load_schema(config.api.schema_spec)):
                print("schema.graphql is out of date: run `make schema`", file=sys.stderr)
                return 1
            return 0
        changed = write_schema_file(target, config.api.schema_spec)
        print(f"{'wrote' if changed else 'unchanged:'} {target}")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
