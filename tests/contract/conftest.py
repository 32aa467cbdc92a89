"""The running local API, served over real HTTP on 127.0.0.1, for the contract suite."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from appdef import load_config
from appsync_local.auth import IamCredentials
from appsync_local.cdn import LocalCdn
from appsync_local.http_app import create_app
from appsync_local.local_aws import LocalAws, seed
from appsync_local.local_aws.provision import provision
from appsync_local.local_services import LocalServices, running_local_services
from appsync_local.runtime import Runtime, build_runtime
from appsync_local.serving import BackgroundServer
from tests.fixtures.fast_config import with_fast_redelivery

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class LiveServer:
    """The local API as a client sees it: its URL and the credentials each auth mode needs."""

    base_url: str
    runtime: Runtime
    app: Any = None

    @property
    def url(self) -> str:
        return f"{self.base_url}/graphql"

    @property
    def host(self) -> str:
        return self.base_url.split("://", 1)[1]

    @property
    def api_key(self) -> str:
        assert self.runtime.api_keys is not None
        return self.runtime.api_keys.current().id

    @property
    def iam(self) -> IamCredentials:
        assert self.runtime.sigv4 is not None
        return IamCredentials.load_or_create(self.runtime_data_dir)

    runtime_data_dir: Path = Path()
    services: LocalServices | None = None

    @property
    def cdn(self) -> LocalCdn:
        assert self.services is not None
        return self.services.cdn

    def token(self, username: str, groups: list[str] | None = None, **kwargs: object) -> str:
        assert self.runtime.user_pool is not None
        return self.runtime.user_pool.mint(username, groups=groups, **kwargs)  # type: ignore[arg-type]

    @property
    def ws_url(self) -> str:
        return "ws" + self.url[len("http") :]

    def subscriptions(self) -> int:
        """How many subscriptions the server holds right now."""
        return int(self.app.state.realtime.registry.count())

    async def wait_for_subscriptions(self, count: int, timeout: float = 5.0) -> None:
        """Wait until the server holds `count` subscriptions (gql does not expose start_ack)."""
        deadline = time.monotonic() + timeout
        while self.subscriptions() != count:
            assert time.monotonic() < deadline, f"{self.subscriptions()} subscriptions, expected {count}"
            await asyncio.sleep(0.01)

    def sub(self, username: str) -> str:
        assert self.runtime.user_pool is not None
        return self.runtime.user_pool.sub_for(username)


@pytest.fixture(scope="session")
def live_server(local_aws: LocalAws, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The project's API as `make run` serves it, with its event sources delivering (failed queue messages
    come back after a few seconds instead of minutes, and async retries after 1 s)."""
    config = with_fast_redelivery(load_config(ROOT / "appsync.toml"))
    provision(config, local_aws.session(), local_aws.endpoints)  # the queues' fast visibility timeouts
    data_dir = tmp_path_factory.mktemp("appsync-data")
    server = BackgroundServer()  # its URL goes into the functions' ${api:…} and ${cdn:…} references
    runtime = build_runtime(config, data_dir, public_url=server.url)  # each function in its own environment
    seed(config, local_aws.session(), local_aws.endpoints, runtime.seed_substitutions())
    with running_local_services(
        config, runtime, local_aws, data_dir, persistent=False, async_retry_delays=(1, 1)
    ) as services:
        app = create_app(runtime, local_routes=services.routes)
        server.serve(app)
        try:
            yield LiveServer(
                base_url=server.url, runtime=runtime, app=app, runtime_data_dir=data_dir, services=services
            )
        finally:
            server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's), through Playwright; skipped where it is not installed."""
    from tests.contract.test_graphiql_browser import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
