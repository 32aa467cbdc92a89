"""DynamoDB Local's class data, recorded by `make setup` rather than by the first `make run`'s stop.

A JVM maps the archive `jvm_cache` keeps and answers in about half the time; without one, the JVM records it
as it exits, which made the first `make run` of a new checkout (or after a Java or DynamoDB Local update) slower
to start and about 6 seconds slower to stop. Here one JVM, with `make run`'s command line and an on-disk
database in a temporary folder, serves the requests the runtime and its event sources make (tables with an
index, a stream and a TTL; reads, writes, conditions, batches, transactions; the stream's records), and
records the classes they loaded as it stops.

    python -m appsync_local.local_aws.class_data JAR_DIR           # record, unless recorded
    python -m appsync_local.local_aws.class_data --check JAR_DIR   # exit 0 when recorded, 1 when not
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from appsync_local.local_aws.dynamodb_local import DynamoDBLocal, plain_request
from appsync_local.local_aws.errors import LocalAwsError

_TABLE = "ClassData"
_START_TIMEOUT_SECONDS = 120.0
_REQUEST_TIMEOUT_SECONDS = 30.0


def recorded(jar_dir: Path) -> bool:
    """Whether this Java and DynamoDB Local have their class data already."""
    return DynamoDBLocal(jar_dir, None).class_data_recorded


def record(jar_dir: Path) -> bool:
    """Record the class data unless it is there; True when this call recorded it.

    LocalAwsError when DynamoDB Local cannot start or refuses one of the requests (the class data it had
    loaded until then is still recorded).
    """
    if recorded(jar_dir):
        return False
    with tempfile.TemporaryDirectory(prefix="dynamodb-class-data-") as folder:
        jvm = DynamoDBLocal(jar_dir, Path(folder) / "db")
        try:
            endpoint = jvm.start(timeout=_START_TIMEOUT_SECONDS)
            _serve_typical_requests(jvm.host, int(endpoint.rsplit(":", 1)[1]))
        finally:
            jvm.stop()  # a JVM stopped on request writes the archive as it exits
    return recorded(jar_dir)


def _call(host: str, port: int, target: str, body: dict[str, Any]) -> dict[str, Any]:
    try:
        status, raw = plain_request(host, port, target, json.dumps(body).encode(), _REQUEST_TIMEOUT_SECONDS)
    except (OSError, http.client.HTTPException) as exc:
        raise LocalAwsError(f"DynamoDB Local did not answer {target}: {exc}") from exc
    text = raw.decode("utf-8", "replace")
    if status != 200:
        raise LocalAwsError(f"DynamoDB Local refused {target} ({status}): {text[:300]}")
    try:
        answer = json.loads(text) if text else {}
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise LocalAwsError(f"DynamoDB Local answered {target} with something other than a JSON object")
    return answer


def _serve_typical_requests(host: str, port: int) -> None:
    def dynamodb(operation: str, **body: Any) -> dict[str, Any]:
        return _call(host, port, f"DynamoDB_20120810.{operation}", {"TableName": _TABLE, **body})

    def streams(operation: str, **body: Any) -> dict[str, Any]:
        return _call(host, port, f"DynamoDBStreams_20120810.{operation}", body)

    def key(n: int) -> dict[str, Any]:
        return {"pk": {"S": "user#1"}, "sk": {"S": f"item#{n:03d}"}}

    def item(n: int) -> dict[str, Any]:
        return {
            **key(n),
            "g": {"S": "group"},
            "n": {"N": str(n)},
            "b": {"B": "AAE="},
            "l": {"L": [{"S": "x"}]},
        }

    strings = [{"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "g")]
    table = dynamodb(
        "CreateTable",
        AttributeDefinitions=strings,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byGroup",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    dynamodb("UpdateTimeToLive", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    _call(host, port, "DynamoDB_20120810.ListTables", {})
    dynamodb("DescribeTable")
    dynamodb("PutItem", Item=item(1), ConditionExpression="attribute_not_exists(pk)")
    dynamodb("GetItem", Key=key(1), ConsistentRead=True)
    dynamodb(
        "UpdateItem",
        Key=key(1),
        UpdateExpression="SET #n = #n + :one, tags = list_append(if_not_exists(tags, :empty), :tag)",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeNames={"#n": "n"},
        ExpressionAttributeValues={":one": {"N": "1"}, ":empty": {"L": []}, ":tag": {"L": [{"S": "t"}]}},
        ReturnValues="ALL_NEW",
    )
    puts = [{"PutRequest": {"Item": item(n)}} for n in range(2, 6)]
    _call(host, port, "DynamoDB_20120810.BatchWriteItem", {"RequestItems": {_TABLE: puts}})
    _call(
        host,
        port,
        "DynamoDB_20120810.BatchGetItem",
        {"RequestItems": {_TABLE: {"Keys": [key(n) for n in range(1, 6)]}}},
    )
    dynamodb(
        "Query",
        KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
        FilterExpression="n > :zero",
        ExpressionAttributeValues={":pk": {"S": "user#1"}, ":prefix": {"S": "item#"}, ":zero": {"N": "0"}},
        ScanIndexForward=False,
        Limit=3,
    )
    dynamodb(
        "Query",
        IndexName="byGroup",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "group"}},
    )
    dynamodb("Scan", FilterExpression="contains(l, :x)", ExpressionAttributeValues={":x": {"S": "x"}})
    _call(
        host,
        port,
        "DynamoDB_20120810.TransactWriteItems",
        {
            "TransactItems": [
                {
                    "Put": {
                        "TableName": _TABLE,
                        "Item": item(6),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {"Delete": {"TableName": _TABLE, "Key": key(5)}},
            ]
        },
    )
    dynamodb("DeleteItem", Key=key(2), ReturnValues="ALL_OLD")
    stream_arn = table.get("TableDescription", {}).get("LatestStreamArn")
    if not isinstance(stream_arn, str):
        raise LocalAwsError("DynamoDB Local created a table without the stream it was asked for")
    stream = streams("DescribeStream", StreamArn=stream_arn).get("StreamDescription", {})
    for shard in stream.get("Shards", []):
        iterator = streams(
            "GetShardIterator",
            StreamArn=stream_arn,
            ShardId=shard.get("ShardId", ""),
            ShardIteratorType="TRIM_HORIZON",
        )
        streams("GetRecords", ShardIterator=iterator.get("ShardIterator", ""), Limit=100)
    streams("ListStreams", TableName=_TABLE)
    dynamodb("DeleteTable")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m appsync_local.local_aws.class_data", description=__doc__)
    parser.add_argument("jar_dir", type=Path, help="the folder holding DynamoDBLocal.jar")
    parser.add_argument(
        "--check", action="store_true", help="only say whether it is recorded (exit 0) or not (1)"
    )
    args = parser.parse_args(argv)
    try:
        if args.check:
            return 0 if recorded(args.jar_dir) else 1
        record(args.jar_dir)
    except LocalAwsError as exc:
        # Not fatal: without the archive DynamoDB Local still runs, and the first `make run` records it as it stops.
        first_line = (str(exc).splitlines() or ["unknown error"])[0]
        print(
            f"DynamoDB Local's class data was not recorded now ({first_line}); `make run` records it.",
            file=sys.stderr,
        )
        return 1 if args.check else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
