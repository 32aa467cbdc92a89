"""The conformance suite's own DynamoDB Local tables, and a runner that records what each resolver asked for.

Every test runs one APPSYNC_JS file from `resolvers/` through `JsResolverRunner` with real `DynamoDBDataSource`s;
each data source is wrapped so the test can compare the request object the resolver built with the one AppSync
documents.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

from appdef.bindings import Binding
from appsync_local.datasources import DynamoDBDataSource
from appsync_local.errors import AppSyncFieldError
from appsync_local.js import JsResolverRunner
from appsync_local.local_aws import LocalAws
from appsync_local.resolver_context import ResolverInvocation
from tests.fixtures.tables import empty_tables, ensure_tables, tables_from_toml

RESOLVERS = Path(__file__).resolve().parent / "resolvers"

# Data source name -> its table. The docs' tables are named `posts`, `authors`, …; here they carry a prefix so
# they never meet the app's own tables.
DATA_SOURCE_TABLES = {
    "things": "conformance_things",
    "items": "conformance_items",
    "authorPosts": "conformance_author_posts",
    "authors": "conformance_authors",
    "posts": "conformance_posts",
    "users": "conformance_users",
    "people": "conformance_people",
}
TABLES = tables_from_toml("""
[conformance_things]
partition_key = { name = "foo", type = "S" }
sort_key = { name = "bar", type = "S" }

[conformance_items]
partition_key = { name = "id", type = "S" }
global_secondary_indexes.owner-index.partition_key = { name = "ownerId", type = "S" }

[conformance_author_posts]
partition_key = { name = "authorId", type = "S" }
sort_key = { name = "postId", type = "S" }

[conformance_authors]
partition_key = { name = "authorId", type = "S" }

[conformance_posts]
partition_key = { name = "postId", type = "S" }

[conformance_users]
partition_key = { name = "id", type = "N" }

[conformance_people]
partition_key = { name = "name", type = "S" }
sort_key = { name = "age", type = "N" }
""")


def table_name(data_source: str) -> str:
    """The DynamoDB table behind one of this suite's data sources."""
    return DATA_SOURCE_TABLES[data_source]


@pytest.fixture(scope="module")
def dynamodb(local_aws: LocalAws) -> Any:
    """A boto3 client for DynamoDB Local, with this suite's tables created."""
    client = boto3.client("dynamodb", endpoint_url=local_aws.endpoints.dynamodb, region_name="us-east-1")
    ensure_tables(client, TABLES.values())
    return client


@pytest.fixture
def emptied_tables(dynamodb: Any) -> None:
    """The suite's tables, emptied: each test that resolves starts from nothing."""
    empty_tables(dynamodb, TABLES.values())


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
            name: RecordingDataSource(DynamoDBDataSource(name, table))
            for name, table in DATA_SOURCE_TABLES.items()
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
def appsync(local_aws: LocalAws, dynamodb: Any, emptied_tables: None) -> Conformance:
    """The local runtime's JS runner on this suite's tables (clients from the AWS_* variables local_aws sets)."""
    return Conformance()


def put(dynamodb: Any, data_source: str, *items: dict[str, Any]) -> None:
    """Write typed items straight to a data source's table (the state a doc example starts from)."""
    for item in items:
        dynamodb.put_item(TableName=table_name(data_source), Item=item)


def stored(dynamodb: Any, data_source: str, key: dict[str, Any]) -> dict[str, Any] | None:
    """The typed item under `key`, read consistently (None when there is none)."""
    return dynamodb.get_item(TableName=table_name(data_source), Key=key, ConsistentRead=True).get("Item")
