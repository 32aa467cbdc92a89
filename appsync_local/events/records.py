"""The events AWS sends a function, built from what the local services return.

Shapes as the Lambda developer guide documents them (with-ddb, with-kinesis, with-sqs, with-s3,
services-cloudwatchevents) and the S3 guide's event message structure.
Each builder returns exactly the record Lambda would put in `Records` (or the whole event, for schedules),
so handlers parse them with Powertools' event source data classes as they do on AWS.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus, unquote_plus

ACCOUNT_ID = "000000000000"


def _epoch(value: Any) -> float:
    """boto3 gives timestamps as datetimes; Lambda's events carry epoch seconds."""
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value)


def _iso_millis(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


# -- DynamoDB Streams -----------------------------------------------------------------------------------


def dynamodb_stream_record(raw: Mapping[str, Any], *, region: str, stream_arn: str) -> dict[str, Any]:
    """A record of DynamoDB Streams' GetRecords as Lambda delivers it (with-ddb; PT-parser)."""
    dynamodb = dict(raw["dynamodb"])
    if "ApproximateCreationDateTime" in dynamodb:
        dynamodb["ApproximateCreationDateTime"] = int(_epoch(dynamodb["ApproximateCreationDateTime"]))
    record: dict[str, Any] = {
        "eventID": raw["eventID"],
        "eventName": raw["eventName"],
        "eventVersion": raw.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }
    if raw.get("userIdentity"):
        record["userIdentity"] = raw["userIdentity"]
    return record


# -- Kinesis --------------------------------------------------------------------------------------------


def kinesis_record(raw: Mapping[str, Any], *, shard_id: str, region: str, stream_arn: str) -> dict[str, Any]:
    """A record of Kinesis' GetRecords as Lambda delivers it (data base64, arrival in epoch seconds)."""
    data = raw["Data"]
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": raw["PartitionKey"],
            "sequenceNumber": raw["SequenceNumber"],
            "data": base64.b64encode(data).decode("ascii") if isinstance(data, bytes) else data,
            "approximateArrivalTimestamp": _epoch(raw["ApproximateArrivalTimestamp"]),
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard_id}:{raw['SequenceNumber']}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": f"arn:aws:iam::{ACCOUNT_ID}:role/local-event-source-mapping",
        "awsRegion": region,
        "eventSourceARN": stream_arn,
    }


# -- SQS ------------------------------------------------------------------------------------------------


def sqs_record(raw: Mapping[str, Any], *, region: str, queue_arn: str) -> dict[str, Any]:
    """A message of SQS' ReceiveMessage as Lambda delivers it (with-sqs): attributes are strings."""
    attributes = {key: str(value) for key, value in (raw.get("Attributes") or {}).items()}
    message_attributes = {
        name: {
            "stringValue": value.get("StringValue"),
            "binaryValue": base64.b64encode(value["BinaryValue"]).decode("ascii")
            if isinstance(value.get("BinaryValue"), bytes)
            else value.get("BinaryValue"),
            "stringListValues": value.get("StringListValues", []),
            "binaryListValues": value.get("BinaryListValues", []),
            "dataType": value["DataType"],
        }
        for name, value in (raw.get("MessageAttributes") or {}).items()
    }
    return {
        "messageId": raw["MessageId"],
        "receiptHandle": raw["ReceiptHandle"],
        "body": raw["Body"],
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": raw.get("MD5OfBody") or hashlib.md5(raw["Body"].encode()).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


# -- S3 -------------------------------------------------------------------------------------------------

# S3 writes keys in events form-encoded: letters, digits and `.-*_` stay, `/` stays, a space becomes `+`.
_KEY_SAFE = "/*"


def encode_event_key(key: str) -> str:
    """`photos/red flower.jpg` -> `photos/red+flower.jpg`, as S3 writes `s3.object.key` (s3-msg)."""
    return quote_plus(key, safe=_KEY_SAFE).replace("~", "%7E")


def s3_record(
    raw: Mapping[str, Any], *, configuration_id: str, sequencer: str, source_ip: str = "127.0.0.1"
) -> dict[str, Any]:
    """A record of the local S3's notification, completed and keyed as S3 itself writes it (s3-msg).

    The local S3 encodes the key differently (`/` as `%2F`) and leaves out the request and identity fields;
    both are put right here.
    """
    s3 = raw["s3"]
    key = unquote_plus(s3["object"]["key"])
    obj: dict[str, Any] = {"key": encode_event_key(key), "sequencer": sequencer}
    if raw["eventName"].startswith("ObjectCreated"):
        obj = {"key": obj["key"], "size": int(s3["object"].get("size", 0)), "eTag": s3["object"].get("eTag", ""),
               "sequencer": sequencer}  # fmt: skip
    if s3["object"].get("versionId"):
        obj["versionId"] = s3["object"]["versionId"]
    request_id = uuid.uuid4().hex[:16].upper()
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": raw.get("awsRegion", "us-east-1"),
        "eventTime": raw.get("eventTime") or _iso_millis(datetime.now(UTC)),
        "eventName": raw["eventName"],
        "userIdentity": {"principalId": f"AWS:{ACCOUNT_ID}"},
        "requestParameters": {"sourceIPAddress": source_ip},
        "responseElements": {
            "x-amz-request-id": request_id,
            "x-amz-id-2": base64.b64encode(uuid.uuid4().bytes * 2).decode("ascii"),
        },
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": configuration_id,
            "bucket": {
                "name": s3["bucket"]["name"],
                "ownerIdentity": {"principalId": ACCOUNT_ID},
                "arn": f"arn:aws:s3:::{s3['bucket']['name']}",
            },
            "object": obj,
        },
    }


def s3_test_event(bucket: str) -> dict[str, Any]:
    """What S3 sends a destination when a notification is configured (no `Records`)."""
    return {
        "Service": "Amazon S3",
        "Event": "s3:TestEvent",
        "Time": _iso_millis(datetime.now(UTC)),
        "Bucket": bucket,
        "RequestId": uuid.uuid4().hex[:16].upper(),
        "HostId": base64.b64encode(uuid.uuid4().bytes * 2).decode("ascii"),
    }


# -- EventBridge schedules ------------------------------------------------------------------------------


def scheduled_event(rule: str, moment: datetime, *, region: str) -> dict[str, Any]:
    """The event an EventBridge schedule sends its target (lambda-cwe)."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws:events:{region}:{ACCOUNT_ID}:rule/{rule}"],
        "detail": {},
    }
