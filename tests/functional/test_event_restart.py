"""Nothing is lost across a restart: stream checkpoints persist, and queued messages are saved and sent again."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from appdef import AppConfig
from appsync_local.events import EventEngine
from appsync_local.lambda_runtime import LocalFunction
from appsync_local.local_aws import Endpoints, LocalAws
from appsync_local.local_aws.endpoints import client
from appsync_local.local_aws.sqs_persistence import SqsPersistence
from appsync_local.runtime import local_functions
from tests.fixtures.events import queue_url, records_of, wait_until


def test_a_stream_resumes_after_its_checkpoint_across_a_restart(
    events_app: AppConfig, local_aws: LocalAws, events_endpoints: Endpoints, tmp_path: Path
) -> None:
    # GIVEN an engine that delivered one item, then stopped
    dynamodb = client(local_aws.session(), "dynamodb", local_aws.endpoints.dynamodb)
    data = tmp_path / "data"
    first, during = f"first-{uuid.uuid4().hex}", f"during-{uuid.uuid4().hex}"
    before = local_functions(events_app)
    with EventEngine(events_app, before, local_aws.session(), events_endpoints, data):
        dynamodb.put_item(TableName="EventThings", Item={"id": {"S": first}, "note": {"S": "x"}})
        wait_until(lambda: records_of(before, "things", lambda r: key_of(r) == first), what="first")
    # WHEN an item is written while it is stopped
    dynamodb.put_item(TableName="EventThings", Item={"id": {"S": during}, "note": {"S": "x"}})
    # THEN a new engine (new containers) on the same data delivers the new item, and the first not again
    after = local_functions(events_app)
    with EventEngine(events_app, after, local_aws.session(), events_endpoints, data):
        wait_until(lambda: records_of(after, "things", lambda r: key_of(r) == during), what="during")
    # (deliveries of each item by the engine before the restart, and by the one after)
    assert (deliveries(before, first), deliveries(after, first)) == (1, 0)
    assert (deliveries(before, during), deliveries(after, during)) == (0, 1)


def key_of(record: dict[str, Any]) -> str:
    return str(record["dynamodb"]["Keys"]["id"]["S"])


def deliveries(functions: dict[str, LocalFunction], key: str) -> int:
    return len(records_of(functions, "things", lambda r: key_of(r) == key))


def test_queued_messages_survive_a_restart_of_the_local_sqs(
    local_aws: LocalAws, sqs: Any, events_app: AppConfig, tmp_path: Path
) -> None:
    # GIVEN a message waiting and one in flight in a queue
    url = queue_url(sqs, "event-parked")
    waiting = json.dumps({"id": uuid.uuid4().hex})
    in_flight = json.dumps({"id": uuid.uuid4().hex})
    sqs.send_message(QueueUrl=url, MessageBody=in_flight)
    assert sqs.receive_message(QueueUrl=url, VisibilityTimeout=600)["Messages"][0]["Body"] == in_flight
    sqs.send_message(
        QueueUrl=url,
        MessageBody=waiting,
        MessageAttributes={"source": {"DataType": "String", "StringValue": "t"}},
    )
    persistence = SqsPersistence(tmp_path / "sqs", local_aws.session(), local_aws.endpoints.moto, "us-east-1")
    # WHEN the queues are saved, lost (as moto loses them with its process) and restored
    assert persistence.save() >= 2
    sqs.purge_queue(QueueUrl=url)
    assert persistence.restore() >= 2
    # THEN both messages are there again, with their message attributes
    back = {m["Body"]: m for m in _drain_all(sqs, "event-parked")}
    assert set(back) == {waiting, in_flight}
    assert back[waiting]["MessageAttributes"]["source"]["StringValue"] == "t"


def _drain_all(sqs: Any, queue: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while batch := sqs.receive_message(
        QueueUrl=queue_url(sqs, queue), MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    ).get("Messages", []):
        found += batch
        for message in batch:
            sqs.delete_message(QueueUrl=queue_url(sqs, queue), ReceiptHandle=message["ReceiptHandle"])
    return found
