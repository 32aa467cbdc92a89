"""Event sources delivered as Lambda delivers them, from the real local services (DynamoDB Local, moto,
kinesalite)."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from appdef import AppConfig
from appsync_local.events import EventEngine
from appsync_local.local_aws import Endpoints, LocalAws
from appsync_local.local_aws.endpoints import client
from appsync_local.runtime import local_functions
from tests.fixtures.events import HANDLERS, drain, queue_url, records_of, wait_until


@pytest.fixture(scope="module")
def engine(
    events_app: AppConfig,
    local_aws: LocalAws,
    events_endpoints: Endpoints,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[EventEngine]:
    data = tmp_path_factory.mktemp("events-data")
    functions = local_functions(events_app)
    with EventEngine(
        events_app, functions, local_aws.session(), events_endpoints, data, async_retry_delays=(1, 1)
    ) as running:
        yield running


def delivered(
    engine: EventEngine, function: str, predicate: Callable[[dict[str, Any]], bool]
) -> list[dict[str, Any]]:
    """The records the engine's `function` received that match `predicate`."""
    return records_of(engine.invoker.functions, function, predicate)


# -- SQS --------------------------------------------------------------------------------------------


def test_an_sqs_message_arrives_as_lambdas_sqs_record_and_is_deleted(engine: EventEngine, sqs: Any) -> None:
    # GIVEN a job sent to the queue
    body = json.dumps({"kind": "job", "id": uuid.uuid4().hex})
    sent = sqs.send_message(QueueUrl=queue_url(sqs, "event-jobs"), MessageBody=body)
    # WHEN the mapping delivers it
    (record,) = wait_until(lambda: delivered(engine, "jobs", lambda r: r["body"] == body), what="the job")
    # THEN the function got Lambda's SQS record
    assert record["messageId"] == sent["MessageId"]
    assert record["eventSource"] == "aws:sqs"
    arn = sqs.get_queue_attributes(QueueUrl=queue_url(sqs, "event-jobs"), AttributeNames=["QueueArn"])
    assert record["eventSourceARN"] == arn["Attributes"]["QueueArn"]  # the ARN SQS itself gives
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert set(record["attributes"]) >= {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"}
    assert record["receiptHandle"] and record["md5OfBody"]
    # and the message is gone from the queue
    wait_until(lambda: _queue_size(sqs, "event-jobs") == 0, what="the queue to empty")


def _queue_size(sqs: Any, queue: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url(sqs, queue),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def test_a_partial_batch_failure_redelivers_only_the_failed_message(engine: EventEngine, sqs: Any) -> None:
    # GIVEN a batch in which one message fails on its first delivery
    tag = uuid.uuid4().hex
    bodies = [
        json.dumps({"kind": "job", "tag": tag, "n": n, "note": "fail-once" if n == 1 else ""})
        for n in range(3)
    ]
    sqs.send_message_batch(
        QueueUrl=queue_url(sqs, "event-jobs"),
        Entries=[{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies)],
    )
    # WHEN the visibility timeout lets the failed one back
    deliveries = wait_until(
        lambda: (
            (found := delivered(engine, "jobs", lambda r: tag in r["body"])) and len(found) >= 4 and found
        ),
        what="the redelivery",
    )
    # THEN the failed message came back once, with a higher receive count, and the others never did
    counts = {json.loads(r["body"])["n"]: [] for r in deliveries}
    for record in deliveries:
        counts[json.loads(record["body"])["n"]].append(record["attributes"]["ApproximateReceiveCount"])
    assert counts == {0: ["1"], 1: ["1", "2"], 2: ["1"]}


def test_a_poison_message_ends_in_the_dead_letter_queue(engine: EventEngine, sqs: Any) -> None:
    # GIVEN a message that fails every time, on a queue whose redrive policy allows 2 receives
    body = json.dumps({"kind": "job", "note": "poison", "id": uuid.uuid4().hex})
    sqs.send_message(QueueUrl=queue_url(sqs, "event-jobs"), MessageBody=body)
    # THEN after two failed deliveries it is in event-jobs-dlq, where anyone can read it
    dead = wait_until(
        lambda: [m for m in drain(sqs, "event-jobs-dlq") if m["Body"] == body], timeout=20, what="the DLQ"
    )
    assert len(dead) == 1
    assert len(delivered(engine, "jobs", lambda r: r["body"] == body)) == 2


def test_messages_no_filter_matches_are_deleted_without_an_invocation(engine: EventEngine, sqs: Any) -> None:
    ignored = json.dumps({"kind": "noise", "id": uuid.uuid4().hex})
    wanted = f"plain text {uuid.uuid4().hex}"
    url = queue_url(sqs, "event-jobs")
    sqs.send_message(QueueUrl=url, MessageBody=ignored)
    sqs.send_message(QueueUrl=url, MessageBody=wanted)
    wait_until(
        lambda: delivered(engine, "jobs", lambda r: r["body"] == wanted),
        what="the plain message",
    )
    wait_until(lambda: _queue_size(sqs, "event-jobs") == 0, what="the queue to empty")
    assert not delivered(engine, "jobs", lambda r: r["body"] == ignored)


# -- DynamoDB Streams -------------------------------------------------------------------------------


def test_item_changes_arrive_as_lambdas_dynamodbrecords_of(engine: EventEngine, local_aws: LocalAws) -> None:
    dynamodb = client(local_aws.session(), "dynamodb", local_aws.endpoints.dynamodb)
    key = uuid.uuid4().hex
    dynamodb.put_item(TableName="EventThings", Item={"id": {"S": key}, "note": {"S": "first"}})
    dynamodb.put_item(TableName="EventThings", Item={"id": {"S": key}, "note": {"S": "second"}})
    insert, modify = wait_until(
        lambda: (
            len(found := delivered(engine, "things", lambda r: r["dynamodb"]["Keys"]["id"]["S"] == key)) == 2
            and found
        ),
        what="both stream records",
    )
    assert (insert["eventName"], modify["eventName"]) == ("INSERT", "MODIFY")
    assert insert["eventSource"] == "aws:dynamodb" and insert["awsRegion"] == "us-east-1"
    assert insert["eventSourceARN"].startswith(
        "arn:aws:dynamodb:us-east-1:000000000000:table/EventThings/stream/"
    )
    assert insert["dynamodb"]["NewImage"] == {"id": {"S": key}, "note": {"S": "first"}}
    assert "OldImage" not in insert["dynamodb"]
    assert modify["dynamodb"]["OldImage"]["note"] == {"S": "first"}
    assert int(modify["dynamodb"]["SequenceNumber"]) > int(insert["dynamodb"]["SequenceNumber"])
    assert isinstance(insert["dynamodb"]["ApproximateCreationDateTime"], int)
    assert insert["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    # the function saw its own environment, with the queue reference resolved to the local queue's URL
    handlers = engine.invoker.functions["things"].module(HANDLERS)
    assert handlers.environments["things"]["QUEUE"].endswith("/123456789012/event-jobs")


def test_a_failing_stream_batch_blocks_the_shard_then_goes_to_the_on_failure_queue(
    engine: EventEngine, local_aws: LocalAws, sqs: Any
) -> None:
    # GIVEN a poison item followed by a good one
    dynamodb = client(local_aws.session(), "dynamodb", local_aws.endpoints.dynamodb)
    poison, after = f"poison-{uuid.uuid4().hex}", f"after-{uuid.uuid4().hex}"
    dynamodb.put_item(TableName="EventThings", Item={"id": {"S": poison}, "note": {"S": "poison"}})
    dynamodb.put_item(TableName="EventThings", Item={"id": {"S": after}, "note": {"S": "fine"}})
    # THEN the failed batch's metadata reaches the on-failure queue after the retries (2) are spent
    failure = wait_until(
        lambda: [
            json.loads(m["Body"]) for m in drain(sqs, "event-failures") if "DDBStreamBatchInfo" in m["Body"]
        ],
        timeout=20,
        what="the on-failure record",
    )[0]
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["DDBStreamBatchInfo"]["streamArn"].startswith("arn:aws:dynamodb:us-east-1:")
    # and only then did the shard move on to the next record (order kept)
    wait_until(
        lambda: delivered(engine, "things", lambda r: r["dynamodb"]["Keys"]["id"]["S"] == after),
        what="the next",
    )
    poison_deliveries = delivered(engine, "things", lambda r: r["dynamodb"]["Keys"]["id"]["S"] == poison)
    assert len(poison_deliveries) == 3  # the first try and two retries
    assert failure["requestContext"]["approximateInvokeCount"] == 3  # as many as the function was invoked


# -- Kinesis ----------------------------------------------------------------------------------------


def test_kinesis_records_arrive_base64_encoded_and_filtered_on_their_data(
    engine: EventEngine, local_aws: LocalAws, events_endpoints: Endpoints
) -> None:
    kinesis = client(local_aws.session(), "kinesis", events_endpoints.kinesis)
    click = json.dumps({"kind": "click", "id": uuid.uuid4().hex})
    view = json.dumps({"kind": "view", "id": uuid.uuid4().hex})
    for data in (view, click):
        kinesis.put_record(StreamName="event-clicks", Data=data.encode(), PartitionKey="user-1")
    (record,) = wait_until(
        lambda: delivered(
            engine,
            "clicks",
            lambda r: base64.b64decode(r["kinesis"]["data"]).decode() == click,
        ),
        what="the click",
    )
    assert record["eventSource"] == "aws:kinesis" and record["eventName"] == "aws:kinesis:record"
    assert record["kinesis"]["partitionKey"] == "user-1"
    assert record["eventID"] == f"shardId-000000000000:{record['kinesis']['sequenceNumber']}"
    assert not delivered(engine, "clicks", lambda r: base64.b64decode(r["kinesis"]["data"]).decode() == view)


# -- S3 ---------------------------------------------------------------------------------------------


def test_an_upload_notifies_its_queue_as_s3_writes_the_event(
    engine: EventEngine, local_aws: LocalAws
) -> None:
    s3 = client(local_aws.session(), "s3", local_aws.endpoints.s3)
    key = f"in/{uuid.uuid4().hex}/red flower+1.jpg"
    s3.put_object(Bucket="event-photos", Key=key, Body=b"jpeg")
    (record,) = wait_until(
        lambda: [
            json.loads(r["body"])["Records"][0]
            for r in delivered(engine, "uploads", lambda r: "Records" in r["body"])
            if key.split("/")[1] in r["body"]
        ],
        what="the notification",
    )
    assert record["eventSource"] == "aws:s3" and record["eventName"] == "ObjectCreated:Put"
    assert record["s3"]["object"]["key"] == key.replace(" ", "+").replace("+1", "%2B1")
    assert record["s3"]["object"]["size"] == 4
    assert record["s3"]["bucket"]["arn"] == "arn:aws:s3:::event-photos"
    assert record["userIdentity"]["principalId"] and record["s3"]["object"]["sequencer"]
    # the queue also got S3's test event when its notification was configured
    assert delivered(engine, "uploads", lambda r: "s3:TestEvent" in r["body"])


def test_s3_invokes_a_function_directly_with_retries_then_the_on_failure_queue(
    engine: EventEngine, local_aws: LocalAws, sqs: Any
) -> None:
    s3 = client(local_aws.session(), "s3", local_aws.endpoints.s3)
    good, bad = f"direct/{uuid.uuid4().hex}.txt", f"direct/poison-{uuid.uuid4().hex}.txt"
    s3.put_object(Bucket="event-photos", Key=good, Body=b"x")
    s3.put_object(Bucket="event-photos", Key=bad, Body=b"x")
    wait_until(
        lambda: delivered(engine, "direct", lambda r: r["s3"]["object"]["key"] == good),
        what="the direct event",
    )
    failure = wait_until(
        lambda: [json.loads(m["Body"]) for m in drain(sqs, "event-failures") if bad in m["Body"]],
        timeout=20,
        what="the async failure record",
    )[0]
    assert failure["requestContext"]["condition"] == "RetriesExhausted"
    assert failure["requestContext"]["approximateInvokeCount"] == 3
    assert failure["requestPayload"]["Records"][0]["s3"]["object"]["key"] == bad
    assert len(delivered(engine, "direct", lambda r: r["s3"]["object"]["key"] == bad)) == 3
