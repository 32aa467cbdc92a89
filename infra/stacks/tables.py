"""DynamoDB tables built from `appsync.toml`'s `[tables]`: the definitions DynamoDB Local runs locally."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from appdef import KeyAttribute, TableConfig

_ATTRIBUTE_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}
_STREAM_VIEWS = {
    "NEW_IMAGE": dynamodb.StreamViewType.NEW_IMAGE,
    "OLD_IMAGE": dynamodb.StreamViewType.OLD_IMAGE,
    "NEW_AND_OLD_IMAGES": dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    "KEYS_ONLY": dynamodb.StreamViewType.KEYS_ONLY,
}
_PROJECTIONS = {
    "ALL": dynamodb.ProjectionType.ALL,
    "KEYS_ONLY": dynamodb.ProjectionType.KEYS_ONLY,
}


def _attribute(key: KeyAttribute | None) -> dynamodb.Attribute | None:
    return None if key is None else dynamodb.Attribute(name=key.name, type=_ATTRIBUTE_TYPES[key.type])


def build_table(scope: Construct, table: TableConfig) -> dynamodb.Table:
    """One on-demand table with point-in-time recovery; kept when the stack is deleted (it holds user data)."""
    built = dynamodb.Table(
        scope,
        f"{table.name}Table",
        partition_key=_attribute(table.partition_key),
        sort_key=_attribute(table.sort_key),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        stream=_STREAM_VIEWS[table.stream] if table.stream else None,
        time_to_live_attribute=table.ttl_attribute,
        removal_policy=RemovalPolicy.RETAIN,
    )
    for index in table.indexes:
        if index.projection not in _PROJECTIONS:
            raise ValueError(f"tables.{table.name}.{index.name}: projection must be ALL or KEYS_ONLY")
        built.add_global_secondary_index(
            index_name=index.name,
            partition_key=_attribute(index.partition_key),
            sort_key=_attribute(index.sort_key),
            projection_type=_PROJECTIONS[index.projection],
        )
    return built


def build_tables(scope: Construct, tables: tuple[TableConfig, ...]) -> dict[str, dynamodb.Table]:
    """Every table of the app, by its name in `appsync.toml`."""
    return {table.name: build_table(scope, table) for table in tables}
