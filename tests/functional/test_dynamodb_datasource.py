"""AppSync's DynamoDB data source, run against DynamoDB Local: every request operation, its result shape and
its errors, as APPSYNC_JS resolvers see them in `ctx.result` / `ctx.error`."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest

from appsync_local.datasources import DynamoDBDataSource, PaginationTokens
from appsync_local.js.datasource import DataSourceError
from appsync_local.local_aws import LocalAws
from appsync_local.resolver_context import ResolverInvocation
from tests.fixtures.tables import empty_tables, ensure_tables, tables_from_toml

CASES_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "dynamodb_requests" / "doc_examples.json"
DOC_CASES = json.loads(CASES_FILE.read_text())["cases"]

# Test tables of this suite only, never appsync.toml's.
TABLES = tables_from_toml("""
[dsdoc_things]
partition_key = { name = "foo", type = "S" }
sort_key = { name = "bar", type = "S" }

[dsdoc_items]
partition_key = { name = "id", type = "S" }
global_secondary_indexes.owner-index.partition_key = { name = "ownerId", type = "S" }

[dsdoc_posts]
partition_key = { name = "postId", type = "S" }

[dsdoc_authors]
partition_key = { name = "authorId", type = "S" }

[ds_blobs]
partition_key = { name = "pk", type = "B" }
sort_key = { name = "sk", type = "B" }

[ds_events]
partition_key = { name = "pk", type = "S" }
sort_key = { name = "sk", type = "S" }
global_secondary_indexes.byStatus = { partition_key = { name = "status", type = "S" }, sort_key = { name = "createdAt", type = "S" } }
""")


@pytest.fixture(scope="module")
def dynamodb(local_aws: LocalAws) -> Any:
    """A client for DynamoDB Local with this suite's tables."""
    client = boto3.client("dynamodb", endpoint_url=local_aws.endpoints.dynamodb, region_name="us-east-1")
    ensure_tables(client, TABLES.values())
    return client


@pytest.fixture(autouse=True)
def emptied_tables(dynamodb: Any) -> None:
    """Each test starts from empty tables."""
    empty_tables(dynamodb, TABLES.values())


@pytest.fixture
def source(local_aws: LocalAws) -> Callable[[str], DynamoDBDataSource]:
    """A data source over one test table, with a client from the standard AWS_* environment."""

    def make(table: str) -> DynamoDBDataSource:
        return DynamoDBDataSource(f"{table}-source", table)

    return make


@pytest.fixture
def events(source: Callable[[str], DynamoDBDataSource]) -> DynamoDBDataSource:
    return source("ds_events")


def invocation() -> ResolverInvocation:
    return ResolverInvocation(
        arguments={},
        source=None,
        identity=None,
        auth_type="API_KEY",
        request_headers={},
        info={"fieldName": "field", "parentTypeName": "Query", "variables": {}},
        request_id="test-request",
    )


async def run(data_source: DynamoDBDataSource, request: Any) -> Any:
    return await data_source.invoke(request, invocation())


async def fails(data_source: DynamoDBDataSource, request: Any) -> DataSourceError:
    with pytest.raises(DataSourceError) as raised:
        await data_source.invoke(request, invocation())
    return raised.value


def put(dynamodb: Any, table: str, *items: dict[str, Any]) -> None:
    for item in items:
        dynamodb.put_item(TableName=table, Item=item)


def event(pk: str, sk: str, **extra: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}, **{k: {"S": v} for k, v in extra.items()}}


# AppSync's documented examples ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", DOC_CASES, ids=[c["name"] for c in DOC_CASES])
async def test_doc_example(
    case: dict[str, Any], dynamodb: Any, source: Callable[[str], DynamoDBDataSource]
) -> None:
    # GIVEN the items the example starts from
    for table, items in case["given"].items():
        put(dynamodb, table, *items)
    data_source = source(case["table"])

    if "error" in case:
        # WHEN the request fails
        error = await fails(data_source, case["request"])
        # THEN ctx.error has AppSync's type and message, and the data AppSync attaches
        assert error.error_type == case["error"]["type"]
        if "message" in case["error"]:
            assert error.message == case["error"]["message"]
        assert error.data == case["error"]["data"]
    else:
        # WHEN the request runs / THEN ctx.result is shaped as AppSync documents it
        assert await run(data_source, case["request"]) == case["result"]


# Items ------------------------------------------------------------------------------------------------------


async def test_typed_values_come_back_as_plain_json(events: DynamoDBDataSource) -> None:
    # GIVEN an item with every DynamoDB type, as util.dynamodb.toMapValues writes them
    blob = base64.b64encode(b"\x00bytes").decode()
    attributes = {
        "count": {"N": 3},
        "ratio": {"N": "2.5"},
        "done": {"BOOL": True},
        "nothing": {"NULL": True},
        "tags": {"SS": ["b", "a"]},
        "scores": {"NS": [1, "2.5"]},
        "blob": {"B": blob},
        "list": {"L": [{"S": "x"}, {"N": "1"}]},
        "map": {"M": {"nested": {"M": {"deep": {"BOOL": False}}}}},
    }
    key = {"pk": {"S": "types"}, "sk": {"S": "1"}}
    await run(events, {"operation": "PutItem", "key": key, "attributeValues": attributes})

    # WHEN it is read back
    item = await run(events, {"operation": "GetItem", "key": key, "consistentRead": True})

    # THEN numbers are numbers, sets are lists, binary is base64 text, maps and lists are JSON
    assert item["count"] == 3 and isinstance(item["count"], int)
    assert item["ratio"] == 2.5
    assert item["done"] is True and item["nothing"] is None
    assert sorted(item["tags"]) == ["a", "b"] and sorted(item["scores"]) == [1, 2.5]
    assert item["blob"] == blob
    assert item["list"] == ["x", 1] and item["map"] == {"nested": {"deep": False}}


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


async def test_binary_keys_and_values_read_by_every_read_operation(
    source: Callable[[str], DynamoDBDataSource],
) -> None:
    # GIVEN items with binary keys and binary attributes, written through the data source
    blobs = source("ds_blobs")
    keys = [{"pk": {"B": b64(b"\x00p")}, "sk": {"B": b64(bytes([i, 255]))}} for i in range(3)]
    for i, key in enumerate(keys):
        values = {"data": {"B": b64(b"\xff" * (i + 1))}, "set": {"BS": [b64(b"a"), b64(b"\x01")]}}
        await run(blobs, {"operation": "PutItem", "key": key, "attributeValues": values})
    expected = [
        {"pk": b64(b"\x00p"), "sk": b64(bytes([i, 255])), "data": b64(b"\xff" * (i + 1))} for i in range(3)
    ]

    # WHEN they are paged through by Query, one per page (each nextToken carrying a binary key)
    query = {
        "operation": "Query",
        "query": {"expression": "pk = :pk", "expressionValues": {":pk": {"B": b64(b"\x00p")}}},
        "limit": 1,
    }
    items, pages = await _all_pages(blobs, query)
    # THEN every item comes back once, binary as base64 text, and the token led to the next key
    assert [{k: v for k, v in item.items() if k != "set"} for item in items] == expected
    assert all(sorted(item["set"]) == sorted([b64(b"a"), b64(b"\x01")]) for item in items)
    # (DynamoDB ends a page that stopped at its limit with a key, so a fourth, empty page ends the listing)
    assert pages == 4

    # AND Scan, GetItem and BatchGetItem (which matches items to keys by their values) read them alike
    scanned, _ = await _all_pages(blobs, {"operation": "Scan", "limit": 2})
    assert sorted(item["sk"] for item in scanned) == sorted(item["sk"] for item in expected)
    got = await run(blobs, {"operation": "GetItem", "key": keys[1], "consistentRead": True})
    assert got["data"] == expected[1]["data"]
    batch = await run(
        blobs,
        {
            "operation": "BatchGetItem",
            "tables": {"ds_blobs": {"keys": [keys[2], keys[0]], "consistentRead": True}},
        },
    )
    assert [item["data"] for item in batch["data"]["ds_blobs"]] == [expected[2]["data"], expected[0]["data"]]

    # AND a conditional put retried with the same binary values is the success AppSync makes it
    retry = {
        "operation": "PutItem",
        "key": keys[0],
        "attributeValues": {"data": {"B": b64(b"\xff")}, "set": {"BS": [b64(b"\x01"), b64(b"a")]}},
        "condition": {"expression": "attribute_not_exists(pk)"},
    }
    assert (await run(blobs, retry))["data"] == expected[0]["data"]


async def test_get_item_of_a_missing_item_is_null(events: DynamoDBDataSource) -> None:
    # WHEN an item that does not exist is read / THEN ctx.result is null
    assert await run(events, {"operation": "GetItem", "key": {"pk": {"S": "none"}, "sk": {"S": "1"}}}) is None


async def test_put_item_condition_that_holds_writes_the_item(
    events: DynamoDBDataSource, dynamodb: Any
) -> None:
    # GIVEN no item yet
    request = {
        "operation": "PutItem",
        "key": {"pk": {"S": "e"}, "sk": {"S": "1"}},
        "attributeValues": {"title": {"S": "first"}},
        "condition": {"expression": "attribute_not_exists(#pk)", "expressionNames": {"#pk": "pk"}},
        "_version": 1,
    }
    # WHEN it is put on condition that it does not exist
    result = await run(events, request)
    # THEN it is written and returned
    assert result == {"pk": "e", "sk": "1", "title": "first"}
    stored = dynamodb.get_item(TableName="ds_events", Key={"pk": {"S": "e"}, "sk": {"S": "1"}})["Item"]
    assert stored["title"] == {"S": "first"}


async def test_failed_condition_is_a_success_when_the_item_already_is_what_was_asked(
    events: DynamoDBDataSource, dynamodb: Any
) -> None:
    # GIVEN the item already stored, differing only in an attribute the condition says to ignore
    put(dynamodb, "ds_events", event("e", "1", title="same", updatedAt="yesterday"))
    request = {
        "operation": "PutItem",
        "key": {"pk": {"S": "e"}, "sk": {"S": "1"}},
        "attributeValues": {"title": {"S": "same"}, "updatedAt": {"S": "today"}},
        "condition": {"expression": "attribute_not_exists(pk)", "equalsIgnore": ["updatedAt"]},
    }
    # WHEN the put is retried (e.g. a client retry after a timeout)
    result = await run(events, request)
    # THEN AppSync treats it as done and returns the item as stored
    assert result == {"pk": "e", "sk": "1", "title": "same", "updatedAt": "yesterday"}


async def test_failed_condition_reports_the_current_item(events: DynamoDBDataSource, dynamodb: Any) -> None:
    # GIVEN an item at version 2
    put(dynamodb, "ds_events", {**event("e", "1", title="current"), "version": {"N": "2"}})
    request = {
        "operation": "UpdateItem",
        "key": {"pk": {"S": "e"}, "sk": {"S": "1"}},
        "update": {"expression": "SET title = :t", "expressionValues": {":t": {"S": "stale edit"}}},
        "condition": {"expression": "version = :v", "expressionValues": {":v": {"N": 1}}},
    }
    # WHEN an update expects version 1
    error = await fails(events, request)
    # THEN it is rejected with DynamoDB's error and the item as it is now
    assert error.error_type == "DynamoDB:ConditionalCheckFailedException"
    assert error.message == "The conditional request failed"
    assert error.data == {"pk": "e", "sk": "1", "title": "current", "version": 2}


async def test_custom_condition_handler_is_reported_as_reject(
    events: DynamoDBDataSource, dynamodb: Any
) -> None:
    # GIVEN an existing item and a condition whose failure AppSync would hand to a Lambda function
    put(dynamodb, "ds_events", event("e", "1", title="current"))
    request = {
        "operation": "PutItem",
        "key": {"pk": {"S": "e"}, "sk": {"S": "1"}},
        "attributeValues": {"title": {"S": "other"}},
        "condition": {
            "expression": "attribute_not_exists(pk)",
            "conditionalCheckFailedHandler": {
                "strategy": "Custom",
                "lambdaArn": "arn:aws:lambda:::function:x",
            },
        },
    }
    # WHEN the condition fails
    error = await fails(events, request)
    # THEN it fails as with Reject, and the message says why the Lambda function was not called
    assert error.error_type == "DynamoDB:ConditionalCheckFailedException"
    assert "Custom" in error.message and error.data["title"] == "current"


async def test_update_item_returns_the_updated_item(events: DynamoDBDataSource, dynamodb: Any) -> None:
    # GIVEN an item
    put(dynamodb, "ds_events", event("e", "1", title="old"))
    # WHEN it is updated
    result = await run(
        events,
        {
            "operation": "UpdateItem",
            "key": {"pk": {"S": "e"}, "sk": {"S": "1"}},
            "update": {
                "expression": "SET #t = :t REMOVE gone",
                "expressionNames": {"#t": "title"},
                "expressionValues": {":t": {"S": "new"}},
            },
        },
    )
    # THEN ctx.result is the whole item after the update
    assert result == {"pk": "e", "sk": "1", "title": "new"}


async def test_delete_item_of_a_missing_item_with_a_failing_condition_succeeds(
    events: DynamoDBDataSource,
) -> None:
    # GIVEN no item / WHEN it is deleted on condition that it exists
    result = await run(
        events,
        {
            "operation": "DeleteItem",
            "key": {"pk": {"S": "x"}, "sk": {"S": "1"}},
            "condition": {"expression": "attribute_exists(pk)"},
        },
    )
    # THEN AppSync sees the goal met: no error, nothing returned
    assert result is None


async def test_delete_item_with_a_failing_condition_keeps_the_item(
    events: DynamoDBDataSource, dynamodb: Any
) -> None:
    # GIVEN an item owned by alice
    put(dynamodb, "ds_events", event("e", "1", owner="alice"))
    # WHEN bob deletes it on condition that he owns it
    error = await fails(
        events,
        {
            "operation": "DeleteItem",
            "key": {"pk": {"S": "e"}, "sk": {"S": "1"}},
            "condition": {
                "expression": "#o = :me",
                "expressionNames": {"#o": "owner"},
                "expressionValues": {":me": {"S": "bob"}},
            },
        },
    )
    # THEN it is refused and the item stays
    assert error.error_type == "DynamoDB:ConditionalCheckFailedException"
    assert error.data == {"pk": "e", "sk": "1", "owner": "alice"}
    assert "Item" in dynamodb.get_item(TableName="ds_events", Key={"pk": {"S": "e"}, "sk": {"S": "1"}})


# Query and Scan ---------------------------------------------------------------------------------------------


async def _all_pages(data_source: DynamoDBDataSource, request: dict[str, Any]) -> tuple[list[Any], int]:
    items: list[Any] = []
    pages, token = 0, None
    while True:
        page = await run(data_source, {**request, "nextToken": token})
        items += page["items"]
        pages += 1
        token = page["nextToken"]
        if token is None:
            return items, pages
        assert isinstance(token, str) and _opaque(token)


def _opaque(token: str) -> bool:
    """No key in the clear: neither the token nor its base64 decoding holds the key's attribute names (two
    letters of random ciphertext may well spell "sk"; its JSON form with quotes practically never does)."""
    decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    return not any(name in text for name in ('"pk"', '"sk"') for text in (token, decoded.decode("latin-1")))


async def test_query_pages_through_with_next_token(events: DynamoDBDataSource, dynamodb: Any) -> None:
    # GIVEN five events of one partition and one of another
    put(dynamodb, "ds_events", *(event("p", f"{i:02}") for i in range(5)), event("other", "00"))
    request = {
        "operation": "Query",
        "query": {"expression": "pk = :pk", "expressionValues": {":pk": {"S": "p"}}},
        "limit": 2,
    }
    # WHEN every page is read, each token handed back
    items, pages = await _all_pages(events, request)
    # THEN all five come back once, in sort key order, over three pages
    assert [item["sk"] for item in items] == ["00", "01", "02", "03", "04"]
    assert pages == 3


async def test_query_on_an_index_with_filter_descending(events: DynamoDBDataSource, dynamodb: Any) -> None:
    # GIVEN published and draft events
    put(
        dynamodb,
        "ds_events",
        event("a", "1", status="PUBLISHED", createdAt="2024-01-01", tag="x"),
        event("b", "1", status="PUBLISHED", createdAt="2024-02-01", tag="y"),
        event("c", "1", status="PUBLISHED", createdAt="2024-03-01", tag="x"),
        event("d", "1", status="DRAFT", createdAt="2024-04-01", tag="x"),
    )
    # WHEN published ones tagged x are queried newest first
    page = await run(
        events,
        {
            "operation": "Query",
            "index": "byStatus",
            "query": {
                "expression": "#s = :s",
                "expressionNames": {"#s": "status"},
                "expressionValues": {":s": {"S": "PUBLISHED"}},
            },
            "filter": {"expression": "tag = :tag", "expressionValues": {":tag": {"S": "x"}}},
            "scanIndexForward": False,
            "projection": {"expression": "pk, createdAt"},
        },
    )
    # THEN the filter applies after reading: scannedCount counts what was read
    assert page == {
        "items": [{"pk": "c", "createdAt": "2024-03-01"}, {"pk": "a", "createdAt": "2024-01-01"}],
        "nextToken": None,
        "scannedCount": 3,
    }


async def test_tampered_or_foreign_tokens_are_rejected(events: DynamoDBDataSource, dynamodb: Any) -> None:
    # GIVEN a real token for the table's first page
    put(dynamodb, "ds_events", *(event("p", f"{i}") for i in range(3)))
    query = {
        "operation": "Query",
        "query": {"expression": "pk = :pk", "expressionValues": {":pk": {"S": "p"}}},
        "limit": 1,
    }
    token = (await run(events, query))["nextToken"]
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[20] ^= 1  # the encrypted key, one bit changed
    edited = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    assert b'"sk"' not in raw  # and the key cannot be read in the first place
    other_secret = PaginationTokens(b"another server").encode(
        {"pk": {"S": "p"}, "sk": {"S": "0"}}, "Query:ds_events:"
    )

    for bad in (edited, token[:-3], "not-a-token", other_secret):
        # WHEN a token was altered, cut, made up, or signed elsewhere
        error = await fails(events, {**query, "nextToken": bad})
        # THEN AppSync's pagination error comes back
        assert error.error_type == "DynamoDB:UserIllegalArgumentException"
        assert error.message.startswith("Invalid pagination token given.")

    # WHEN a Query token is used on the index or for a Scan / THEN it is refused too
    on_index = {
        **query,
        "index": "byStatus",
        "query": {
            "expression": "#s = :s",
            "expressionNames": {"#s": "status"},
            "expressionValues": {":s": {"S": "x"}},
        },
    }
    assert (
        await fails(events, {**on_index, "nextToken": token})
    ).error_type == "DynamoDB:UserIllegalArgumentException"
    assert (
        await fails(events, {"operation": "Scan", "nextToken": token})
    ).error_type == "DynamoDB:UserIllegalArgumentException"


async def test_scan_pages_and_segments(events: DynamoDBDataSource, dynamodb: Any) -> None:
    # GIVEN seven events
    put(dynamodb, "ds_events", *(event(f"p{i}", "1", n=str(i)) for i in range(7)))
    # WHEN the table is scanned three at a time, and in two parallel segments
    items, pages = await _all_pages(events, {"operation": "Scan", "limit": 3, "consistentRead": True})
    segments = [
        (await _all_pages(events, {"operation": "Scan", "segment": s, "totalSegments": 2}))[0] for s in (0, 1)
    ]
    # THEN every item comes back exactly once either way
    assert sorted(item["pk"] for item in items) == [f"p{i}" for i in range(7)]
    assert pages >= 3
    assert sorted(item["pk"] for segment in segments for item in segment) == [f"p{i}" for i in range(7)]


async def test_scan_filter_with_select_count(events: DynamoDBDataSource, dynamodb: Any) -> None:
    # GIVEN events / WHEN only counted / THEN no items, but what was read is counted
    put(dynamodb, "ds_events", *(event(f"p{i}", "1") for i in range(4)))
    assert await run(events, {"operation": "Scan", "select": "COUNT"}) == {
        "items": [],
        "nextToken": None,
        "scannedCount": 4,
    }


# Batches and transactions -----------------------------------------------------------------------------------


async def test_batch_get_keeps_key_order_and_drops_key_attributes_not_projected(
    events: DynamoDBDataSource, dynamodb: Any
) -> None:
    # GIVEN three events
    put(dynamodb, "ds_events", *(event("p", str(i), title=f"t{i}") for i in range(3)))
    keys = [{"pk": {"S": "p"}, "sk": {"S": s}} for s in ("2", "missing", "0")]
    # WHEN they are read in a batch, projecting only the title
    result = await run(
        events,
        {
            "operation": "BatchGetItem",
            "tables": {"ds_events": {"keys": keys, "projection": {"expression": "title"}}},
        },
    )
    # THEN results follow the keys' order, null where missing, with only the projected attribute
    assert result == {
        "data": {"ds_events": [{"title": "t2"}, None, {"title": "t0"}]},
        "unprocessedKeys": {"ds_events": []},
    }


async def test_batch_put_then_delete(events: DynamoDBDataSource, dynamodb: Any) -> None:
    # WHEN two events are put in a batch, then deleted in a batch
    items = [event("p", "1", title="a"), event("p", "2", title="b")]
    put_result = await run(events, {"operation": "BatchPutItem", "tables": {"ds_events": items}})
    keys = [{"pk": item["pk"], "sk": item["sk"]} for item in items]
    delete_result = await run(events, {"operation": "BatchDeleteItem", "tables": {"ds_events": keys}})
    # THEN each returns its items or keys as plain JSON, and the table is empty again
    assert put_result["data"] == {
        "ds_events": [{"pk": "p", "sk": "1", "title": "a"}, {"pk": "p", "sk": "2", "title": "b"}]
    }
    assert delete_result == {
        "data": {"ds_events": [{"pk": "p", "sk": "1"}, {"pk": "p", "sk": "2"}]},
        "unprocessedKeys": {"ds_events": []},
    }
    assert dynamodb.scan(TableName="ds_events")["Items"] == []


async def test_transact_write_cancelled_writes_nothing(events: DynamoDBDataSource, dynamodb: Any) -> None:
    # GIVEN an existing event
    put(dynamodb, "ds_events", event("p", "taken"))
    request = {
        "operation": "TransactWriteItems",
        "transactItems": [
            {"table": "ds_events", "operation": "PutItem", "key": {"pk": {"S": "p"}, "sk": {"S": "new"}}},
            {
                "table": "ds_events",
                "operation": "ConditionCheck",
                "key": {"pk": {"S": "p"}, "sk": {"S": "taken"}},
                "condition": {
                    "expression": "attribute_not_exists(pk)",
                    "returnValuesOnConditionCheckFailure": False,
                },
            },
        ],
    }
    # WHEN one condition fails
    error = await fails(events, request)
    # THEN the transaction is cancelled with a reason per item, no item attached, and nothing is written
    assert error.error_type == "DynamoDB:TransactionCanceledException"
    assert [r["type"] for r in error.data["cancellationReasons"]] == ["None", "ConditionalCheckFailed"]
    assert "item" not in error.data["cancellationReasons"][1] and error.data["keys"] is None
    assert "Item" not in dynamodb.get_item(TableName="ds_events", Key={"pk": {"S": "p"}, "sk": {"S": "new"}})


# Errors -----------------------------------------------------------------------------------------------------

MALFORMED = [
    ("not an object", ["GetItem"], "must be an object"),
    ("unknown operation", {"operation": "GetItems", "key": {}}, "Unsupported DynamoDB operation 'GetItems'"),
    ("no operation", {"key": {"pk": {"S": "1"}}}, "Unsupported DynamoDB operation None"),
    ("missing key", {"operation": "GetItem"}, "key is required"),
    (
        "untyped key",
        {"operation": "GetItem", "key": {"pk": "1", "sk": "2"}},
        "key.pk is not a DynamoDB typed value",
    ),
    (
        "bad number",
        {"operation": "PutItem", "key": {"pk": {"S": "1"}, "sk": {"N": "one"}}},
        "N takes a number",
    ),
    (
        "update without expression",
        {"operation": "UpdateItem", "key": {"pk": {"S": "1"}}, "update": {}},
        "update.expression is required",
    ),
    ("query without query", {"operation": "Query"}, "query is required"),
    ("bad limit", {"operation": "Scan", "limit": 0}, "limit must be a positive integer"),
    ("segment alone", {"operation": "Scan", "segment": 0}, "segment and totalSegments go together"),
    ("batch without tables", {"operation": "BatchGetItem"}, "tables is required"),
    (
        "transact operation",
        {
            "operation": "TransactWriteItems",
            "transactItems": [{"table": "t", "operation": "Upsert", "key": {"k": {"S": "1"}}}],
        },
        "must be one of PutItem",
    ),
    (
        "transact table",
        {"operation": "TransactGetItems", "transactItems": [{"key": {"k": {"S": "1"}}}]},
        "transactItems[0].table is required",
    ),
    (
        "condition handler",
        {
            "operation": "PutItem",
            "key": {"pk": {"S": "1"}},
            "condition": {
                "expression": "attribute_not_exists(pk)",
                "conditionalCheckFailedHandler": {"strategy": "Retry"},
            },
        },
        "strategy must be Reject or Custom",
    ),
]


@pytest.mark.parametrize(
    ("request_object", "message"), [(r, m) for _, r, m in MALFORMED], ids=[n for n, _, _ in MALFORMED]
)
async def test_malformed_requests_are_mapping_template_errors(
    events: DynamoDBDataSource, request_object: Any, message: str
) -> None:
    # WHEN a request object AppSync would refuse is sent
    error = await fails(events, request_object)
    # THEN it is a MappingTemplate error that says what is wrong
    assert error.error_type == "MappingTemplate"
    assert message in error.message


async def test_dynamodb_errors_keep_dynamodb_s_exception_and_message(
    source: Callable[[str], DynamoDBDataSource],
) -> None:
    # WHEN DynamoDB itself refuses a request: a missing table, an expression it cannot parse
    missing = await fails(source("ds_no_such_table"), {"operation": "GetItem", "key": {"pk": {"S": "1"}}})
    invalid = await fails(
        source("ds_events"),
        {
            "operation": "Query",
            "query": {"expression": "pk === :pk", "expressionValues": {":pk": {"S": "1"}}},
        },
    )
    # THEN the errorType is DynamoDB:<exception> with DynamoDB's message
    assert missing.error_type == "DynamoDB:ResourceNotFoundException"
    assert "non-existent table" in missing.message
    assert invalid.error_type == "DynamoDB:ValidationException"
    assert "KeyConditionExpression" in invalid.message


async def test_what_only_dynamodb_checks_is_dynamodb_s_own_error(
    source: Callable[[str], DynamoDBDataSource],
) -> None:
    # WHEN a request AppSync passes on is one DynamoDB refuses: an index name shorter than DynamoDB allows
    # (which an SDK's own parameter checks would have refused before sending), a key with an empty string,
    # more scan segments than DynamoDB allows
    events = source("ds_events")
    query = {"expression": "pk = :pk", "expressionValues": {":pk": {"S": "1"}}}
    short_index = await fails(events, {"operation": "Query", "index": "ab", "query": query})
    empty_key = await fails(events, {"operation": "GetItem", "key": {"pk": {"S": ""}, "sk": {"S": "1"}}})
    segments = await fails(events, {"operation": "Scan", "segment": 0, "totalSegments": 2_000_000})
    # THEN each is DynamoDB's ValidationException with DynamoDB's message, as AppSync reports it, never
    # "could not be reached"
    assert short_index.error_type == "DynamoDB:ValidationException", short_index.message
    assert "index" in short_index.message
    assert empty_key.error_type == "DynamoDB:ValidationException", empty_key.message
    assert "empty string" in empty_key.message
    assert segments.error_type == "DynamoDB:ValidationException", segments.message
    assert "totalSegments" in segments.message


async def test_unreachable_dynamodb_is_a_clear_error() -> None:
    # GIVEN a data source whose endpoint has nothing listening
    def dead_client() -> Any:
        from botocore.config import Config

        return boto3.client(
            "dynamodb",
            endpoint_url="http://127.0.0.1:9",
            region_name="us-east-1",
            config=Config(connect_timeout=1, retries={"max_attempts": 1}),
        )

    data_source = DynamoDBDataSource("dead", "ds_events", dead_client)
    # WHEN it is used / THEN the error says DynamoDB could not be reached, without a trace or the endpoint
    error = await fails(data_source, {"operation": "GetItem", "key": {"pk": {"S": "1"}, "sk": {"S": "1"}}})
    assert error.error_type == "DynamoDB:ServiceUnavailable"
    assert "could not be reached" in error.message
    assert "127.0.0.1" not in error.message


# Call counting ----------------------------------------------------------------------------------------------


async def test_calls_count_requests_whatever_the_page_size(events: DynamoDBDataSource, dynamodb: Any) -> None:
    # GIVEN thirty events
    put(dynamodb, "ds_events", *(event("p", f"{i:02}") for i in range(30)))
    query = {
        "operation": "Query",
        "query": {"expression": "pk = :pk", "expressionValues": {":pk": {"S": "p"}}},
    }

    for limit in (1, 10, 30):
        # WHEN one page of any size is read
        events.reset_calls()
        page = await run(events, {**query, "limit": limit})
        # THEN it took one data-source call
        assert len(page["items"]) == limit
        assert events.calls == 1

    # WHEN calls are reset / THEN the previous count comes back and counting restarts
    assert events.reset_calls() == 1 and events.calls == 0


async def test_client_is_made_once_on_first_use(local_aws: LocalAws) -> None:
    # GIVEN a client factory that counts
    made: list[Any] = []

    def factory() -> Any:
        made.append(
            boto3.client("dynamodb", endpoint_url=local_aws.endpoints.dynamodb, region_name="us-east-1")
        )
        return made[-1]

    data_source = DynamoDBDataSource("events", "ds_events", factory)
    assert made == []
    # WHEN several requests run
    for _ in range(3):
        await run(data_source, {"operation": "Scan", "limit": 1})
    # THEN one client served them all
    assert len(made) == 1


def test_from_config_reads_the_table() -> None:
    from appdef import DataSourceConfig

    # WHEN built from appsync.toml's description / THEN it serves that table under that name
    data_source = DynamoDBDataSource.from_config(
        DataSourceConfig.named("posts", type="AMAZON_DYNAMODB", table="Posts")
    )
    assert (data_source.name, data_source.table_name) == ("posts", "Posts")
    with pytest.raises(ValueError, match="not an AMAZON_DYNAMODB"):
        DynamoDBDataSource.from_config(DataSourceConfig.named("none", type="NONE"))
