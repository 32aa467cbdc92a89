"""Delivery streams as deployed (tests/fixtures/firehose_app): Firehose reads the Kinesis stream, invokes the
transform with the processor's settings, writes the bucket with the prefixes and Firehose's own buffering (not
the local overrides), logs to CloudWatch, and its role may do exactly that."""

from __future__ import annotations

from typing import Any

import pytest

from tests.infra.conftest import Synthesized

pytest.importorskip("aws_cdk", reason="aws-cdk-lib is not installed")


def _delivery(synth: Synthesized, name: str) -> dict[str, Any]:
    from infra.stacks.storage import pascal

    return synth.json["Resources"][synth.logical_id(f"{pascal(name)}DeliveryStream")]["Properties"]  # type: ignore[no-any-return]


def _statements(synth: Synthesized, role_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for policy in synth.resources("AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            found += policy["Properties"]["PolicyDocument"]["Statement"]
    return found


def _actions(statements: list[dict[str, Any]]) -> set[str]:
    actions: set[str] = set()
    for statement in statements:
        value = statement["Action"]
        actions |= set(value if isinstance(value, list) else [value])
    return actions


def test_each_delivery_stream_reads_its_kinesis_stream(firehose: Synthesized) -> None:
    assert len(firehose.resources("AWS::KinesisFirehose::DeliveryStream")) == len(
        firehose.config.delivery_streams
    )
    props = _delivery(firehose, "fh-ingest")
    assert props["DeliveryStreamType"] == "KinesisStreamAsSource"
    source = props["KinesisStreamSourceConfiguration"]
    assert source["KinesisStreamARN"] == {"Fn::GetAtt": [firehose.logical_id("FhEventsStream"), "Arn"]}


def test_the_s3_destination_has_the_prefixes_and_firehoses_own_buffering(firehose: Synthesized) -> None:
    # GIVEN fh-ingest, buffered 1 s locally by [local.delivery_streams.fh-ingest]
    destination = _delivery(firehose, "fh-ingest")["ExtendedS3DestinationConfiguration"]
    # THEN the deployed stream keeps Firehose's defaults
    assert destination["BufferingHints"] == {"SizeInMBs": 5, "IntervalInSeconds": 300}
    assert destination["Prefix"] == "events/!{timestamp:yyyy/MM/dd}/"
    assert destination["ErrorOutputPrefix"] == "errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/"
    assert destination["CompressionFormat"] == "UNCOMPRESSED"
    assert destination["BucketARN"] == {"Fn::GetAtt": [firehose.logical_id("FhRawBucket"), "Arn"]}
    assert destination["CloudWatchLoggingOptions"]["Enabled"] is True
    plain = _delivery(firehose, "fh-plain")["ExtendedS3DestinationConfiguration"]
    assert plain["CompressionFormat"] == "GZIP" and "ErrorOutputPrefix" not in plain
    assert "ProcessingConfiguration" not in plain


def test_the_transform_is_the_lambda_processor(firehose: Synthesized) -> None:
    processing = _delivery(firehose, "fh-ingest")["ExtendedS3DestinationConfiguration"][
        "ProcessingConfiguration"
    ]
    (processor,) = processing["Processors"]
    assert processing["Enabled"] is True and processor["Type"] == "Lambda"
    parameters = {p["ParameterName"]: p["ParameterValue"] for p in processor["Parameters"]}
    assert parameters["LambdaArn"] == {"Fn::GetAtt": [firehose.logical_id("fh-transformFunction"), "Arn"]}
    assert {k: v for k, v in parameters.items() if k != "LambdaArn"} == {
        "BufferSizeInMBs": "1",
        "BufferIntervalInSeconds": "60",
        "NumberOfRetries": "1",
    }


def test_the_role_reads_the_stream_invokes_the_transform_and_writes_the_bucket(firehose: Synthesized) -> None:
    props = _delivery(firehose, "fh-ingest")
    role = props["ExtendedS3DestinationConfiguration"]["RoleARN"]["Fn::GetAtt"][0]
    trust = firehose.json["Resources"][role]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "firehose.amazonaws.com"}]
    statements = _statements(firehose, role)
    actions = _actions(statements)
    assert {"kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStreamSummary"} <= actions
    assert {"lambda:InvokeFunction", "s3:PutObject", "logs:PutLogEvents"} <= actions
    assert not {a for a in actions if a.endswith("*") and not a.startswith(("s3:", "kms:"))}
    assert not {a for a in actions if a.startswith(("s3:Delete", "s3:GetObject", "kinesis:Put", "dynamodb:"))}
    invoke = [s for s in statements if "lambda:InvokeFunction" in _actions([s])]
    assert all(firehose.logical_id("fh-transformFunction") in str(s["Resource"]) for s in invoke)
