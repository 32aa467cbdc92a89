"""Lambda's event filtering, as an event source mapping applies it: which records reach the function."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from appsync_local.events.filters import RecordFilter


def sqs(body: str) -> dict[str, Any]:
    return {"eventSource": "aws:sqs", "messageId": "m1", "body": body, "attributes": {}}


def kinesis(data: bytes) -> dict[str, Any]:
    payload = {"data": base64.b64encode(data).decode(), "partitionKey": "p"}
    return {"eventSource": "aws:kinesis", "kinesis": payload}


def delivered(pattern: dict[str, Any], record: dict[str, Any]) -> bool:
    return RecordFilter([pattern]).matches(record)


def test_a_pattern_on_a_bodys_fields_drops_a_body_that_is_not_json() -> None:
    # Lambda: "If the body is a plain string and the pattern is JSON, Lambda drops the message"
    assert not delivered({"body": {"deleted": [{"exists": False}]}}, sqs("hello world"))
    assert not delivered({"body": {"deleted": [{"exists": False}]}}, sqs("[1, 2]"))
    assert delivered({"body": {"deleted": [{"exists": False}]}}, sqs(json.dumps({"id": 1})))
    # and on a stream: data that is not JSON is dropped by a pattern on its fields
    assert not delivered({"data": {"level": [{"exists": False}]}}, kinesis(b"plain log line"))
    assert delivered({"data": {"level": ["error"]}}, kinesis(json.dumps({"level": "error"}).encode()))


def test_a_plain_string_pattern_matches_a_plain_body() -> None:
    assert delivered({"body": ["hello world"]}, sqs("hello world"))
    assert not delivered({"body": ["hello world"]}, sqs(json.dumps({"a": 1})))


@pytest.mark.parametrize(
    ("pattern", "body", "expected"),
    [
        ({"price": [300]}, {"price": 300}, True),
        ({"price": [300]}, {"price": 300.0}, False),  # Lambda compares numbers as written: 300 is not 300.0
        ({"flag": [1]}, {"flag": True}, False),
        ({"flag": [True]}, {"flag": True}, True),
        ({"flag": [True]}, {"flag": 1}, False),
        ({"n": [{"numeric": [">", 0]}]}, {"n": True}, False),  # numeric takes numbers, not booleans
        ({"n": [{"numeric": [">", 0]}]}, {"n": 2}, True),
        ({"tags": ["a"]}, {"tags": ["b", "a"]}, True),
        ({"tags": [1]}, {"tags": [True, 1.0]}, False),
    ],
)
def test_values_are_equal_only_when_written_alike(
    pattern: dict[str, Any], body: dict[str, Any], expected: bool
) -> None:
    assert delivered({"body": pattern}, sqs(json.dumps(body))) is expected
