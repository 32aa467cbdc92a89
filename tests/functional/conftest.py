"""Fixtures of the functional suite: the events app on the session's local AWS."""

from __future__ import annotations

from typing import Any

import pytest

from appdef import AppConfig, load_config
from appsync_local.local_aws import LocalAws
from appsync_local.local_aws.endpoints import client
from appsync_local.local_aws.provision import provision
from tests.fixtures.events import APP
from tests.functional.function_events import PHOTOS_BUCKET


@pytest.fixture(scope="session", autouse=True)
def functional_photos_bucket(local_aws: LocalAws) -> None:
    """The photos bucket the functional tests give the photo functions (see function_events.PHOTOS_BUCKET)."""
    s3 = client(local_aws.session(), "s3", local_aws.endpoints.s3)
    s3.create_bucket(Bucket=PHOTOS_BUCKET)


@pytest.fixture(scope="session")
def events_app(local_aws: LocalAws) -> AppConfig:
    config = load_config(APP)
    provision(config, local_aws.session(), local_aws.endpoints)
    return config


@pytest.fixture(scope="session")
def sqs(local_aws: LocalAws) -> Any:
    return client(local_aws.session(), "sqs", local_aws.endpoints.moto)
