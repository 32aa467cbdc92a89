"""Servers for the security suite: the session's live local API (`live_server`, tests/conftest.py), and small
sample apps served by the real runtime on 127.0.0.1 (port 0).

`sample_server` serves tests/functional/sample_app (Lambda resolvers, no AWS needed) over HTTP;
`realtime_server` serves tests/fixtures/realtime_app, which has subscriptions, for WebSocket checks.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection

from appdef import AppConfig, parse_config
from appsync_local.http_app import create_app
from appsync_local.runtime import Runtime, build_runtime
from appsync_local.serving import BackgroundServer
from tests.contract.test_realtime_protocol import realtime_config
from tests.fixtures.command_line import Served as ServedCommand
from tests.fixtures.command_line import served_app
from tests.fixtures.live_server import LiveServer

__all__ = ["LiveServer", "realtime_server", "sample_server", "served"]

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_APP = ROOT / "tests" / "functional" / "sample_app"


def sample_config(**api: Any) -> AppConfig:
    raw = {
        "api": {"schema": "tests.functional.sample_app.schema:schema", "default_auth": "API_KEY", **api},
        "functions": {
            "sample": {
                "handler": "tests.functional.sample_app.handler.lambda_handler",
                "app": "tests.functional.sample_app.handler:app",
                "batch_max_size": {"Node.label": 3},
            }
        },
    }
    return parse_config(raw, SAMPLE_APP)


@dataclass
class Served:
    """An app served on 127.0.0.1, as a client reaches it."""

    server: BackgroundServer
    runtime: Runtime

    @property
    def url(self) -> str:
        return f"{self.server.url}/graphql"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.server.host}:{self.server.port}/graphql"

    @property
    def address(self) -> tuple[str, int]:
        return self.server.host, self.server.port

    @property
    def api_key(self) -> str:
        assert self.runtime.api_keys is not None
        return self.runtime.api_keys.current().id

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"host": f"{self.server.host}:{self.server.port}", "x-api-key": self.api_key}

    @property
    def realtime_url(self) -> str:
        """The AppSync realtime URL, authenticated with the API key in its query string."""
        encoded = base64.b64encode(json.dumps(self.auth_headers).encode()).decode()
        return f"{self.ws_url}?header={encoded}&payload=e30="


def serve(runtime: Runtime) -> Iterator[Served]:
    server = BackgroundServer(create_app(runtime, node_modules=ROOT / "node_modules")).start()
    try:
        yield Served(server, runtime)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The sample app with AppSync's default resolver count limit (10,000) and a query depth limit of 5."""
    data_dir = tmp_path_factory.mktemp("security-sample")
    yield from serve(build_runtime(sample_config(query_depth_limit=5), data_dir))


@pytest.fixture(scope="module")
def realtime_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data_dir = tmp_path_factory.mktemp("security-realtime")
    yield from serve(build_runtime(realtime_config(with_js=False), data_dir))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedCommand]:
    """`python -m appsync_local serve` as `make run` starts it, on a data folder of the module's own."""
    with served_app(tmp_path_factory.mktemp("served")) as running:
        yield running


async def next_message(ws: ClientConnection) -> dict[str, Any]:
    """The next realtime message that is not a keep-alive (AppSync sends one right after the ack)."""
    while True:
        message = json.loads(await ws.recv())
        if message.get("type") != "ka":
            return dict(message)
