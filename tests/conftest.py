"""Fixtures shared by every test suite."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from appsync_local.local_aws import LocalAws
from tests.fixtures.live_server import LiveServer, serve_live
from tests.fixtures.local_aws import running_local_aws


@pytest.fixture(scope="session")
def local_aws() -> Iterator[LocalAws]:
    """DynamoDB Local and moto (in memory) for the app in `appsync.toml`, with AWS_* variables pointing at them."""
    with running_local_aws() as aws:
        yield aws


@pytest.fixture(scope="session")
def live_server(local_aws: LocalAws, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The project's API as `make run` serves it, one for the session (`tests/fixtures/live_server.py`)."""
    yield from serve_live(local_aws, tmp_path_factory)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`make test`'s workers (`-n`, `--dist loadfile`) take whole test files, and tests/infra as one: its one CDK
    synthesis, a session fixture, would otherwise run in every worker."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class FilesAndInfra(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = super()._split_scope(nodeid)
            return "tests/infra" if path.startswith("tests/infra/") else path

    return FilesAndInfra(config, log)
