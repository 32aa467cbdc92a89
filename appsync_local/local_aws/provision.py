"""Create the tables and buckets an app describes, when they do not exist yet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from appsync_local.local_aws.endpoints import Endpoints, client
from appsync_local.local_aws.errors import LocalAwsError
from appsync_local.local_aws.provision_events import provision_events

if TYPE_CHECKING:
    import boto3

    from appdef import AppConfig, BucketConfig, IndexConfig, KeyAttribute, TableConfig

# Browsers upload and download with presigned URLs, from whatever origin the app is served on.
CORS_RULES = {
    "CORSRules": [
        {
            "AllowedOrigins": ["*"],
            "AllowedMethods": ["GET", "PUT", "POST", "HEAD"],
            "AllowedHeaders": ["*"],
            "ExposeHeaders": ["ETag"],
            "MaxAgeSeconds": 3000,
        }
    ]
}


def provision(config: AppConfig, session: boto3.Session, endpoints: Endpoints) -> None:
    """Create every configured table, bucket, queue, stream and sender that is missing; existing ones keep
    their data."""
    provision_tables(config, session, endpoints)
    provision_storage(config, session, endpoints)


def provision_tables(config: AppConfig, session: boto3.Session, endpoints: Endpoints) -> None:
    """Create every configured DynamoDB table that is missing (and its TTL setting)."""
    dynamodb = client(session, "dynamodb", endpoints.dynamodb)
    try:
        # One ListTables rather than a DescribeTable per table: right after DynamoDB Local's start each
        # request is slow, and this is what `make run` waits for.
        pages = dynamodb.get_paginator("list_tables").paginate()
        existing = {name for page in pages for name in page.get("TableNames", [])}
        for table in config.tables.values():
            _ensure_table(dynamodb, table, existing)
    except ClientError as exc:
        raise LocalAwsError(f"provisioning failed: {exc}") from exc


def provision_storage(config: AppConfig, session: boto3.Session, endpoints: Endpoints) -> dict[str, str]:
    """Create every configured bucket, queue, stream and sender that is missing: all but the tables, so this
    runs while DynamoDB Local is still starting. Returns the queues' URLs by name."""
    try:
        s3 = client(session, "s3", endpoints.s3)
        existing = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
        for bucket in config.buckets.values():
            _ensure_bucket(s3, bucket, existing, session.region_name or config.api.region)
        return provision_events(config, session, endpoints)
    except ClientError as exc:
        raise LocalAwsError(f"provisioning failed: {exc}") from exc


def create_table_request(table: TableConfig) -> dict[str, Any]:
    """The CreateTable parameters for `table` (on-demand billing, its GSIs and stream)."""
    request: dict[str, Any] = {
        "TableName": table.name,
        "AttributeDefinitions": table.attribute_definitions(),
        "KeySchema": _key_schema(table.partition_key, table.sort_key),
        "BillingMode": "PAY_PER_REQUEST",
    }
    if table.indexes:
        request["GlobalSecondaryIndexes"] = [_index(index) for index in table.indexes]
    if table.stream:
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": table.stream}
    return request


def _key_schema(partition_key: KeyAttribute, sort_key: KeyAttribute | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": partition_key.name, "KeyType": "HASH"}]
    if sort_key is not None:
        schema.append({"AttributeName": sort_key.name, "KeyType": "RANGE"})
    return schema


def _index(index: IndexConfig) -> dict[str, Any]:
    return {
        "IndexName": index.name,
        "KeySchema": _key_schema(index.partition_key, index.sort_key),
        "Projection": {"ProjectionType": index.projection},
    }


def _ensure_table(dynamodb: Any, table: TableConfig, existing: set[str]) -> None:
    if table.name not in existing:
        created = dynamodb.create_table(**create_table_request(table))["TableDescription"]
        # The local engines create tables at once (ACTIVE in CreateTable's answer); otherwise, wait for it.
        if created.get("TableStatus") != "ACTIVE":
            dynamodb.get_waiter("table_exists").wait(
                TableName=table.name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
            )
    if table.ttl_attribute:
        _ensure_ttl(dynamodb, table.name, table.ttl_attribute)


def _ensure_ttl(dynamodb: Any, table_name: str, attribute: str) -> None:
    current = dynamodb.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"]
    if (
        current.get("TimeToLiveStatus") in ("ENABLED", "ENABLING")
        and current.get("AttributeName") == attribute
    ):
        return
    dynamodb.update_time_to_live(
        TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute}
    )


def _ensure_bucket(s3: Any, bucket: BucketConfig, existing: set[str], region: str) -> None:
    if bucket.name not in existing:
        if region == "us-east-1":
            s3.create_bucket(Bucket=bucket.name)
        else:
            s3.create_bucket(Bucket=bucket.name, CreateBucketConfiguration={"LocationConstraint": region})
    if bucket.cors:
        s3.put_bucket_cors(Bucket=bucket.name, CORSConfiguration=CORS_RULES)
