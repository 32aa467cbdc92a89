"""Fixtures of the functional suite: the events app on the session's local AWS (with a local Kinesis of its
own, as the project's app has no streams), and the media functions' own bucket and signing key."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from appdef import AppConfig, load_config
from appsync_local.local_aws import Endpoints, LocalAws, LocalKinesis
from appsync_local.local_aws.endpoints import client
from appsync_local.local_aws.provision import provision
from tests.fixtures.cloudfront import new_key_pair
from tests.fixtures.events import APP, NODE_MODULES
from tests.fixtures.firehose import APP as FIREHOSE_APP
from tests.functional.function_events import MEDIA_BUCKET, MEDIA_SIGNING_SECRET, PHOTOS_BUCKET


@pytest.fixture(scope="session", autouse=True)
def functional_photos_bucket(local_aws: LocalAws) -> None:
    """The photos bucket the functional tests give the photo functions (see function_events.PHOTOS_BUCKET)."""
    s3 = client(local_aws.session(), "s3", local_aws.endpoints.s3)
    s3.create_bucket(Bucket=PHOTOS_BUCKET)


@pytest.fixture(scope="session", autouse=True)
def functional_media_bucket(local_aws: LocalAws) -> None:
    """The media bucket the functional tests give the media functions (no notifications: only tests invoke)."""
    s3 = client(local_aws.session(), "s3", local_aws.endpoints.s3)
    s3.create_bucket(Bucket=MEDIA_BUCKET)


@pytest.fixture(scope="session")
def media_signing_key(local_aws: LocalAws) -> Any:
    """A fresh RSA key pair whose private half (PEM) is in the local Secrets Manager, as the deployed secret
    holds it; the public half, which the CDN would trust, is returned."""
    pem, public_key = new_key_pair()
    secrets = client(local_aws.session(), "secretsmanager", local_aws.endpoints.moto)
    secrets.create_secret(Name=MEDIA_SIGNING_SECRET, SecretString=pem)
    return public_key


@pytest.fixture(scope="session")
def events_endpoints(local_aws: LocalAws) -> Iterator[Endpoints]:
    """The session's local AWS, plus an in-memory kinesalite for the events app's streams."""
    kinesis = LocalKinesis(NODE_MODULES, None)
    yield dataclasses.replace(local_aws.endpoints, kinesis=kinesis.start())
    kinesis.stop()


@pytest.fixture(scope="session")
def events_app(local_aws: LocalAws, events_endpoints: Endpoints) -> AppConfig:
    config = load_config(APP)
    provision(config, local_aws.session(), events_endpoints)
    return config


@pytest.fixture(scope="session")
def firehose_app(local_aws: LocalAws) -> AppConfig:
    config = load_config(FIREHOSE_APP)
    provision(config, local_aws.session(), local_aws.endpoints)
    return config


@pytest.fixture(scope="session")
def sqs(local_aws: LocalAws) -> Any:
    return client(local_aws.session(), "sqs", local_aws.endpoints.moto)
