"""Delivery streams run locally as Firehose runs them: Kinesis records buffered, transformed by the app's function
with Firehose's event, and written to the local S3 under Firehose's keys (moto's Kinesis and S3)."""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from appdef import AppConfig
from appsync_local.events import EventEngine
from appsync_local.events.firehose import DeliveryStream
from appsync_local.local_aws import LocalAws
from appsync_local.local_aws.endpoints import client
from appsync_local.runtime import local_functions
from tests.fixtures.events import drain, wait_until
from tests.fixtures.firehose import lines_with, objects, put_records

DATE = r"(\d{4})/(\d{2})/(\d{2})"
NAME = r"{stream}-1-(\d{{4}})-(\d{{2}})-(\d{{2}})-\d{{2}}-\d{{2}}-\d{{2}}-[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}}"


@pytest.fixture(scope="module")
def engine(
    firehose_app: AppConfig, local_aws: LocalAws, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EventEngine]:
    functions = local_functions(firehose_app)
    data = tmp_path_factory.mktemp("firehose-data")
    with EventEngine(
        firehose_app, functions, local_aws.session(), local_aws.endpoints, data, transform_retry_delay=0.1
    ) as running:
        yield running


@pytest.fixture(scope="module")
def kinesis(local_aws: LocalAws) -> Any:
    return client(local_aws.session(), "kinesis", local_aws.endpoints.kinesis)


@pytest.fixture(scope="module")
def s3(local_aws: LocalAws) -> Any:
    return client(local_aws.session(), "s3", local_aws.endpoints.s3)


def _stream(engine: EventEngine, name: str) -> DeliveryStream:
    (stream,) = (s for s in engine.delivery_streams if s.config.name == name)
    return stream


def _failed_lines(s3: Any, prefix: str, tag: str) -> list[dict[str, Any]]:
    """The processing-failed lines under `prefix` whose raw data holds `tag`."""
    lines = [json.loads(line) for body in objects(s3, prefix).values() for line in body.decode().splitlines()]
    return [line for line in lines if tag in base64.b64decode(line["rawData"]).decode()]


def _events_with(engine: EventEngine, tag: str, stream: str = "fh-ingest") -> list[dict[str, Any]]:
    """The transform's events holding `tag`, as its environments' copies of its module recorded them."""
    arn = f"arn:aws:firehose:us-east-1:000000000000:deliverystream/{stream}"
    copies = engine.invoker.functions["fh-transform"].module_copies("tests.fixtures.firehose_app.handlers")
    return [
        event
        for handlers in copies
        for event in list(handlers.received[arn])
        if any(tag in base64.b64decode(r["data"]).decode() for r in event["records"])
    ]


# -- through the transform ----------------------------------------------------------------------------


def test_ok_records_come_out_as_one_object_under_the_time_prefix(
    engine: EventEngine, kinesis: Any, s3: Any
) -> None:
    # GIVEN records the transform keeps, drops and fails, put together
    tag = uuid.uuid4().hex
    bodies = [
        {"tag": tag, "n": n, "text": f"hello {n}", "action": a}
        for n, a in enumerate(["ok", "drop", "ok", "fail"])
    ]
    put_records(kinesis, "fh-events", bodies)
    # WHEN the buffer's interval (1 s locally) has passed
    (key, lines), *more = wait_until(lambda: list(lines_with(s3, "events/", tag).items()), what="the object")
    # THEN one object under `events/yyyy/MM/dd/` holds the Ok records, transformed, one line each
    assert not more
    match = re.fullmatch(rf"events/{DATE}/{NAME.format(stream='fh-ingest')}", key)
    assert match and match.group(1, 2, 3) == match.group(4, 5, 6), key
    assert sorted(json.loads(line)["text"] for line in lines) == ["HELLO 0", "HELLO 2"]
    # and the failed record is in the error output, as Firehose writes it
    (failed,) = wait_until(
        lambda: _failed_lines(s3, "errors/processing-failed/", tag), what="the failed record"
    )
    assert json.loads(base64.b64decode(failed["rawData"]))["n"] == 3
    assert failed["errorCode"] == "Lambda.ProcessingFailedStatus"
    assert failed["attemptsMade"] == 1
    assert failed["lambdaArn"] == "arn:aws:lambda:us-east-1:000000000000:function:fh-transform"
    assert failed["attemptEndingTimestamp"] >= failed["arrivalTimestamp"] > 1_600_000_000_000
    assert set(failed) == {
        "attemptsMade", "arrivalTimestamp", "errorCode", "errorMessage", "attemptEndingTimestamp", "rawData",
        "lambdaArn",
    }  # fmt: skip


def test_the_transform_gets_firehoses_event_for_a_kinesis_source(engine: EventEngine, kinesis: Any) -> None:
    # GIVEN a record put with a partition key
    tag = uuid.uuid4().hex
    kinesis.put_record(
        StreamName="fh-events", Data=json.dumps({"tag": tag}).encode(), PartitionKey="device-7"
    )
    # WHEN it is delivered
    (event,) = wait_until(lambda: _events_with(engine, tag), what="the transform's event")
    # THEN the event is Firehose's, with the Kinesis record's metadata
    assert set(event) == {"invocationId", "deliveryStreamArn", "sourceKinesisStreamArn", "region", "records"}
    assert event["deliveryStreamArn"] == "arn:aws:firehose:us-east-1:000000000000:deliverystream/fh-ingest"
    assert event["sourceKinesisStreamArn"].endswith(":stream/fh-events")
    assert event["region"] == "us-east-1"
    (record,) = [r for r in event["records"] if tag in base64.b64decode(r["data"]).decode()]
    metadata = record["kinesisRecordMetadata"]
    assert metadata["partitionKey"] == "device-7"
    assert metadata["shardId"].startswith("shardId-")
    assert metadata["subsequenceNumber"] == 0
    assert metadata["approximateArrivalTimestamp"] == record["approximateArrivalTimestamp"]
    assert (
        record["recordId"] == f"{metadata['shardId']}{metadata['sequenceNumber'].rjust(128, '0')}000000000000"
    )


def test_a_delivered_object_fires_the_buckets_notification(
    engine: EventEngine, kinesis: Any, s3: Any, sqs: Any
) -> None:
    tag = uuid.uuid4().hex
    put_records(kinesis, "fh-events", [{"tag": tag}])
    (key,) = wait_until(lambda: list(lines_with(s3, "events/", tag)), what="the object")
    wait_until(lambda: [m for m in drain(sqs, "fh-landed") if key in m["Body"]], what="the bucket's S3 event")


def test_a_transform_that_raises_is_retried_then_its_records_are_processing_failed(
    engine: EventEngine, kinesis: Any, s3: Any
) -> None:
    # GIVEN a record whose transform fails every time (transform_retries = 1)
    tag = uuid.uuid4().hex
    put_records(kinesis, "fh-events", [{"tag": tag, "action": "raise"}])
    # THEN after the retry its record is in the error output as a function error
    (failed,) = wait_until(
        lambda: _failed_lines(s3, "errors/processing-failed/", tag), what="the failed record"
    )
    assert failed["errorCode"] == "Lambda.FunctionError"
    assert failed["attemptsMade"] == 2
    # and both attempts carried the same recordId, in invocations of their own
    first, second = _events_with(engine, tag)
    assert first["records"][0]["recordId"] == second["records"][0]["recordId"]
    assert first["invocationId"] != second["invocationId"]
    assert not lines_with(s3, "events/", tag)


def test_a_retry_that_succeeds_delivers_the_record(engine: EventEngine, kinesis: Any, s3: Any) -> None:
    # GIVEN a record whose first invocation fails
    tag = uuid.uuid4().hex
    put_records(kinesis, "fh-events", [{"tag": tag, "action": "raise-once", "text": "again"}])
    # THEN the second attempt's answer is delivered
    (lines,) = wait_until(lambda: list(lines_with(s3, "events/", tag).values()), what="the object")
    assert [json.loads(line)["text"] for line in lines] == ["AGAIN"]
    assert len(_events_with(engine, tag)) == 2


def test_an_answer_that_leaves_a_record_out_fails_the_batch(
    engine: EventEngine, kinesis: Any, s3: Any
) -> None:
    # GIVEN a batch whose answer forgets one of its records
    tag = uuid.uuid4().hex
    put_records(kinesis, "fh-events", [{"tag": tag, "n": 0}, {"tag": tag, "n": 1, "action": "forget"}])
    # THEN Firehose's contract is broken: the batch's records fail with Lambda.MissingRecordId
    failed = wait_until(
        lambda: len(found := _failed_lines(s3, "errors/processing-failed/", tag)) == 2 and found,
        what="failures",
    )
    assert {line["errorCode"] for line in failed} == {"Lambda.MissingRecordId"}
    assert not lines_with(s3, "events/", tag)


# -- without a transform ----------------------------------------------------------------------------


def test_records_put_together_are_concatenated_into_one_gzipped_object(
    engine: EventEngine, kinesis: Any, s3: Any
) -> None:
    # GIVEN two records put at once to a stream with a literal prefix and GZIP
    tag = uuid.uuid4().hex
    first, second = {"tag": tag, "n": 0}, {"tag": tag, "n": 1}
    put_records(kinesis, "fh-plain", [first, second])
    # THEN one object holds both records' bytes, as they were put, under `plain/yyyy/MM/dd/HH/`
    ((key, body),) = wait_until(
        lambda: [(k, b) for k, b in objects(s3, "plain/").items() if tag.encode() in b], what="the object"
    )
    assert re.fullmatch(rf"plain/{DATE}/\d{{2}}/{NAME.format(stream='fh-plain')}\.gz", key), key
    assert body == json.dumps(first).encode() + json.dumps(second).encode()


def test_a_full_buffer_is_delivered_before_its_interval(engine: EventEngine, kinesis: Any, s3: Any) -> None:
    # GIVEN a stream buffered for 900 s or 1 MiB, holding 0.6 MB
    stream = _stream(engine, "fh-big")
    tag = uuid.uuid4().hex
    put_records(kinesis, "fh-big", [{"tag": tag, "pad": "x" * 300_000}, {"tag": tag, "pad": "y" * 300_000}])
    wait_until(lambda: stream.stats.records_in >= 2, what="the records to be buffered")
    assert stream.stats.deliveries == 0 and not objects(s3, "big/")
    # WHEN 0.5 MB more arrive
    put_records(kinesis, "fh-big", [{"tag": tag, "pad": "z" * 500_000}])
    # THEN the full buffer is delivered at once, as one object
    (body,) = wait_until(lambda: list(objects(s3, "big/").values()), what="the object")
    assert body.count(tag.encode()) == 3
    assert stream.stats.objects_written == 1 and stream.stats.ok == 3


def test_counters_say_what_each_delivery_stream_did(engine: EventEngine, kinesis: Any) -> None:
    stream = _stream(engine, "fh-ingest")
    before = stream.stats.dropped
    tag = uuid.uuid4().hex
    put_records(kinesis, "fh-events", [{"tag": tag, "action": "drop"}])
    wait_until(lambda: stream.stats.dropped == before + 1, what="the dropped record to be counted")
    assert stream.stats.last_delivery is not None
    assert stream.stats.records_in >= stream.stats.ok + stream.stats.dropped + stream.stats.processing_failed


def test_a_new_delivery_stream_reads_its_source_from_latest(
    firehose_app: AppConfig, local_aws: LocalAws, kinesis: Any, s3: Any, tmp_path: Any
) -> None:
    # GIVEN a record already in the source stream when a delivery stream starts for the first time
    before, after = f"before-{uuid.uuid4().hex}", f"after-{uuid.uuid4().hex}"
    put_records(kinesis, "fh-plain", [{"tag": before}])
    functions = local_functions(firehose_app)
    with EventEngine(firehose_app, functions, local_aws.session(), local_aws.endpoints, tmp_path) as fresh:
        stream = _stream(fresh, "fh-plain")
        # WHEN a record is put after it started
        put_records(kinesis, "fh-plain", [{"tag": after}])
        written = wait_until(
            lambda: [key for key in stream.stats.last_objects if after in objects(s3, key)[key].decode()],
            what="the delivery of the later record",
        )
        # THEN it delivered the later record only, as Firehose starts reading at LATEST
        assert stream.stats.records_in == 1
        assert before not in objects(s3, written[0])[written[0]].decode()
