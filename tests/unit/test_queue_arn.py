"""A queue's ARN from its URL, as SQS names both, without asking SQS; any other URL is asked about."""

from __future__ import annotations

from typing import Any

import pytest

from appsync_local.local_aws.provision_events import queue_arn


class _AskedSqs:
    """An SQS client that answers GetQueueAttributes, counting the calls."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def get_queue_attributes(self, QueueUrl: str, AttributeNames: list[str]) -> dict[str, Any]:
        self.asked.append(QueueUrl)
        return {"Attributes": {"QueueArn": "arn:aws:sqs:eu-west-1:111122223333:asked"}}


@pytest.mark.parametrize(
    ("url", "arn"),
    [
        ("http://127.0.0.1:41233/123456789012/blog-thumbnails", "arn:aws:sqs:eu-west-1:123456789012:blog-thumbnails"),
        ("https://sqs.eu-west-1.amazonaws.com/111122223333/jobs-dlq.fifo", "arn:aws:sqs:eu-west-1:111122223333:jobs-dlq.fifo"),
    ],
)  # fmt: skip
def test_an_sqs_queue_url_names_its_arn(url: str, arn: str) -> None:
    sqs = _AskedSqs()
    assert queue_arn(sqs, url, "eu-west-1") == arn
    assert sqs.asked == []


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:4566/queue/jobs", "http://127.0.0.1:4566/jobs", "http://h/acct/jobs"]
)
def test_a_url_of_another_shape_is_asked_about(url: str) -> None:
    sqs = _AskedSqs()
    assert queue_arn(sqs, url, "eu-west-1") == "arn:aws:sqs:eu-west-1:111122223333:asked"
    assert sqs.asked == [url]
