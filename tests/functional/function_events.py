"""Invoking the app's functions in tests as Lambda does: AWS's event shapes, a context, the function's environment."""

from __future__ import annotations

import copy
import hashlib
import json
import socket
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import pytest

from appdef import load_config
from appdef.references import references

ROOT = Path(__file__).resolve().parents[2]
EVENTS = Path(__file__).parent / "events"


@dataclass
class FakeLambdaContext:
    """What Lambda passes as the context object, with the attributes Powertools reads."""

    function_name: str
    timeout_seconds: int = 60
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    log_stream_name: str = "2024/05/01/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_seconds * 1000


def load_event(name: str) -> Any:
    """An event, as AWS sends it, from tests/functional/events."""
    return json.loads((EVENTS / name).read_text())


# The functional tests' own photos bucket: no notifications, so nothing but the test invokes a function for it
# (a live server elsewhere in the session delivers post-photos' events to its own functions).
PHOTOS_BUCKET = "functional-post-photos"
# The same for the media functions, and the secret holding the test's signing key.
MEDIA_BUCKET = "functional-premium-media"
MEDIA_SIGNING_SECRET = "functional-media-signing-key"


def use_function_environment(monkeypatch: pytest.MonkeyPatch, name: str, **values: str) -> dict[str, str]:
    """Set function `name`'s environment as appsync.toml declares it; `values` stand for its `${…}` references
    (which the runtime resolves) and may override anything else. The photos bucket is the tests' own."""
    config = load_config(ROOT / "appsync.toml").functions[name]
    own_bucket = {"PHOTOS_BUCKET": PHOTOS_BUCKET} if "PHOTOS_BUCKET" in config.environment else {}
    environment = {**config.platform_environment(), **config.environment, **own_bucket, **values}
    unresolved = {k: v for k, v in environment.items() if references(v)}
    assert not unresolved, f"give the test a value for {sorted(unresolved)}"
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", name)
    return environment


def sqs_s3_event(template: str, *keys: str, bucket: str = PHOTOS_BUCKET, size: int = 1024) -> dict[str, Any]:
    """The SQS event of `template` with one message per key, each an S3 notification naming that key in S3's
    form encoding (`red flower.jpg` arrives as `red+flower.jpg`)."""
    event = load_event(template)
    (record,) = event["Records"]
    event["Records"] = [_message_for(record, key, bucket, size) for key in keys]
    return event


def _message_for(record: dict[str, Any], key: str, bucket: str, size: int) -> dict[str, Any]:
    message = copy.deepcopy(record)
    body = json.loads(message["body"])
    s3 = body["Records"][0]["s3"]
    s3["bucket"]["name"] = bucket
    s3["bucket"]["arn"] = f"arn:aws:s3:::{bucket}"
    s3["object"]["key"] = quote_plus(key, safe="/")
    s3["object"]["size"] = size
    message["body"] = json.dumps(body)
    message["md5OfBody"] = hashlib.md5(message["body"].encode()).hexdigest()
    message["messageId"] = str(uuid.uuid4())
    return message


def unreachable_url() -> str:
    """A local URL nobody listens on (a port just freed): connections to it are refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
