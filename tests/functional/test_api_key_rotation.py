"""The api-key-rotation function against moto's AppSync and the local S3 (issue 12, item 9).

The deployed API key used to expire a week after each deploy, and public blog reads stopped with it. The
function makes a new key before the newest runs short, writes it into the site's config.json (keeping the rest
of the file, its type and its caching), and deletes the keys it made before once the site has carried their
successor for the grace period; the stack's own key is CloudFormation's and stays.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from appsync_local.events.records import scheduled_event
from appsync_local.local_aws import LocalAws
from appsync_local.local_aws.endpoints import client
from functions.api_key_rotation.adapters.appsync_keys import AppSyncApiKeys
from functions.api_key_rotation.adapters.site_config import SiteConfigFile
from functions.api_key_rotation.domain.errors import ConfigurationError, SiteConfigMissing
from functions.api_key_rotation.domain.models import DAY, RotationPolicy
from functions.api_key_rotation.domain.rotation import KeyRotation
from functions.api_key_rotation.handler import lambda_handler
from tests.functional.function_events import FakeLambdaContext, use_function_environment

SITE_BUCKET = "blog-site-test"
CACHE_CONTROL = "public, max-age=300"
SITE_CONFIG = {"graphqlUrl": "https://example.appsync-api.us-east-1.amazonaws.com/graphql", "apiKey": ""}


@dataclass
class Deployed:
    """An AppSync API with the stack's key, and the site's config.json carrying that key, as a deploy leaves them."""

    appsync: Any
    s3: Any
    api_id: str
    stack_key: str

    def api_keys(self) -> dict[str, dict[str, Any]]:
        return {k["id"]: k for k in self.appsync.list_api_keys(apiId=self.api_id)["apiKeys"]}

    def site_config(self) -> tuple[dict[str, Any], dict[str, Any]]:
        response = self.s3.get_object(Bucket=SITE_BUCKET, Key="config.json")
        return json.loads(response["Body"].read()), response

    def rotation(self, now: float, policy: RotationPolicy | None = None) -> KeyRotation:
        return KeyRotation(
            AppSyncApiKeys(self.appsync, self.api_id),
            SiteConfigFile(self.s3, SITE_BUCKET, "config.json", "apiKey"),
            policy or RotationPolicy(expiry_days=365, renew_days=30, grace_days=7),
            clock=lambda: now,
        )


@pytest.fixture
def deployed(local_aws: LocalAws, monkeypatch: pytest.MonkeyPatch) -> Iterator[Deployed]:
    monkeypatch.setenv("AWS_ENDPOINT_URL_APPSYNC", local_aws.endpoints.moto)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", local_aws.endpoints.s3)
    appsync = client(local_aws.session(), "appsync", local_aws.endpoints.moto)
    s3 = client(local_aws.session(), "s3", local_aws.endpoints.s3)
    api_id = appsync.create_graphql_api(name="rotation-test", authenticationType="API_KEY")["graphqlApi"][
        "apiId"
    ]
    # The stack's key, 20 days from its expiry (a deploy 345 days ago)
    stack_key = appsync.create_api_key(
        apiId=api_id, description="Public reads", expires=int(time.time()) + 20 * DAY
    )
    if SITE_BUCKET not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=SITE_BUCKET)
    s3.put_object(
        Bucket=SITE_BUCKET,
        Key="config.json",
        Body=json.dumps({**SITE_CONFIG, "apiKey": stack_key["apiKey"]["id"]}).encode(),
        ContentType="application/json",
        CacheControl=CACHE_CONTROL,
    )
    yield Deployed(appsync, s3, api_id, stack_key["apiKey"]["id"])
    # The bucket stays: moto cannot describe its state (moto-api/data.json, the inbox's source) once a bucket that
    # held objects is gone.
    appsync.delete_graphql_api(apiId=api_id)


def test_the_scheduled_run_publishes_a_new_key_before_the_stack_key_runs_short(
    deployed: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the function's environment from appsync.toml, naming the deployed API and site
    use_function_environment(
        monkeypatch,
        "api-key-rotation",
        API_ID=deployed.api_id,
        API_KEY_EXPIRY_DAYS="365",
        SITE_BUCKET=SITE_BUCKET,
    )
    before = int(time.time())

    # WHEN EventBridge's daily schedule runs it, with the stack's key 20 days from expiry (< 30)
    event = scheduled_event("api-key-rotation-0", datetime.now(UTC), region="us-east-1")
    answer = lambda_handler(event, FakeLambdaContext("api-key-rotation"))

    # THEN a key lasting 365 days is made and published; the rest of config.json, its type and caching stay
    assert answer | {"key_expires": 0} == {
        "key_expires": 0,
        "key_created": True,
        "key_published": True,
        "keys_deleted": 0,
    }
    config, response = deployed.site_config()
    new_key = deployed.api_keys()[config["apiKey"]]
    assert new_key["id"] != deployed.stack_key
    assert before + 365 * DAY <= new_key["expires"] <= time.time() + 365 * DAY
    assert new_key["description"].startswith("api-key-rotation ")
    assert config == {**SITE_CONFIG, "apiKey": new_key["id"]}
    assert (response["ContentType"], response["CacheControl"]) == ("application/json", CACHE_CONTROL)
    # AND the stack's key keeps working meanwhile (clients that read the old config)
    assert deployed.stack_key in deployed.api_keys()


def test_a_run_with_a_key_far_from_expiry_changes_nothing(deployed: Deployed) -> None:
    # GIVEN a rotation that has just published its key
    now = time.time()
    first = deployed.rotation(now).run()
    keys = deployed.api_keys()

    # WHEN the next day's run comes
    second = deployed.rotation(now + DAY).run()

    # THEN no key is made, published or deleted
    assert (second.api_key, second.created, second.published, second.deleted) == (
        first.api_key,
        False,
        False,
        (),
    )
    assert deployed.api_keys() == keys


def test_superseded_keys_it_made_are_deleted_after_the_grace_period_never_the_stack_key(
    deployed: Deployed,
) -> None:
    # GIVEN an older key the function made, and its successor, which the site carries from now on
    now = time.time()
    old = deployed.appsync.create_api_key(
        apiId=deployed.api_id,
        description="api-key-rotation 2025-01-01T00:00:00Z",
        expires=int(now) + 10 * DAY,
    )["apiKey"]["id"]
    current = deployed.rotation(now, RotationPolicy(expiry_days=365, renew_days=30, grace_days=7)).run()
    assert current.published and current.api_key.id not in (old, deployed.stack_key)

    # WHEN runs come within the grace period (the site has carried the new key for a day), then after it
    within = deployed.rotation(now + DAY).run()
    after = deployed.rotation(now + 8 * DAY).run()

    # THEN only the run after it deletes, and only the superseded key the function made
    assert within.deleted == ()
    assert after.deleted == (old,)
    assert set(deployed.api_keys()) == {deployed.stack_key, current.api_key.id}
    assert deployed.site_config()[0]["apiKey"] == current.api_key.id


def test_with_every_key_expired_a_new_one_is_made_and_published(deployed: Deployed) -> None:
    # GIVEN a stack key long expired (no deploy for over a year)
    later = time.time() + 400 * DAY
    # WHEN the rotation runs
    outcome = deployed.rotation(later).run()
    # THEN the site carries a key valid for the configured days from then
    assert outcome.created and outcome.published
    assert outcome.api_key.expires == int(later) + 365 * DAY
    assert deployed.site_config()[0]["apiKey"] == outcome.api_key.id


def test_a_site_without_its_config_file_is_refused_clearly(deployed: Deployed) -> None:
    deployed.s3.delete_object(Bucket=SITE_BUCKET, Key="config.json")
    with pytest.raises(SiteConfigMissing, match=r"config\.json does not exist: deploy the site"):
        deployed.rotation(time.time()).run()


@pytest.mark.parametrize(
    ("expiry", "renew", "grace", "message"),
    [
        (400, 30, 7, "1-365 days"),
        (7, 30, 7, "must fall within a key's 7 days"),
        (365, 30, 0, "at least a day"),
    ],
)
def test_a_policy_appsync_could_not_honour_is_refused(
    expiry: int, renew: int, grace: int, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        RotationPolicy(expiry_days=expiry, renew_days=renew, grace_days=grace)
