"""Locally, the runtime renews its own API key: the site's config.json always carries the key the server accepts,
and the deployed rotation's schedule does not fire (issue 12, item 9).

The site's pages read the key from config.json. It used to keep the key of the server's start for good, so once
that key expired and was renewed (by the server, GraphiQL or `make api-key`), the site's reads were refused.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from starlette.applications import Starlette

from appdef import AppConfig, load_config, parse_config
from appsync_local.auth import ApiKeyStore, UnauthorizedError
from appsync_local.cdn import LocalCdn, signing_keys
from appsync_local.cdn.content import SiteConfigs, sync_content
from appsync_local.events import EventEngine
from appsync_local.local_aws import LocalAws
from appsync_local.local_aws.endpoints import client
from appsync_local.local_aws.provision import provision
from appsync_local.local_references import LocalReferences
from appsync_local.runtime import local_functions
from appsync_local.serving import BackgroundServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DAY = 86_400


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class Site:
    """The local CDN serving a site whose config.json names the API key, and the server's key store."""

    url: str
    keys: ApiKeyStore
    clock: Clock
    data_dir: Path

    def config(self) -> tuple[dict[str, Any], str]:
        response = requests.get(f"{self.url}/_cdn/edge-site/config.json", timeout=10)
        assert response.status_code == 200
        return response.json(), response.headers["x-cache"]


@pytest.fixture
def site(local_aws: LocalAws, tmp_path: Path) -> Iterator[Site]:
    root = tmp_path / "app"
    shutil.copytree(FIXTURES / "local_cdn_app", root)
    config = load_config(root / "appsync.toml")
    provision(config, local_aws.session(), local_aws.endpoints)
    s3 = client(local_aws.session(), "s3", local_aws.endpoints.s3)
    clock = Clock(1_900_000_000.0)
    data_dir = tmp_path / "data"
    keys = ApiKeyStore.load_or_create(data_dir, expiry_days=7, clock=clock)
    references = LocalReferences(None, {}, api_key=lambda: keys.current().id)
    sync_content(config, s3, references)  # at start, as `make run` does
    cdn = LocalCdn(
        config, s3, signing_keys(config, data_dir), site_configs=SiteConfigs(config, s3, references)
    )
    with BackgroundServer(Starlette(routes=cdn.routes())) as server:
        yield Site(server.url, keys, clock, data_dir)
    for bucket in ("edge-media", "edge-site"):
        for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=item["Key"])


def test_after_the_server_renews_its_key_the_site_reads_the_renewed_key(site: Site) -> None:
    # GIVEN the site read its config (the edge keeps a copy for 60 s)
    first, _ = site.config()
    assert first["apiKey"] == site.keys.current().id

    # WHEN the key expires and the server renews it
    site.clock.now = site.keys.current().expires + 1
    renewed = site.keys.current()

    # THEN the site's next read of config.json (not the edge's stale copy) carries the renewed key, which the server
    # accepts, while the one of the start is refused
    config, cache = site.config()
    assert config["apiKey"] == renewed.id != first["apiKey"]
    assert cache == "Miss from cloudfront"
    site.keys.check(config["apiKey"])
    with pytest.raises(UnauthorizedError, match="expired"):
        site.keys.check(first["apiKey"])
    # AND unchanged, it is the edge's copy again
    assert site.config() == (config, "Hit from cloudfront")


def test_a_key_renewed_by_another_process_is_the_key_the_site_reads(site: Site) -> None:
    # GIVEN the start-up key has expired, and `make api-key` (a store of its own on the same folder) renewed it
    site.config()
    site.clock.now = site.keys.current().expires + 1
    printed = ApiKeyStore.load_or_create(site.data_dir, expiry_days=7, clock=site.clock).current()

    # WHEN the site reads its config
    config, _ = site.config()

    # THEN it carries the key `make api-key` printed, which the server accepts
    assert config["apiKey"] == printed.id
    site.keys.check(printed.id)


def test_a_schedule_named_in_skip_schedules_does_not_fire_locally_and_says_so(
    local_aws: LocalAws, caplog: pytest.LogCaptureFixture
) -> None:
    # GIVEN a function with a daily schedule that [local] skip_schedules names
    config = _scheduled_app(skip=True)

    # WHEN the event sources start
    with (
        caplog.at_level(logging.INFO, logger="appsync_local.events"),
        EventEngine(config, local_functions(config), local_aws.session(), local_aws.endpoints, None),
    ):
        pass

    # THEN one line says the schedule does not fire here, and no scheduler runs
    lines = [r.getMessage() for r in caplog.records]
    assert (
        "schedule:rotate-schedule-0 (rate(1 day)) does not fire locally: [local] skip_schedules names rotate"
        in lines
    )
    sources = next(line for line in lines if line.startswith("Event sources:"))
    assert "schedules" not in sources


def test_without_skip_schedules_the_schedule_runs(
    local_aws: LocalAws, caplog: pytest.LogCaptureFixture
) -> None:
    config = _scheduled_app(skip=False)
    with (
        caplog.at_level(logging.INFO, logger="appsync_local.events"),
        EventEngine(config, local_functions(config), local_aws.session(), local_aws.endpoints, None),
    ):
        pass
    sources = next(r.getMessage() for r in caplog.records if r.getMessage().startswith("Event sources:"))
    assert "schedules" in sources


def _scheduled_app(*, skip: bool) -> AppConfig:
    raw: dict[str, Any] = {
        "api": {"name": f"skip-schedules-{skip}", "schema": "tests.fixtures.events_app.schema:schema"},
        "data_sources": {"none": {"type": "NONE"}},
        "functions": {
            "rotate": {
                "handler": "tests.fixtures.events_app.handlers.handler",
                "triggers": [{"type": "schedule", "expression": "rate(1 day)"}],
            }
        },
        "local": {"skip_schedules": ["rotate"] if skip else []},
    }
    return parse_config(raw, FIXTURES / "events_app")
