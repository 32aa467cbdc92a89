"""A delivery stream across restarts: checkpoints persist, and a delivery interrupted after its objects were
written is done again under the same keys (the objects are overwritten, never duplicated)."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from pathlib import Path
from typing import Any

from appdef import AppConfig
from appsync_local.events import EventEngine
from appsync_local.events.checkpoints import CheckpointStore
from appsync_local.events.firehose import DeliveryStream
from appsync_local.events.firehose_transform import LambdaProcessor
from appsync_local.events.stream_sources import KinesisSource
from appsync_local.lambda_runtime import LocalFunction
from appsync_local.local_aws import LocalAws
from appsync_local.local_aws.endpoints import client
from appsync_local.runtime import local_functions
from tests.fixtures.events import wait_until
from tests.fixtures.firehose import lines_with, objects, put_records


def test_a_restart_delivers_only_what_was_not_written(
    firehose_app: AppConfig, local_aws: LocalAws, tmp_path: Path
) -> None:
    kinesis = client(local_aws.session(), "kinesis", local_aws.endpoints.kinesis)
    s3 = client(local_aws.session(), "s3", local_aws.endpoints.s3)
    data = tmp_path / "data"
    before, during = f"before-{uuid.uuid4().hex}", f"during-{uuid.uuid4().hex}"

    def engine() -> EventEngine:
        functions = local_functions(firehose_app)
        return EventEngine(
            firehose_app, functions, local_aws.session(), local_aws.endpoints, data, transform_retry_delay=0.1
        )

    # GIVEN an engine that delivered one record, then stopped
    with engine():
        put_records(kinesis, "fh-restart", [{"tag": before}])
        wait_until(lambda: lines_with(s3, "restart/", before), what="the first object")
    # WHEN a record arrives while it is stopped
    put_records(kinesis, "fh-restart", [{"tag": during}])
    # THEN a new engine on the same data delivers it, and the first record not again
    with engine():
        wait_until(lambda: lines_with(s3, "restart/", during), what="the second object")
    assert len(lines_with(s3, "restart/", before)) == 1
    assert len(lines_with(s3, "restart/", during)) == 1


class Crash(Exception):
    """The runtime died between writing a delivery's objects and moving its checkpoint."""


class CrashBeforeCheckpoint(CheckpointStore):
    def update(self, mapping: str, **values: Any) -> None:
        if "shards" in values:
            raise Crash(mapping)
        super().update(mapping, **values)


def _delivery_stream(
    app: AppConfig, aws: LocalAws, checkpoints: CheckpointStore, transform: LocalFunction
) -> DeliveryStream:
    config = app.local_delivery_streams()["fh-crash"]
    session = aws.session()
    source = KinesisSource(
        stream=config.source_stream,
        region="us-east-1",
        kinesis=client(session, "kinesis", aws.endpoints.kinesis),
    )
    processor = LambdaProcessor(
        transform,
        event_fields={
            "deliveryStreamArn": DeliveryStream.arn_of(config.name, "us-east-1"),
            "sourceKinesisStreamArn": source.arn,
            "region": "us-east-1",
        },
        retries=0,
        retry_delay=0.1,
        size_mb=1,
        source="firehose:fh-crash",
    )
    s3 = client(session, "s3", aws.endpoints.s3)
    return DeliveryStream(
        config=config, source=source, s3=s3, checkpoints=checkpoints, processor=processor, region="us-east-1"
    )


def test_a_crash_between_write_and_checkpoint_rewrites_the_same_object(
    firehose_app: AppConfig, local_aws: LocalAws, tmp_path: Path
) -> None:
    kinesis = client(local_aws.session(), "kinesis", local_aws.endpoints.kinesis)
    s3 = client(local_aws.session(), "s3", local_aws.endpoints.s3)
    path = tmp_path / "checkpoints.json"
    tag = uuid.uuid4().hex
    put_records(kinesis, "fh-crash", [{"tag": tag, "n": n, "text": "x"} for n in range(3)])
    # GIVEN a delivery that wrote its object, then crashed before its checkpoint
    transform = local_functions(firehose_app)["fh-transform"]
    crashing = _delivery_stream(firehose_app, local_aws, CrashBeforeCheckpoint(path), transform)
    try:
        crashing.run(threading.Event())
        raise AssertionError("the delivery did not crash")
    except Crash:
        pass
    written = objects(s3, "crash/")
    (key,) = [k for k, body in written.items() if tag.encode() in body]
    # WHEN the runtime starts again on the same checkpoints
    stop = threading.Event()
    recovered = _delivery_stream(firehose_app, local_aws, CheckpointStore(path), transform)
    worker = threading.Thread(target=recovered.run, args=(stop,))
    worker.start()
    try:
        wait_until(lambda: recovered.stats.deliveries == 1, what="the delivery done again")
    finally:
        stop.set()
        worker.join(timeout=10)
    # THEN the same records were delivered again, with the same recordIds, to the same key
    arn = DeliveryStream.arn_of("fh-crash", "us-east-1")
    copies = transform.module_copies("tests.fixtures.firehose_app.handlers")
    received = [event for handlers in copies for event in handlers.received[arn]]
    events = [e for e in received if any(tag in _text(r) for r in e["records"])]
    assert len(events) == 2
    assert [r["recordId"] for r in events[0]["records"]] == [r["recordId"] for r in events[1]["records"]]
    again = [k for k, body in objects(s3, "crash/").items() if tag.encode() in body]
    assert again == [key]
    assert objects(s3, "crash/")[key] == written[key]
    assert sorted(json.loads(line)["n"] for line in written[key].decode().splitlines()) == [0, 1, 2]
    # and the checkpoint now stands past them
    assert CheckpointStore(path).get("firehose/fh-crash").get("pending") is None


def _text(record: dict[str, Any]) -> str:
    return base64.b64decode(record["data"]).decode()
