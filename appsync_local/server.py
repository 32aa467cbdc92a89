"""`make run`: local AWS, the runtime and its HTTP server, from the app's description."""

from __future__ import annotations

import logging
import os
import sys
import threading
from pathlib import Path

import uvicorn

from .config import AppConfig, ConfigError
from .http_app import create_app
from .local_aws import LocalAws, seed
from .runtime import Runtime, build_runtime
from .serving import bind_socket, uvicorn_config

logger = logging.getLogger("appsync_local")


def function_environment(config: AppConfig) -> dict[str, str]:
    """The functions' environment variables; in one process they must agree with each other."""
    merged: dict[str, str] = {}
    for function in config.functions:
        for key, value in function.environment.items():
            if merged.get(key, value) != value:
                raise ConfigError(f"functions disagree on environment variable {key}: {merged[key]!r} vs {value!r}")
            merged[key] = value
    return merged


def banner(runtime: Runtime, url: str) -> str:
    lines = [
        "",
        f"  AppSync API    {url}/graphql   (GraphiQL: open it in a browser)",
        f"  Auth modes     {', '.join(runtime.config.api.auth_modes)} (default {runtime.config.api.default_auth})",
    ]
    if runtime.api_keys is not None:
        key = runtime.api_keys.current()
        lines.append(f"  API key        {key.id}   (x-api-key; `make api-key` prints it)")
    if runtime.user_pool is not None:
        users = ", ".join(u.username for u in runtime.config.local_users)
        lines.append(f"  User tokens    `make token USER=alice` (demo users: {users}; password Passw0rd!)")
    if runtime.sigv4 is not None:
        lines.append("  IAM            `python -m appsync_local iam-credentials` prints the local access key")
    lines.append("")
    return "\n".join(lines)


S3_SAVE_INTERVAL_SECONDS = 5.0


def _save_uploads_periodically(aws: LocalAws, stop: threading.Event) -> None:
    """moto keeps S3 in memory: mirror it to disk every few seconds, so a crash loses little."""
    while not stop.wait(S3_SAVE_INTERVAL_SECONDS):
        if aws.s3_persistence is not None:
            try:
                aws.s3_persistence.save()
            except Exception:  # keep serving; the next round retries, and shutdown saves again
                logger.exception("saving S3 objects to disk failed")


def serve(config: AppConfig, host: str = "127.0.0.1", port: int = 4000) -> None:
    """Start local AWS, seed it, and serve until interrupted; data survives restarts."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with LocalAws(config) as aws:
        os.environ.update(aws.endpoints.environment())
        os.environ.update(function_environment(config))
        runtime = build_runtime(config)
        written = seed(config, aws.session(), aws.endpoints, runtime.user_subs())
        if written:
            logger.info("Seeded %d demo items.", written)
        sock = bind_socket(host, port)
        url = f"http://{host}:{sock.getsockname()[1]}"
        print(banner(runtime, url), flush=True)
        server = uvicorn.Server(uvicorn_config(create_app(runtime), log_level="warning"))
        stop = threading.Event()
        saver = threading.Thread(target=_save_uploads_periodically, args=(aws, stop), daemon=True)
        saver.start()
        try:
            server.run(sockets=[sock])
        finally:
            stop.set()
            saver.join(timeout=10)


def main_serve(config_path: Path, host: str, port: int) -> int:
    from .config import load_config

    try:
        serve(load_config(config_path), host=host, port=port)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
