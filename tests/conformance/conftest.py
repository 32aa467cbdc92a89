"""The conformance suite's own DynamoDB Local tables, and a runner that records what each resolver asked for.

Every test runs one APPSYNC_JS file from `resolvers/` through `JsResolverRunner` with real `DynamoDBDataSource`s;
each data source is wrapped so the test can compare the request object the resolver built with the one AppSync
documents.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

from appsync_local.bindings import Binding
from appsync_local.datasources import DynamoDBDataSource
from appsync_local.errors import AppSyncFieldError
from appsync_local.js import JsResolverRunner
from appsync_local.local_aws import LocalAws
from appsync_local.resolver_context import ResolverInvocation

RESOLVERS = Path(__file__).resolve().parent / "resolvers"

# Data source name -> (table, key schema, attribute definitions, GSIs). The docs' tables are named `posts`,
# `authors`, …; here they carry a prefix so they never meet the app's own tables.
TABLES: dict[str, tuple[str, list[tuple[str, str]], dict[str, str], dict[str, list[tuple[str, str]]]]] = {
    "things": ("conformance_things", [("foo", "HASH"), ("bar", "RANGE")], {"foo": "S", "bar": "S"}, {}),
    "items": (
        "conformance_items",
        [("id", "HASH")],
        {"id": "S", "ownerId": "S"},
        {"owner-index": [("ownerId", "HASH")]},
    ),
    "authorPosts": (
        "conformance_author_posts",
        [("authorId", "HASH"), ("postId", "RANGE")],
        {"authorId": "S", "postId": "S"},
        {},
    ),
    "authors": ("conformance_authors", [("authorId", "HASH")], {"authorId": "S"}, {}),
    "posts": ("conformance_posts", [("postId", "HASH")], {"postId": "S"}, {}),
    "users": ("conformance_users", [("id", "HASH")], {"id": "N"}, {}),
    "people": ("conformance_people", [("name", "HASH"), ("age", "RANGE")], {"name": "S", "age": "N"}, {}),
}


def table_name(data_source: str) -> str:
    """The DynamoDB table behind one of this suite's data sources."""
    return TABLES[data_source][0]


def _create_table(
    client: Any,
    name: str,
    keys: list[tuple[str, str]],
    attributes: dict[str, str],
    indexes: dict[str, list[tuple[str, str]]],
) -> None:
    request: dict[str, Any] = {
        "TableName": name,
        "KeySchema": [{"AttributeName": n, "KeyType": t} for n, t in keys],
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": t} for n, t in attributes.items()],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if indexes:
        request["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index,
                "KeySchema": [{"AttributeName": n, "KeyType": t} for n, t in schema],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index, schema in indexes.items()
        ]
    client.create_table(**request)


@pytest.fixture(scope="module")
def dynamodb(local_aws: LocalAws) -> Any:
    """A boto3 client for DynamoDB Local, with this suite's tables created."""
    client = boto3.client("dynamodb", endpoint_url=local_aws.endpoints.dynamodb, region_name="us-east-1")
    existing = set(client.list_tables()["TableNames"])
    for name, keys, attributes, indexes in TABLES.values():
        if name not in existing:
            _create_table(client, name, keys, attributes, indexes)
    return client


@pytest.fixture
def empty_tables(dynamodb: Any) -> Iterator[None]:
    """The suite's tables, emptied: each test that resolves starts from nothing."""
    for name, keys, _, _ in TABLES.values():
        key_names = [n for n, _ in keys]
        for item in dynamodb.scan(TableName=name, ConsistentRead=True)["Items"]:
            dynamodb.delete_item(TableName=name, Key={k: item[k] for k in key_names})
    yield


class RecordingDataSource:
    """A real data source that also keeps a copy of every request object it is sent."""

    def __init__(self, inner: DynamoDBDataSource) -> None:
        self.inner = inner
        self.name = inner.name
        self.requests: list[dict[str, Any]] = []

    async def invoke(self, request: dict[str, Any], invocation: ResolverInvocation) -> Any:
        self.requests.append(copy.deepcopy(request))
        return await self.inner.invoke(request, invocation)


@dataclass
class Resolution:
    """What one field resolution showed: the field's value or error, appended errors, the requests sent."""

    value: Any
    error: AppSyncFieldError | None
    appended: list[AppSyncFieldError]
    requests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def request(self) -> dict[str, Any]:
        """The one request object the resolver sent."""
        assert len(self.requests) == 1, f"expected one request, got {self.requests}"
        return self.requests[0]


class Conformance:
    """Runs the suite's resolver files as unit resolvers on the suite's data sources."""

    def __init__(self) -> None:
        self.sources = {
            name: RecordingDataSource(DynamoDBDataSource(name, table)) for name, (table, *_) in TABLES.items()
        }
        self.runner = JsResolverRunner(self.sources)

    async def resolve(
        self, resolver: str, data_source: str, field_name: str = "field", **arguments: Any
    ) -> Resolution:
        """Resolve a field bound to `resolvers/<resolver>.js` on `data_source` with these arguments."""
        binding = Binding(
            "Mutation", field_name, "JS", data_source=data_source, code=RESOLVERS / f"{resolver}.js"
        )
        invocation = ResolverInvocation(
            arguments=arguments,
            source=None,
            identity=None,
            auth_type="API_KEY",
            request_headers={},
            info={
                "fieldName": field_name,
                "parentTypeName": "Mutation",
                "variables": {},
                "selectionSetList": [],
                "selectionSetGraphQL": "",
            },
            request_id="conformance",
        )
        for source in self.sources.values():
            source.requests.clear()
        value: Any = None
        error: AppSyncFieldError | None = None
        try:
            value = await self.runner.run(binding, invocation)
        except AppSyncFieldError as raised:
            error = raised
        requests = self.sources[data_source].requests
        return Resolution(value, error, list(invocation.appended_errors), list(requests))


@pytest.fixture
def appsync(local_aws: LocalAws, dynamodb: Any, empty_tables: None) -> Conformance:
    """The local runtime's JS runner on this suite's tables (clients from the AWS_* variables local_aws sets)."""
    return Conformance()


def put(dynamodb: Any, data_source: str, *items: dict[str, Any]) -> None:
    """Write typed items straight to a data source's table (the state a doc example starts from)."""
    for item in items:
        dynamodb.put_item(TableName=table_name(data_source), Item=item)


def stored(dynamodb: Any, data_source: str, key: dict[str, Any]) -> dict[str, Any] | None:
    """The typed item under `key`, read consistently (None when there is none)."""
    return dynamodb.get_item(TableName=table_name(data_source), Key=key, ConsistentRead=True).get("Item")
