"""The two kinds of stream a mapping reads: a DynamoDB table's stream and a Kinesis data stream."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from .records import ACCOUNT_ID, _epoch, dynamodb_stream_record, kinesis_record
from .streams import IteratorExpired, Shard

_EXPIRED = ("ExpiredIteratorException", "TrimmedDataAccessException", "ResourceNotFoundException")


class DynamoDBStreamSource:
    """A table's stream, through the DynamoDB Streams API (DynamoDB Local's)."""

    batch_info_key = "DDBStreamBatchInfo"

    def __init__(self, *, table: str, dynamodb: Any, streams: Any, region: str) -> None:
        self.table = table
        self.label = f"dynamodb:{table}"
        self._streams = streams
        self._region = region
        self._local_arn: str = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
        stream_label = self._local_arn.rsplit("/", 1)[-1]
        # As AWS names it (DynamoDB Local puts "ddblocal" where the region goes).
        self.arn = f"arn:aws:dynamodb:{region}:{ACCOUNT_ID}:table/{table}/stream/{stream_label}"

    def shards(self) -> list[Shard]:
        shards: list[Shard] = []
        start: dict[str, str] = {}
        while True:
            description = self._streams.describe_stream(StreamArn=self._local_arn, **start)[
                "StreamDescription"
            ]
            shards += [Shard(s["ShardId"], s.get("ParentShardId")) for s in description.get("Shards", [])]
            last = description.get("LastEvaluatedShardId")
            if not last:
                return shards
            start = {"ExclusiveStartShardId": last}

    def iterator(self, shard: str, after: str | None) -> str | None:
        position = (
            {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after}
            if after
            else {"ShardIteratorType": "TRIM_HORIZON"}
        )
        try:
            return self._streams.get_shard_iterator(StreamArn=self._local_arn, ShardId=shard, **position).get(
                "ShardIterator"
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _EXPIRED:
                return None
            raise

    def read(self, iterator: str, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        try:
            response = self._streams.get_records(ShardIterator=iterator, Limit=min(limit, 1000))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _EXPIRED:
                raise IteratorExpired(str(exc)) from exc
            raise
        return response.get("Records", []), response.get("NextShardIterator")

    def to_lambda(self, raw: dict[str, Any], shard: str) -> dict[str, Any]:
        return dynamodb_stream_record(raw, region=self._region, stream_arn=self.arn)

    def sequence(self, raw: dict[str, Any]) -> str:
        return str(raw["dynamodb"]["SequenceNumber"])

    def arrival(self, raw: dict[str, Any]) -> float:
        return _epoch(raw["dynamodb"].get("ApproximateCreationDateTime", 0))


class KinesisSource:
    """A Kinesis data stream, through the Kinesis API."""

    batch_info_key = "KinesisBatchInfo"

    def __init__(self, *, stream: str, kinesis: Any, region: str) -> None:
        self.stream = stream
        self.label = f"kinesis:{stream}"
        self._kinesis = kinesis
        self._region = region
        self.arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]

    def shards(self) -> list[Shard]:
        shards: list[Shard] = []
        token: dict[str, str] = {"StreamName": self.stream}
        while True:
            response = self._kinesis.list_shards(**token)
            shards += [Shard(s["ShardId"], s.get("ParentShardId")) for s in response.get("Shards", [])]
            if not response.get("NextToken"):
                return shards
            token = {"NextToken": response["NextToken"]}

    def iterator(self, shard: str, after: str | None) -> str | None:
        position = (
            {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "StartingSequenceNumber": after}
            if after
            else {"ShardIteratorType": "TRIM_HORIZON"}
        )
        return self._kinesis.get_shard_iterator(StreamName=self.stream, ShardId=shard, **position).get(
            "ShardIterator"
        )

    def read(self, iterator: str, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        try:
            response = self._kinesis.get_records(ShardIterator=iterator, Limit=min(limit, 10_000))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _EXPIRED:
                raise IteratorExpired(str(exc)) from exc
            raise
        return response.get("Records", []), response.get("NextShardIterator")

    def to_lambda(self, raw: dict[str, Any], shard: str) -> dict[str, Any]:
        return kinesis_record(raw, shard_id=shard, region=self._region, stream_arn=self.arn)

    def sequence(self, raw: dict[str, Any]) -> str:
        return str(raw["SequenceNumber"])

    def arrival(self, raw: dict[str, Any]) -> float:
        return _epoch(raw["ApproximateArrivalTimestamp"])
