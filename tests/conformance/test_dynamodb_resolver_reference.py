"""AppSync's "JavaScript resolver function reference for DynamoDB", example by example, on the local runtime.

Each test runs the page's own request handler (a file under `resolvers/reference/`, table and key names adapted)
through `JsResolverRunner` on `DynamoDBDataSource`s backed by DynamoDB Local, and checks (a) the request object
the handler built against the one the page documents and (b) what the field resolves to against the documented
result.

Pages are named by their anchor under https://docs.aws.amazon.com/appsync/latest/devguide/.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conformance.conftest import Conformance, put, stored


def S(value: str) -> dict[str, Any]:
    return {"S": value}


def N(value: float) -> dict[str, Any]:
    return {"N": value}


def as_object(condition: Any) -> Any:
    """A condition or filter as an object: the JSON text util.transform returns is read, objects stay."""
    return json.loads(condition) if isinstance(condition, str) else condition


# GetItem ----------------------------------------------------------------------------------------------------


async def test_get_item_get_thing(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-getitem#Example"""
    # GIVEN the thing f1/b1
    put(dynamodb, "things", {"foo": S("f1"), "bar": S("b1"), "name": S("Thing"), "version": {"N": "3"}})

    # WHEN getThing(foo: "f1", bar: "b1") resolves
    resolution = await appsync.resolve("reference/getItem.getThing", "things", foo="f1", bar="b1")

    # THEN the request is the documented GetItem and the item comes back as plain JSON
    assert resolution.request == {
        "operation": "GetItem",
        "key": {"foo": S("f1"), "bar": S("b1")},
        "consistentRead": True,
    }
    assert resolution.error is None
    assert resolution.value == {"foo": "f1", "bar": "b1", "name": "Thing", "version": 3}


# PutItem ----------------------------------------------------------------------------------------------------


async def test_put_item_update_thing_creates_or_overwrites(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-putitem#Example 1"""
    # GIVEN an item under the same key with an attribute the mutation does not name
    put(dynamodb, "things", {"foo": S("f1"), "bar": S("b1"), "name": S("Old"), "extra": S("gone after put")})

    # WHEN updateThing(foo, bar, name, version) resolves
    resolution = await appsync.resolve(
        "reference/putItem.updateThing", "things", foo="f1", bar="b1", name="New", version=2
    )

    # THEN the request is documented PutItem, and the item is overwritten and returned
    assert resolution.request == {
        "operation": "PutItem",
        "key": {"foo": S("f1"), "bar": S("b1")},
        "attributeValues": {"name": S("New"), "version": N(2)},
    }
    assert resolution.value == {"foo": "f1", "bar": "b1", "name": "New", "version": 2}
    assert stored(dynamodb, "things", {"foo": S("f1"), "bar": S("b1")}) == {
        "foo": S("f1"),
        "bar": S("b1"),
        "name": S("New"),
        "version": {"N": "2"},
    }


async def test_put_item_update_thing_with_expected_version(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-putitem#Example 2"""
    # GIVEN the thing at version 1
    put(dynamodb, "things", {"foo": S("f1"), "bar": S("b1"), "name": S("Old"), "version": {"N": "1"}})

    # WHEN it is updated expecting version 1, then again expecting the now stale version 1
    fresh = await appsync.resolve(
        "reference/putItem.updateThingExpectedVersion",
        "things",
        foo="f1",
        bar="b1",
        name="New",
        expectedVersion=1,
    )
    stale = await appsync.resolve(
        "reference/putItem.updateThingExpectedVersion",
        "things",
        foo="f1",
        bar="b1",
        name="Newer",
        expectedVersion=1,
    )

    # THEN the condition checks the version, the first write succeeds and the second is rejected
    assert as_object(fresh.request["condition"]) == {
        "expression": "(#version = :version_eq)",
        "expressionNames": {"#version": "version"},
        "expressionValues": {":version_eq": N(1)},
    }
    assert fresh.value == {"foo": "f1", "bar": "b1", "name": "New", "version": 2}
    assert stale.error is not None and stale.error.error_type == "DynamoDB:ConditionalCheckFailedException"


# UpdateItem -------------------------------------------------------------------------------------------------


async def test_update_item_upvote(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-updateitem#Example 1"""
    # GIVEN a post with 4 upvotes at version 1
    put(dynamodb, "items", {"id": S("p1"), "upvotes": {"N": "4"}, "version": {"N": "1"}})

    # WHEN upvote(id: "p1") resolves
    resolution = await appsync.resolve("reference/updateItem.upvote", "items", id="p1")

    # THEN the request is the documented UpdateItem and both counters went up by one
    assert resolution.request == {
        "operation": "UpdateItem",
        "key": {"id": S("p1")},
        "update": {
            "expression": "ADD #votefield :plusOne, version :plusOne",
            "expressionNames": {"#votefield": "upvotes"},
            "expressionValues": {":plusOne": N(1)},
        },
    }
    assert resolution.value == {"id": "p1", "upvotes": 5, "version": 2}


async def test_update_item_dynamic_update_with_expected_version(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-updateitem#Example 2"""
    # GIVEN an item at version 1
    put(dynamodb, "items", {"id": S("1"), "title": S("Old"), "author": S("Ann"), "version": {"N": "1"}})

    # WHEN updateItem sets a title, nulls the author and expects version 1
    resolution = await appsync.resolve(
        "reference/updateItem.updateItem",
        "items",
        input={"id": "1", "title": "New", "author": None, "expectedVersion": 1},
    )

    # THEN the generated request SETs what was given, REMOVEs what was null, and checks the version
    assert resolution.request == {
        "operation": "UpdateItem",
        "key": {"id": S("1")},
        "condition": {
            "expression": "(attribute_exists(#id)) AND (#version = :version_eq)",
            "expressionNames": {"#id": "id", "#version": "version"},
            "expressionValues": {":version_eq": N(1)},
        },
        "update": {
            "expression": "SET #title = :title, #expectedVersion = :expectedVersion REMOVE #author",
            "expressionNames": {
                "#title": "title",
                "#author": "author",
                "#expectedVersion": "expectedVersion",
            },
            "expressionValues": {":title": S("New"), ":expectedVersion": N(2)},
        },
    }
    # (the page's handler writes `expectedVersion`, not `version`: that is what it does on AppSync too)
    assert resolution.value == {"id": "1", "title": "New", "expectedVersion": 2, "version": 1}


# DeleteItem -------------------------------------------------------------------------------------------------


async def test_delete_item_delete_item(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-deleteitem#Example 1"""
    # GIVEN an item
    put(dynamodb, "items", {"id": S("1"), "name": S("Gone")})

    # WHEN deleteItem(id: "1") resolves
    resolution = await appsync.resolve("reference/deleteItem.deleteItem", "items", id="1")

    # THEN the request is the documented DeleteItem and the deleted item comes back
    assert resolution.request == {"operation": "DeleteItem", "key": {"id": S("1")}}
    assert resolution.value == {"id": "1", "name": "Gone"}
    assert stored(dynamodb, "items", {"id": S("1")}) is None


async def test_delete_item_with_expected_version(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-deleteitem#Example 2"""
    # GIVEN an item at version 3
    put(dynamodb, "items", {"id": S("1"), "version": {"N": "3"}})

    # WHEN it is deleted expecting version 2, then version 3
    stale = await appsync.resolve(
        "reference/deleteItem.deleteItemExpectedVersion", "items", id="1", expectedVersion=2
    )
    fresh = await appsync.resolve(
        "reference/deleteItem.deleteItemExpectedVersion", "items", id="1", expectedVersion=3
    )

    # THEN the condition names both checks; the stale delete is rejected and the right one deletes
    assert as_object(fresh.request["condition"]) == {
        "expression": "(attribute_exists(#id)) AND (#version = :version_eq)",
        "expressionNames": {"#id": "id", "#version": "version"},
        "expressionValues": {":version_eq": N(3)},
    }
    assert stale.error is not None and stale.error.error_type == "DynamoDB:ConditionalCheckFailedException"
    assert fresh.value == {"id": "1", "version": 3}


# Query and Scan ---------------------------------------------------------------------------------------------


async def test_query_get_posts_on_owner_index(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-query#Example"""
    # GIVEN posts of two owners
    put(
        dynamodb,
        "items",
        {"id": S("1"), "ownerId": S("alice"), "title": S("A")},
        {"id": S("2"), "ownerId": S("bob"), "title": S("B")},
    )

    # WHEN getPosts(owner: "alice") resolves
    resolution = await appsync.resolve("reference/query.getPosts", "items", owner="alice")

    # THEN the request is the documented Query and the result has items, nextToken and scannedCount
    assert resolution.request == {
        "operation": "Query",
        "query": {"expression": "ownerId = :ownerId", "expressionValues": {":ownerId": S("alice")}},
        "index": "owner-index",
    }
    assert resolution.value == {
        "items": [{"id": "1", "ownerId": "alice", "title": "A"}],
        "nextToken": None,
        "scannedCount": 1,
    }


async def test_scan_all_posts(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-scan#Example 1"""
    # GIVEN three posts
    put(dynamodb, "items", *({"id": S(str(i))} for i in range(3)))

    # WHEN allPosts resolves
    resolution = await appsync.resolve("reference/scan.allPosts", "items")

    # THEN every entry comes back
    assert resolution.request == {"operation": "Scan"}
    assert sorted(item["id"] for item in resolution.value["items"]) == ["0", "1", "2"]
    assert resolution.value["nextToken"] is None and resolution.value["scannedCount"] == 3


async def test_scan_posts_matching_request(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-scan#Example 2"""
    # WHEN postsMatching(title: "far") resolves
    resolution = await appsync.resolve("reference/scan.postsMatching", "items", title="far")

    # THEN the filter is the one util.transform documents
    assert resolution.request == {
        "operation": "Scan",
        "filter": {
            "expression": "(begins_with(#title,:title_beginsWith))",
            "expressionNames": {"#title": "title"},
            "expressionValues": {":title_beginsWith": S("far")},
        },
    }


async def test_scan_posts_matching_result(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-scan#Example 2"""
    # GIVEN posts whose titles do and do not start with "far"
    put(dynamodb, "items", {"id": S("1"), "title": S("far away")}, {"id": S("2"), "title": S("nearby")})

    # WHEN postsMatching(title: "far") resolves
    resolution = await appsync.resolve("reference/scan.postsMatching", "items", title="far")

    # THEN only the matching post comes back, and scannedCount counts what was read before the filter
    assert resolution.value == {
        "items": [{"id": "1", "title": "far away"}],
        "nextToken": None,
        "scannedCount": 2,
    }


# Batches ----------------------------------------------------------------------------------------------------


async def test_batch_get_item_example_as_written(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-batch-get-item"""
    # GIVEN the post p2 of author a1, and no author a1
    put(
        dynamodb,
        "authorPosts",
        {
            "authorId": S("a1"),
            "postId": S("p2"),
            "postTitle": S("title"),
            "postDescription": S("description"),
        },
    )

    # WHEN the example resolves
    resolution = await appsync.resolve("reference/batchGetItem", "authorPosts", authorId="a1", postId="p2")

    # THEN data holds each table's items in key order (null when missing) and unprocessedKeys each table
    assert resolution.error is None
    assert resolution.value == {
        "data": {
            "conformance_authors": [None],
            "conformance_author_posts": [
                {"authorId": "a1", "postId": "p2", "postTitle": "title", "postDescription": "description"}
            ],
        },
        "unprocessedKeys": {"conformance_authors": [], "conformance_author_posts": []},
    }


async def test_batch_get_item_with_the_declared_structure(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-batch-get-item"""
    # GIVEN the post p2 of author a1, and no author a1
    put(
        dynamodb,
        "authorPosts",
        {
            "authorId": S("a1"),
            "postId": S("p2"),
            "postTitle": S("title"),
            "postDescription": S("description"),
        },
    )

    # WHEN the example resolves, each table written as {keys: [...]}
    resolution = await appsync.resolve(
        "reference/batchGetItem.keys", "authorPosts", authorId="a1", postId="p2"
    )

    # THEN the request keeps that structure and the result has the documented shape
    assert resolution.request == {
        "operation": "BatchGetItem",
        "tables": {
            "conformance_authors": {"keys": [{"authorId": S("a1")}]},
            "conformance_author_posts": {"keys": [{"authorId": S("a1"), "postId": S("p2")}]},
        },
    }
    assert resolution.value == {
        "data": {
            "conformance_authors": [None],
            "conformance_author_posts": [
                {"authorId": "a1", "postId": "p2", "postTitle": "title", "postDescription": "description"}
            ],
        },
        "unprocessedKeys": {"conformance_authors": [], "conformance_author_posts": []},
    }


async def test_batch_delete_item(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-batch-delete-item"""
    # GIVEN author a1 and the post p2
    put(dynamodb, "authors", {"authorId": S("a1"), "name": S("Ann")})
    put(dynamodb, "authorPosts", {"authorId": S("a1"), "postId": S("p2"), "title": S("t")})

    # WHEN the example resolves
    resolution = await appsync.resolve("reference/batchDeleteItem", "authorPosts", authorId="a1", postId="p2")

    # THEN only the passed keys come back, per table in request order, and both items are gone
    assert resolution.request == {
        "operation": "BatchDeleteItem",
        "tables": {
            "conformance_authors": [{"authorId": S("a1")}],
            "conformance_author_posts": [{"authorId": S("a1"), "postId": S("p2")}],
        },
    }
    assert resolution.value == {
        "data": {
            "conformance_authors": [{"authorId": "a1"}],
            "conformance_author_posts": [{"authorId": "a1", "postId": "p2"}],
        },
        "unprocessedKeys": {"conformance_authors": [], "conformance_author_posts": []},
    }
    assert stored(dynamodb, "authors", {"authorId": S("a1")}) is None


async def test_batch_put_item(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-batch-put-item"""
    # WHEN the example resolves
    resolution = await appsync.resolve(
        "reference/batchPutItem", "authorPosts", authorId="a1", postId="p2", name="a1_name", title="title"
    )

    # THEN the fully inserted items come back per table, and unprocessedItems names each table
    assert resolution.request == {
        "operation": "BatchPutItem",
        "tables": {
            "conformance_authors": [{"authorId": S("a1"), "name": S("a1_name")}],
            "conformance_author_posts": [{"authorId": S("a1"), "postId": S("p2"), "title": S("title")}],
        },
    }
    assert resolution.value == {
        "data": {
            "conformance_authors": [{"authorId": "a1", "name": "a1_name"}],
            "conformance_author_posts": [{"authorId": "a1", "postId": "p2", "title": "title"}],
        },
        "unprocessedItems": {"conformance_authors": [], "conformance_author_posts": []},
    }


# Transactions -----------------------------------------------------------------------------------------------


async def test_transact_get_items(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-transact-get-items"""
    # GIVEN post p1 and no author a1
    put(
        dynamodb, "posts", {"postId": S("p1"), "post_title": S("title"), "post_description": S("description")}
    )

    # WHEN the example resolves
    resolution = await appsync.resolve("reference/transactGetItems", "posts", authorId="a1", postId="p1")

    # THEN items follow the request order, null for the item that could not be retrieved
    assert resolution.request == {
        "operation": "TransactGetItems",
        "transactItems": [
            {"table": "conformance_posts", "key": {"postId": S("p1")}},
            {"table": "conformance_authors", "key": {"authorId": S("a1")}},
        ],
    }
    assert resolution.value == {
        "items": [{"postId": "p1", "post_title": "title", "post_description": "description"}, None],
        "cancellationReasons": None,
    }


async def test_transact_write_items_succeeds(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-transact-write-items"""
    # GIVEN post p1 titled "Old" and author a1
    put(dynamodb, "posts", {"postId": S("p1"), "title": S("Old")})
    put(dynamodb, "authors", {"authorId": S("a1")})

    # WHEN the example resolves with the right old title
    resolution = await appsync.resolve(
        "reference/transactWriteItems",
        "posts",
        authorId="a1",
        postId="p1",
        title="New",
        description="d",
        oldTitle="Old",
        authorName="Ann",
    )

    # THEN the keys come back in request order and nothing was cancelled
    assert as_object(resolution.request["transactItems"][0]["condition"]) == {
        "expression": "(#title = :title_eq)",
        "expressionNames": {"#title": "title"},
        "expressionValues": {":title_eq": S("Old")},
    }
    assert resolution.appended == []
    assert resolution.value == {"keys": [{"postId": "p1"}, {"authorId": "a1"}], "cancellationReasons": None}


async def test_transact_write_items_cancelled(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-transact-write-items"""
    # GIVEN post p1 whose title is not the one the client expects
    put(
        dynamodb,
        "posts",
        {"postId": S("p1"), "title": S("Actual old title"), "description": S("Old description")},
    )
    put(dynamodb, "authors", {"authorId": S("a1")})

    # WHEN the example resolves with a stale old title
    resolution = await appsync.resolve(
        "reference/transactWriteItems",
        "posts",
        authorId="a1",
        postId="p1",
        title="New",
        description="d",
        oldTitle="Stale",
        authorName="Ann",
    )

    # THEN ctx.result has null keys and a reason per request item; the failing one carries the current item
    assert [e.error_type for e in resolution.appended] == ["DynamoDB:TransactionCanceledException"]
    assert resolution.value["keys"] is None
    first, second = resolution.value["cancellationReasons"]
    assert first["item"] == {"postId": "p1", "title": "Actual old title", "description": "Old description"}
    assert first["type"] == "ConditionalCheckFailed"
    assert second == {"type": "None", "message": "None"}


async def test_transaction_condition_expressions_delete_without_condition(
    appsync: Conformance, dynamodb: Any
) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-transaction-condition-expressions#Example 1"""
    # GIVEN post p1
    put(dynamodb, "posts", {"postId": S("p1")})

    # WHEN it is deleted in a transaction without a condition
    resolution = await appsync.resolve("reference/transactConditions.deleteItem", "posts", postId="p1")

    # THEN it is deleted and its key comes back
    assert resolution.request == {
        "operation": "TransactWriteItems",
        "transactItems": [
            {"table": "conformance_posts", "operation": "DeleteItem", "key": {"postId": S("p1")}}
        ],
    }
    assert resolution.value == {"keys": [{"postId": "p1"}], "cancellationReasons": None}
    assert stored(dynamodb, "posts", {"postId": S("p1")}) is None


async def test_transaction_condition_expressions_failed_condition_returns_the_old_item(
    appsync: Conformance, dynamodb: Any
) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-transaction-condition-expressions#Example 2"""
    # GIVEN post p1 by Ann
    put(dynamodb, "posts", {"postId": S("p1"), "authorName": S("Ann")})

    # WHEN Bob's delete (condition: authorName = Bob) resolves
    resolution = await appsync.resolve(
        "reference/transactConditions.deleteItemByAuthor", "posts", postId="p1", authorName="Bob"
    )

    # THEN the transaction is cancelled and ctx.result.cancellationReasons[0].item is the old item
    assert [e.error_type for e in resolution.appended] == ["DynamoDB:TransactionCanceledException"]
    assert resolution.value["keys"] is None
    assert resolution.value["cancellationReasons"][0]["item"] == {"postId": "p1", "authorName": "Ann"}
    assert stored(dynamodb, "posts", {"postId": S("p1")}) is not None


# Type system ------------------------------------------------------------------------------------------------

# (attribute, typed value as the request-mapping page writes it, JSON as the response-mapping page returns it)
TYPED_VALUES = [
    ("S", "some", S("some string"), "some string"),
    (
        "SS",
        "phoneNumbers",
        {"SS": ["+1 555 123 4567", "+1 555 234 5678"]},
        ["+1 555 123 4567", "+1 555 234 5678"],
    ),
    ("N", "count", N(1234), 1234),
    ("NS", "sensorReadings", {"NS": [67.8, 12.2, 70]}, [67.8, 12.2, 70]),
    ("B", "binaryMessage", {"B": "SGVsbG8sIFdvcmxkIQo="}, "SGVsbG8sIFdvcmxkIQo="),
    (
        "BS",
        "binaryMessages",
        {"BS": ["SGVsbG8sIFdvcmxkIQo=", "SG93IGFyZSB5b3U/Cg=="]},
        ["SGVsbG8sIFdvcmxkIQo=", "SG93IGFyZSB5b3U/Cg=="],
    ),
    ("BOOL", "orderComplete", {"BOOL": False}, False),
    (
        "L",
        "list",
        {"L": [S("A string value"), N(1), {"SS": ["Another string value", "Even more string values!"]}]},
        ["A string value", 1, ["Another string value", "Even more string values!"]],
    ),
    (
        "M",
        "map",
        {
            "M": {
                "someString": S("A string value"),
                "someNumber": N(1),
                "stringSet": {"SS": ["Another string value", "Even more string values!"]},
            }
        },
        {
            "someString": "A string value",
            "someNumber": 1,
            "stringSet": ["Another string value", "Even more string values!"],
        },
    ),
    ("NULL", "phoneNumbers", {"NULL": None}, None),
]


def _unordered_sets(value: Any) -> Any:
    """DynamoDB keeps no order in a set: compare the lists that come from sets sorted."""
    if isinstance(value, list):
        return sorted(value, key=repr)
    if isinstance(value, dict):
        return {k: _unordered_sets(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize(
    ("attribute", "typed", "plain"), [t[1:] for t in TYPED_VALUES], ids=[t[0] for t in TYPED_VALUES]
)
async def test_type_system_round_trip(
    appsync: Conformance, attribute: str, typed: dict[str, Any], plain: Any
) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-typed-values-request#Supported Types

    AppSync doc: js-aws-appsync-resolver-reference-dynamodb-typed-values-responses
    """
    # WHEN an item holding the page's typed value is put, then read back
    written = await appsync.resolve(
        "reference/typedValues.putItem", "items", id="t", attributeValues={attribute: typed}
    )
    read = await appsync.resolve("reference/typedValues.getItem", "items", id="t")

    # THEN the typed value went out as written and comes back as the response-mapping page converts it
    assert written.request["attributeValues"] == {attribute: typed}
    assert written.error is None and read.error is None
    if typed.keys() & {"SS", "NS", "BS", "M"}:
        assert _unordered_sets(read.value[attribute]) == _unordered_sets(plain)
    else:
        assert read.value[attribute] == plain


async def test_type_system_response_mapping_example(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-typed-values-responses"""
    # GIVEN the page's item
    put(dynamodb, "items", {"id": S("1234"), "name": S("Nadia"), "age": {"N": "25"}})

    # WHEN it is read / THEN it comes back as GraphQL and JSON types
    resolution = await appsync.resolve("reference/typedValues.getItem", "items", id="1234")
    assert resolution.value == {"id": "1234", "name": "Nadia", "age": 25}


async def test_type_system_binary_ignores_characters_outside_the_base64_alphabet(
    appsync: Conformance,
) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-typed-values-request#Binary type B"""
    # WHEN a binary value is sent wrapped over two lines, as MIME base64 is
    written = await appsync.resolve(
        "reference/typedValues.putItem",
        "items",
        id="b",
        attributeValues={"binaryMessage": {"B": "SGVsbG8s\r\nIFdvcmxkIQo="}},
    )
    read = await appsync.resolve("reference/typedValues.getItem", "items", id="b")

    # THEN the line break is ignored and the bytes are "Hello, World!\n"
    assert written.error is None
    assert read.value["binaryMessage"] == "SGVsbG8sIFdvcmxkIQo="


# Filters ----------------------------------------------------------------------------------------------------


async def test_filters_example_request(appsync: Conformance) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-filter#Example"""
    # WHEN the page's filter section is built
    resolution = await appsync.resolve("reference/filters.titleBeginsWith", "items")

    # THEN it is the filter the page shows
    assert resolution.request["filter"] == {
        "expression": "(begins_with(#title,:title_beginsWith))",
        "expressionNames": {"#title": "title"},
        "expressionValues": {":title_beginsWith": S("far away")},
    }


async def test_filters_example_result(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-filter#Example"""
    # GIVEN titles that do and do not start with "far away"
    put(dynamodb, "items", {"id": S("1"), "title": S("far away land")}, {"id": S("2"), "title": S("close")})

    # WHEN the scan with the page's filter resolves / THEN only the matching entry is returned
    resolution = await appsync.resolve("reference/filters.titleBeginsWith", "items")
    assert resolution.value["items"] == [{"id": "1", "title": "far away land"}]


# Condition expressions --------------------------------------------------------------------------------------


async def test_condition_expressions_put_without_condition_overwrites(
    appsync: Conformance, dynamodb: Any
) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-condition-expressions#Example 1"""
    # GIVEN an existing item
    put(dynamodb, "things", {"foo": S("f"), "bar": S("b"), "name": S("Old")})

    # WHEN it is put again without a condition
    resolution = await appsync.resolve(
        "reference/putItem.updateThing", "things", foo="f", bar="b", name="New"
    )

    # THEN the existing item is overwritten
    assert "condition" not in resolution.request
    assert resolution.value == {"foo": "f", "bar": "b", "name": "New"}


async def test_condition_expressions_attribute_not_exists(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-condition-expressions#Example 2"""
    # GIVEN an item under f/b that has an `id`
    put(dynamodb, "things", {"foo": S("f"), "bar": S("b"), "id": S("1"), "name": S("Old")})

    # WHEN it is put on condition attribute_not_exists(id), and another key is put the same way
    rejected = await appsync.resolve(
        "reference/conditions.attributeNotExists", "things", foo="f", bar="b", name="New"
    )
    created = await appsync.resolve(
        "reference/conditions.attributeNotExists", "things", foo="g", bar="b", name="New"
    )

    # THEN the existing item makes the mutation fail with DynamoDB's error, the new key is written
    assert rejected.request["condition"] == {"expression": "attribute_not_exists(id)"}
    assert rejected.error is not None
    assert rejected.error.error_type == "DynamoDB:ConditionalCheckFailedException"
    assert rejected.error.message.startswith("The conditional request failed")
    assert created.value == {"foo": "g", "bar": "b", "name": "New"}


async def test_condition_expressions_equal_item_is_a_success(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-condition-expressions#Checking for the desired result"""
    # GIVEN the page's current item: Steve at version 8
    put(dynamodb, "items", {"id": S("1"), "name": S("Steve"), "version": {"N": "8"}})

    # WHEN the page's PutItem expects version 1 and ignores `version` when comparing
    resolution = await appsync.resolve(
        "reference/conditions.equalsIgnore", "items", id="1", name="Steve", version=1
    )

    # THEN the condition fails but the items only differ in `version`: a success returning the stored item
    assert resolution.request == {
        "operation": "PutItem",
        "key": {"id": S("1")},
        "attributeValues": {"name": S("Steve"), "version": N(2)},
        "condition": {
            "expression": "version = :expectedVersion",
            "expressionValues": {":expectedVersion": N(1)},
            "equalsIgnore": ["version"],
        },
    }
    assert resolution.error is None
    assert resolution.value == {"id": "1", "name": "Steve", "version": 8}


async def test_condition_expressions_delete_of_a_missing_item_is_a_success(appsync: Conformance) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-condition-expressions#Checking for the desired result"""
    # WHEN an item that does not exist is deleted on condition that it exists
    resolution = await appsync.resolve("reference/conditions.deleteMissing", "items", id="none")

    # THEN no item came back from the check, so the delete is treated as successful
    assert resolution.error is None and resolution.value is None


async def test_condition_expressions_reject_strategy(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-condition-expressions#Following the "reject" strategy"""
    # GIVEN the page's current item: Steve at version 8
    put(dynamodb, "items", {"id": S("1"), "name": S("Steve"), "version": {"N": "8"}})

    # WHEN updatePerson(id: 1, name: "Steve", expectedVersion: 1) resolves with the page's response handler
    resolution = await appsync.resolve(
        "reference/conditions.rejectStrategy", "items", id="1", name="Steve", expectedVersion=1
    )

    # THEN the field is null and the error is DynamoDB's, carrying the current item as the handler shaped it
    assert resolution.value is None
    [error] = resolution.appended
    assert error.error_type == "DynamoDB:ConditionalCheckFailedException"
    assert error.message.startswith("The conditional request failed")
    assert error.data == {"id": "1", "name": "Steve", "theVersion": 8}


# Projections ------------------------------------------------------------------------------------------------


async def test_projections_example(appsync: Conformance, dynamodb: Any) -> None:
    """AppSync doc: js-aws-appsync-resolver-reference-dynamodb-projections#Example 1"""
    # GIVEN a post with more attributes than the projection names
    put(dynamodb, "items", {"id": S("1"), "author": S("Ann"), "title": S("T"), "body": S("long")})

    # WHEN it is read with the page's projection
    resolution = await appsync.resolve("reference/projections.getItem", "items", id="1")

    # THEN only `author` and `id` are returned
    assert resolution.request["projection"] == {
        "expression": "#author, id",
        "expressionNames": {"#author": "author"},
    }
    assert resolution.value == {"id": "1", "author": "Ann"}
