"""The welcome e-mail function end to end: the Users stream's events in, SES (moto) and DynamoDB Local behind it."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import boto3
import pytest

from appsync_local.local_aws import LocalAws
from appsync_local.mail import sent_messages
from functions.welcome_email.handler import lambda_handler
from tests.functional.function_events import (
    FakeLambdaContext,
    load_event,
    unreachable_url,
    use_function_environment,
)

SENDER = "welcome@blog.example.com"
REGION = "us-east-1"


@pytest.fixture
def welcome_env(local_aws: LocalAws, monkeypatch: pytest.MonkeyPatch) -> LocalAws:
    """The function's environment from appsync.toml, and SES with the app's sender verified (as `[email]` asks)."""
    use_function_environment(monkeypatch, "welcome-email")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SESV2", local_aws.endpoints.moto)
    ses = boto3.client("sesv2", endpoint_url=local_aws.endpoints.moto, region_name=REGION)
    if SENDER not in {i["IdentityName"] for i in ses.list_email_identities()["EmailIdentities"]}:
        ses.create_email_identity(EmailIdentity=SENDER)
    return local_aws


def inbox(address: str) -> list[Any]:
    """Every e-mail SES (moto, in this process) has sent to `address`, from its `sent_messages` as the local
    inbox reads them. (Not moto's whole-state dump, /moto-api/data.json: it fails once another test of the
    session has deleted a bucket that held objects.)"""
    return [m for m in sent_messages(REGION) if address in m.destinations.get("ToAddresses", [])]


def stream_event(**user: str | None) -> dict[str, Any]:
    """The stream's INSERT and MODIFY records for a new user with these attributes (None leaves one out)."""
    event = load_event("users_stream_insert_and_modify.json")
    for record in event["Records"]:
        for image in ("NewImage", "OldImage"):
            if image in record["dynamodb"]:
                for name, value in user.items():
                    if value is None:
                        record["dynamodb"][image].pop(name, None)
                    else:
                        record["dynamodb"][image][name] = {"S": value}
        record["dynamodb"]["Keys"]["id"] = {"S": user["id"]}
    return event


def new_user(**fields: str | None) -> dict[str, str | None]:
    user_id = str(uuid.uuid4())
    return {"id": user_id, "email": f"{user_id}@example.com", "name": "Ada Lovelace", **fields}


def invoke(event: dict[str, Any]) -> dict[str, Any]:
    return lambda_handler(copy.deepcopy(event), FakeLambdaContext("welcome-email"))


def test_a_new_user_gets_one_welcome_email(welcome_env: LocalAws) -> None:
    # GIVEN the stream's records for a new user: the INSERT, then a MODIFY of the same profile
    user = new_user()
    event = stream_event(**user)
    # WHEN the function gets them
    result = invoke(event)
    # THEN no record failed, and the user has exactly one welcome e-mail from the app's sender
    assert result == {"batchItemFailures": []}
    (mail,) = inbox(str(user["email"]))
    assert mail.source == SENDER
    assert mail.subject == "Welcome to the blog, Ada Lovelace!"
    assert "Hello Ada Lovelace," in mail.body and "Welcome to the blog!" in mail.body


def test_a_redelivered_record_sends_nothing_twice(welcome_env: LocalAws) -> None:
    # GIVEN a new user already welcomed
    user = new_user()
    event = stream_event(**user)
    invoke(event)
    # WHEN the same batch is delivered again (a retry, a replayed stream)
    result = invoke(event)
    # THEN it succeeds and the user still has one e-mail
    assert result == {"batchItemFailures": []}
    assert len(inbox(str(user["email"]))) == 1


def test_a_replaced_function_sends_nothing_twice(
    welcome_env: LocalAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a new user welcomed by the deployed function, whose name CloudFormation generated
    user = new_user()
    event = stream_event(**user)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "appsync-python-backend-WelcomeEmail1A2B3C-Q1W2E3R4")
    invoke(event)
    # WHEN the function is replaced (a new generated name) and the batch is delivered again
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "appsync-python-backend-WelcomeEmail9Z8Y7X-T5Y6U7I8")
    result = invoke(event)
    # THEN the user still has one e-mail: the idempotency records are not keyed by the generated name
    assert result == {"batchItemFailures": []}
    assert len(inbox(str(user["email"]))) == 1


def test_a_profile_without_email_is_skipped(welcome_env: LocalAws) -> None:
    # GIVEN a new user whose profile has no e-mail address
    user = new_user(email=None)
    # WHEN the function gets the INSERT
    result = invoke(stream_event(**user))
    # THEN nothing is sent and nothing is retried
    assert result == {"batchItemFailures": []}
    assert inbox(f"{user['id']}@example.com") == []


def test_the_greeting_falls_back_to_the_username(welcome_env: LocalAws) -> None:
    user = new_user(name=None, username="grace")
    invoke(stream_event(**user))
    (mail,) = inbox(str(user["email"]))
    assert mail.subject == "Welcome to the blog, grace!"


def test_a_failed_send_is_reported_for_that_record_only_and_sent_once_on_retry(
    welcome_env: LocalAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a batch of two new users, one without an e-mail address, while SES cannot be reached
    with_email, without_email = new_user(), new_user(email=None)
    event = stream_event(**with_email)
    other = stream_event(**without_email)["Records"][0]
    other["dynamodb"]["SequenceNumber"] = "4421584700000000017450439093"
    event["Records"] = [event["Records"][0], other]
    monkeypatch.setenv("AWS_ENDPOINT_URL_SESV2", unreachable_url())
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    # WHEN the function gets the batch
    result = invoke(event)
    # THEN only the failed record is reported (by its sequence number), for Lambda to retry from it
    assert result == {
        "batchItemFailures": [{"itemIdentifier": event["Records"][0]["dynamodb"]["SequenceNumber"]}]
    }
    # WHEN SES is back and the batch is retried
    monkeypatch.setenv("AWS_ENDPOINT_URL_SESV2", welcome_env.endpoints.moto)
    assert invoke(event) == {"batchItemFailures": []}
    # THEN the user got one e-mail: the failed attempt left nothing that blocks or repeats it
    assert len(inbox(str(with_email["email"]))) == 1
