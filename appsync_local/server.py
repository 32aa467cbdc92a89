"""`make run`: local AWS, the runtime and its HTTP server, from the app's description."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import uvicorn

from appdef import AppConfig, ConfigError

from .http_app import create_app
from .js import BundlerUnavailable, JsCodeError
from .local_aws import LocalAws, seed
from .runtime import Runtime, build_runtime
from .serving import bind_socket, uvicorn_config
from .tls import DEFAULT_HOSTS, TlsError, ensure_local_tls

logger = logging.getLogger("appsync_local")


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


def _tls_hosts(host: str) -> tuple[str, ...]:
    """The names the local certificate covers: loopback, plus the bind address when it names one host."""
    extra = () if host in DEFAULT_HOSTS or host in ("0.0.0.0", "::", "") else (host,)
    return (*DEFAULT_HOSTS, *extra)


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signals to `_serve_all`, which stops every server together."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _serve_all(servers: list[tuple[uvicorn.Server, list[socket.socket]]]) -> None:
    """Run the HTTP and HTTPS servers in one loop (one app, so one subscription registry); stop together."""
    loop = asyncio.get_running_loop()

    def stop() -> None:
        for server, _ in servers:
            # A second Ctrl+C stops without waiting for open connections, as uvicorn does.
            server.force_exit = server.should_exit
            server.should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    await asyncio.gather(*(server.serve(sockets=sockets) for server, sockets in servers))


def serve(config: AppConfig, host: str = "127.0.0.1", port: int = 4000, tls_port: int | None = None) -> None:
    """Start local AWS, seed it, and serve until interrupted; data survives restarts.

    With `tls_port`, the same app is also served over HTTPS/WSS with a certificate from the local CA
    (`appsync_local.tls`), for clients such as Amplify JS that always use ``wss://``.
    """
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for noisy in ("botocore", "boto3", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    with LocalAws(config) as aws:
        os.environ.update(aws.endpoints.environment())
        runtime = build_runtime(config)
        written = seed(config, aws.session(), aws.endpoints, runtime.user_subs())
        if written:
            logger.info("Seeded %d demo items.", written)
        sock = bind_socket(host, port)
        url = f"http://{host}:{sock.getsockname()[1]}"
        print(banner(runtime, url), flush=True)
        app = create_app(runtime)
        server = uvicorn.Server(uvicorn_config(app, log_level="warning"))
        servers = [(server, [sock])]
        if tls_port is not None:
            tls = ensure_local_tls(config.data_dir, _tls_hosts(host))
            tls_sock = bind_socket(host, tls_port)
            tls_url = f"https://{host}:{tls_sock.getsockname()[1]}"
            print(f"  HTTPS / WSS    {tls_url}/graphql   (wss://…/graphql/realtime)", flush=True)
            print(f"  Local CA       {tls.ca_cert}   (trust it, e.g. NODE_EXTRA_CA_CERTS=<path>)\n", flush=True)
            tls_config = uvicorn_config(
                app, log_level="warning", ssl_certfile=str(tls.cert_file), ssl_keyfile=str(tls.key_file)
            )
            servers = [(_QuietServer(server.config), [sock]), (_QuietServer(tls_config), [tls_sock])]
        stop = threading.Event()
        saver = threading.Thread(target=_save_uploads_periodically, args=(aws, stop), daemon=True)
        saver.start()
        try:
            if len(servers) == 1:
                server.run(sockets=[sock])
            else:
                with asyncio.Runner(loop_factory=server.config.get_loop_factory()) as runner:
                    runner.run(_serve_all(servers))
        finally:
            stop.set()
            saver.join(timeout=10)


def main_serve(config_path: Path, host: str, port: int, tls_port: int | None = None) -> int:
    from appdef import load_config

    try:
        serve(load_config(config_path), host=host, port=port, tls_port=tls_port)
    except (ConfigError, TlsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (JsCodeError, BundlerUnavailable) as exc:  # a JS file AppSync would refuse, or esbuild missing
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
