"""Command line: `python -m appsync_local serve|token|api-key|iam-credentials|export-schema`.

Exit codes: 0 done (for `serve`: stopped by SIGINT or SIGTERM); 1 `export-schema --check` found the schema
out of date; 2 refused (a bad app definition, a port in use, no Java, …), with one line on stderr saying why.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from appdef import AppConfig, ConfigError, load_config

DEFAULT_TLS_PORT = 4443


def _positive_seconds(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive whole number of seconds")
    return value


def _port(text: str) -> int:
    """A TCP port: 0-65535 (defaults come from PORT and TLS_PORT, so their values are checked here too)."""
    if not text.strip().isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535; 0 picks a free port)")
    return int(text)


def _shared_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """--config and --data-dir, taken before the command and after it (where they win)."""
    unset = argparse.SUPPRESS
    parser.add_argument(
        "--config",
        type=Path,
        default=Path("appsync.toml") if defaults else unset,
        help="the app's description (default: appsync.toml)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None if defaults else unset,
        help="keep tables, objects and keys here instead of appsync.toml's [local] data_dir",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="appsync_local", description="A local AWS AppSync runtime.")
    _shared_options(parser, defaults=True)
    shared = argparse.ArgumentParser(add_help=False)
    _shared_options(shared, defaults=False)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", parents=[shared], help="serve the API (and GraphiQL) on HOST:PORT")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument(
        "--port",
        type=_port,
        default=os.environ.get("PORT", "4000"),
        help="default: PORT or 4000; 0 picks a free port",
    )
    serve.add_argument(
        "--tls",
        action="store_true",
        help="also serve HTTPS/WSS on TLS_PORT (default 4443) with a certificate from a local CA",
    )
    serve.add_argument(
        "--tls-port",
        type=_port,
        default=os.environ.get("TLS_PORT") or None,
        help="serve HTTPS/WSS on this port (setting TLS_PORT implies --tls)",
    )
    token = commands.add_parser(
        "token", parents=[shared], help="print a user-pool (or OIDC) JWT the local server accepts"
    )
    token.add_argument("username", help="a user of appsync.toml's [local.users]")
    token.add_argument(
        "--groups", default="", help="comma-separated groups (default: the user's configured groups)"
    )
    token.add_argument("--token-use", choices=("id", "access"), default="id")
    token.add_argument("--ttl", type=_positive_seconds, default=3600, help="lifetime in seconds")
    token.add_argument(
        "--issuer",
        choices=("cognito", "oidc"),
        default="cognito",
        help="cognito: the local user pool's ID/access token; oidc: an ID token of the local OIDC issuer",
    )
    token.add_argument("--audience", help="oidc: the token's aud (default: [auth.oidc] client_id)")
    commands.add_parser("api-key", parents=[shared], help="print the local API key")
    commands.add_parser(
        "iam-credentials", parents=[shared], help="print the local IAM access key the server accepts (JSON)"
    )
    export = commands.add_parser(
        "export-schema", parents=[shared], help="write schema.graphql in the form AppSync accepts"
    )
    export.add_argument("--check", action="store_true", help="fail if schema.graphql is out of date")
    return parser


class Refusal(Exception):
    """What the command line itself refuses (an unknown user, say); printed as one line, exit code 2."""


def _serve(config: AppConfig, args: argparse.Namespace) -> int:
    from .server import main_serve

    tls_port = args.tls_port if args.tls_port is not None else (DEFAULT_TLS_PORT if args.tls else None)
    return main_serve(config, args.host, args.port, tls_port)


def _token(config: AppConfig, args: argparse.Namespace) -> int:
    if args.issuer == "oidc":
        return _oidc_token(config, args)
    from .runtime import local_user_pool

    pool = local_user_pool(config)
    if pool is None or config.cognito is None:
        raise Refusal("appsync.toml configures no Cognito user pool ([auth.cognito])")
    users = [user.username for user in config.local_users]
    if args.username not in users:
        raise Refusal(
            f"no local user {args.username!r} in appsync.toml "
            f"(users: {', '.join(users) or 'none'}; add one under [local.users])"
        )
    groups = [g for g in args.groups.split(",") if g] or None
    for group in groups or ():
        if group not in config.cognito.groups:
            known = ", ".join(config.cognito.groups)
            raise Refusal(f"group {group!r} is not in auth.cognito.groups ({known})")
    print(pool.mint(args.username, groups=groups, token_use=args.token_use, ttl_seconds=args.ttl))
    return 0


def _oidc_token(config: AppConfig, args: argparse.Namespace) -> int:
    from .runtime import local_oidc_issuer

    issuer = local_oidc_issuer(config)
    if issuer is None:
        if config.auth.oidc is not None and config.local.oidc_issuer != "local":
            raise Refusal('[local] oidc_issuer is "discover": tokens come from the real issuer')
        raise Refusal("appsync.toml enables no OPENID_CONNECT mode with [auth.oidc]")
    if args.groups:
        raise Refusal("--groups is for user-pool tokens; OIDC tokens carry no Cognito groups")
    if issuer.default_audience is None and not args.audience:
        raise Refusal(f"auth.oidc.client_id {issuer.client_id!r} is a pattern: pass --audience <client id>")
    print(issuer.mint(args.username, audience=args.audience, ttl_seconds=args.ttl))
    return 0


def _api_key(config: AppConfig, args: argparse.Namespace) -> int:
    from .runtime import api_key_store

    print(api_key_store(config).current().id)
    return 0


def _iam_credentials(config: AppConfig, args: argparse.Namespace) -> int:
    from .auth import IamCredentials

    creds = IamCredentials.load_or_create(config.data_dir)
    print(
        json.dumps(
            {
                "AccessKeyId": creds.access_key_id,
                "SecretAccessKey": creds.secret_access_key,
                "AccountId": creds.account_id,
                "UserArn": creds.user_arn,
            },
            indent=2,
        )
    )
    return 0


def _export_schema(config: AppConfig, args: argparse.Namespace) -> int:
    from .sdl import appsync_sdl, load_schema, write_schema_file

    target = config.root / "schema.graphql"
    if args.check:
        current = target.read_text() if target.exists() else ""
        if current != appsync_sdl(load_schema(config.api.schema_spec)):
            print(f"error: {target} is out of date: run `make schema`", file=sys.stderr)
            return 1
        return 0
    changed = write_schema_file(target, config.api.schema_spec)
    print(f"{'wrote' if changed else 'unchanged:'} {target}")
    return 0


COMMANDS: dict[str, Callable[[AppConfig, argparse.Namespace], int]] = {
    "serve": _serve,
    "token": _token,
    "api-key": _api_key,
    "iam-credentials": _iam_credentials,
    "export-schema": _export_schema,
}


def with_data_dir(config: AppConfig, data_dir: Path | None) -> AppConfig:
    """`config` keeping its data in `data_dir` (made absolute) instead of `[local] data_dir`."""
    if data_dir is None:
        return config
    local = config.local.model_copy(update={"data_dir": str(data_dir.resolve())})
    return config.model_copy(update={"local": local})


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = with_data_dir(load_config(args.config), args.data_dir)
        return COMMANDS[args.command](config, args)
    except (ConfigError, Refusal) as exc:
        return _refuse(exc)
    except Exception as exc:
        from .server import refusals

        if isinstance(exc, refusals()):
            return _refuse(exc)
        raise


def _refuse(exc: Exception) -> int:
    print(f"error: {exc}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
