"""The ingestion pipeline as the project deploys it: stream, delivery stream, buckets with lifecycles, the raw
objects' notifications to a queue with a DLQ, the report function's mapping with partial batch responses,
Glue and Athena, the dedup table's TTL and the hourly schedule."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infra.conftest import Synthesized

pytest.importorskip("aws_cdk", reason="aws-cdk-lib is not installed")


def _props(project: Synthesized, construct_id: str) -> dict[str, Any]:
    return project.json["Resources"][project.logical_id(construct_id)]["Properties"]  # type: ignore[no-any-return]


def test_events_flow_from_an_on_demand_stream_through_the_transform_into_the_raw_bucket(
    project: Synthesized,
) -> None:
    stream = _props(project, "IngestEventsStream")
    assert stream["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"} and "ShardCount" not in stream
    delivery = _props(project, "IngestDeliveryStream")
    assert delivery["KinesisStreamSourceConfiguration"]["KinesisStreamARN"] == {
        "Fn::GetAtt": [project.logical_id("IngestEventsStream"), "Arn"]
    }
    destination = delivery["ExtendedS3DestinationConfiguration"]
    assert (destination["Prefix"], destination["ErrorOutputPrefix"]) == ("events/", "errors/")
    assert destination["BufferingHints"] == {
        "SizeInMBs": 5,
        "IntervalInSeconds": 300,
    }  # Firehose's, not local 5 s
    assert destination["BucketARN"] == {"Fn::GetAtt": [project.logical_id("IngestRawBucket"), "Arn"]}
    (processor,) = destination["ProcessingConfiguration"]["Processors"]
    lambda_arn = next(
        p["ParameterValue"] for p in processor["Parameters"] if p["ParameterName"] == "LambdaArn"
    )
    assert project.logical_id("ingest-transformFunction") in json.dumps(lambda_arn)


def test_raw_objects_are_notified_to_a_queue_the_report_function_reads_with_partial_failures(
    project: Synthesized,
) -> None:
    queue_id = project.logical_id("IngestRawObjectsQueue")
    redrive = _props(project, "IngestRawObjectsQueue")["RedrivePolicy"]
    assert redrive["maxReceiveCount"] == 3
    notifications = json.dumps(project.resources("Custom::S3BucketNotifications"))
    for prefix in ("events/", "errors/"):
        assert f'"Value": "{prefix}"' in notifications
    assert queue_id in notifications
    mappings = [
        m["Properties"]
        for m in project.resources("AWS::Lambda::EventSourceMapping").values()
        if queue_id in json.dumps(m["Properties"]["EventSourceArn"])
    ]
    assert len(mappings) == 1 and mappings[0]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert project.logical_id("ingest-reportFunction") in json.dumps(mappings[0]["FunctionName"])


def test_glue_athena_the_dedup_ttl_lifecycles_and_the_hourly_schedule(project: Synthesized) -> None:
    (table,) = project.resources("AWS::Glue::Table").values()
    parameters = table["Properties"]["TableInput"]["Parameters"]
    assert (
        parameters["projection.enabled"] == "true" and parameters["projection.dt.format"] == "yyyy/MM/dd/HH"
    )
    (workgroup,) = project.resources("AWS::Athena::WorkGroup").values()
    assert workgroup["Properties"]["Name"] == "ingestion"
    dedup = _props(project, "IngestDedupTable")
    assert dedup["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}
    rules = _props(project, "IngestReportsBucket")["LifecycleConfiguration"]["Rules"]
    assert {(r["Prefix"], r["ExpirationInDays"]) for r in rules} == {("athena/", 7), ("reports/", 365)}
    schedules = [
        r["Properties"]
        for r in project.resources("AWS::Events::Rule").values()
        if r["Properties"].get("ScheduleExpression") == "rate(1 hour)"
    ]
    assert len(schedules) == 1
    assert project.logical_id("ingest-rollupFunction") in json.dumps(schedules[0]["Targets"])
