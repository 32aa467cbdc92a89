"""The local runtime's HTTP server for the benchmark: one process, started by `bench/listtodos.py`.

It builds the runtime exactly as `make run` does (`build_runtime` + `create_app` + `serving`), but against
local AWS endpoints that the caller already started (passed in the standard AWS_ENDPOINT_URL_* variables),
with a given data folder (where the user pool's signing key is), on 127.0.0.1 and a free port. It prints
``{"port": N}`` once it listens and serves until SIGTERM/SIGINT. On SIGUSR2 it prints one line
``{"calls": {"<data source>": N, ...}}``: how many requests each DynamoDB data source has run so far.

Usage: ``python bench/serve_runtime.py --data-dir DIR [--config appsync.toml]``
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import uvicorn

from appdef import AppConfig, load_config
from appsync_local.http_app import create_app
from appsync_local.runtime import build_runtime
from appsync_local.serving import bind_socket, uvicorn_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "appsync.toml")
    parser.add_argument(
        "--data-dir", type=Path, required=True, help="the runtime's data folder (signing keys)"
    )
    args = parser.parse_args(argv)
    return serve(load_config(args.config), args.data_dir)


def serve(config: AppConfig, data_dir: Path) -> int:
    """Serve the runtime built from `config` until SIGTERM/SIGINT."""
    runtime = build_runtime(config, data_dir)
    app = create_app(runtime)

    def print_calls(signum: int, frame: object) -> None:
        # Runs on the main thread between two bytecodes of the event loop: the counts are ints, read whole.
        calls = {
            name: getattr(source, "calls", 0) for name, source in runtime.code_runner.data_sources.items()
        }
        print(json.dumps({"calls": calls}), flush=True)

    signal.signal(signal.SIGUSR2, print_calls)
    return announce_and_serve(app)


def serve_floor(
    answer: Callable[[bytes], tuple[int, bytes]], header: bytes, calls: Callable[[], Mapping[str, int]]
) -> int:
    """Serve a floor (`serve_floor*.py`): every POST is the one benchmark query, answered by `answer` with the
    request's `header` (the credential) as JSON; SIGUSR2 prints ``{"calls": calls()}``."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        more = True
        while more:  # the body is the one benchmark query: read and dropped
            message = await receive()
            more = message.get("more_body", False)
        status, body = answer(dict(scope["headers"]).get(header, b""))
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def print_calls(signum: int, frame: object) -> None:
        print(json.dumps({"calls": dict(calls())}), flush=True)

    signal.signal(signal.SIGUSR2, print_calls)
    return announce_and_serve(app)


def announce_and_serve(app: Any) -> int:
    """Serve the ASGI `app` on 127.0.0.1 and a free port, printed as ``{"port": N}``, until SIGTERM/SIGINT."""
    sock = bind_socket("127.0.0.1", 0)
    # Listening before the port is announced: a request sent right away waits in the backlog until uvicorn
    # accepts it, instead of being refused (uvicorn listens on the socket again, which only sets the backlog).
    sock.listen(2048)
    server = uvicorn.Server(uvicorn_config(app, log_level="warning"))
    print(json.dumps({"port": sock.getsockname()[1]}), flush=True)
    # uvicorn handles SIGTERM/SIGINT itself: it stops accepting, finishes in-flight requests and returns.
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
