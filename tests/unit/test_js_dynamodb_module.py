"""`@aws-appsync/utils/dynamodb` helpers build the DynamoDB request objects AppSync's resolvers send."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from appsync_local.js.engine import JsEngine

_counter = itertools.count()


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Any:
    engine = JsEngine()
    folder = tmp_path_factory.mktemp("ddb")

    def run(expression: str) -> Any:
        path = folder / f"Query.d{next(_counter)}.js"
        path.write_text(
            "import * as ddb from '@aws-appsync/utils/dynamodb';\n"
            "import { operations } from '@aws-appsync/utils/dynamodb';\n"
            f"export function request(ctx) {{ return {expression}; }}\n"
            "export function response(ctx) { return ctx.result; }\n"
        )
        outcome = engine.call(path, "request", {"arguments": {}, "stash": {}}, {"authType": "API_KEY"})
        assert outcome.status == "ok", outcome
        return outcome.value

    return run


CASES = [
    ("ddb.get({ key: { id: 'p1' } })", {"operation": "GetItem", "key": {"id": {"S": "p1"}}}),
    (
        "ddb.get({ key: { id: 'p1' }, consistentRead: true, projection: ['id', 'title'] })",
        {
            "operation": "GetItem",
            "key": {"id": {"S": "p1"}},
            "consistentRead": True,
            "projection": {"expression": "#id, #title", "expressionNames": {"#id": "id", "#title": "title"}},
        },
    ),
    (
        "ddb.put({ key: { id: 'p1' }, item: { title: 'T', tags: ddb.toStringSet(['a']) } })",
        {
            "operation": "PutItem",
            "key": {"id": {"S": "p1"}},
            "attributeValues": {"title": {"S": "T"}, "tags": {"SS": ["a"]}},
        },
    ),
    (
        "ddb.put({ key: { id: 'p1' }, item: {}, condition: { id: { attributeExists: false } } })",
        {
            "operation": "PutItem",
            "key": {"id": {"S": "p1"}},
            "attributeValues": {},
            "condition": {"expression": "(attribute_not_exists(#id))", "expressionNames": {"#id": "id"}},
        },
    ),
    (
        "ddb.remove({ key: { id: 'p1' }, condition: { owner: { eq: 'u1' } } })",
        {
            "operation": "DeleteItem",
            "key": {"id": {"S": "p1"}},
            "condition": {
                "expression": "(#owner = :owner_eq)",
                "expressionNames": {"#owner": "owner"},
                "expressionValues": {":owner_eq": {"S": "u1"}},
            },
        },
    ),
    (
        "ddb.update({ key: { id: 'p1' }, update: { title: 'New', views: operations.increment(), old: operations.remove() } })",
        {
            "operation": "UpdateItem",
            "key": {"id": {"S": "p1"}},
            "update": {
                "expression": "SET #title = :title ADD #views :views REMOVE #old",
                "expressionNames": {"#title": "title", "#views": "views", "#old": "old"},
                "expressionValues": {":title": {"S": "New"}, ":views": {"N": 1}},
            },
        },
    ),
    (
        (
            "ddb.update({ key: { id: 1 }, update: { n: operations.decrement(2), address: operations.replace({ city: 'X' }), "
            "list: operations.prepend([1]), ids: [operations.updateListItem('102', 1)], nested: { a: 'b' } } })"
        ),
        {
            "operation": "UpdateItem",
            "key": {"id": {"N": 1}},
            "update": {
                "expression": "SET #address = :address, #list = list_append(:list, if_not_exists(#list, :list_empty)), "
                "#ids[1] = :ids_1, #nested.#a = :nested_a ADD #n :n",
                "expressionNames": {
                    "#n": "n",
                    "#address": "address",
                    "#list": "list",
                    "#ids": "ids",
                    "#nested": "nested",
                    "#a": "a",
                },
                "expressionValues": {
                    ":n": {"N": -2},
                    ":address": {"M": {"city": {"S": "X"}}},
                    ":list": {"L": [{"N": 1}]},
                    ":list_empty": {"L": []},
                    ":ids_1": {"S": "102"},
                    ":nested_a": {"S": "b"},
                },
            },
        },
    ),
    (
        (
            "ddb.query({ query: { ownerId: { eq: 'u1' }, createdAt: { beginsWith: '2024' } }, index: 'byOwner', limit: 10, "
            "scanIndexForward: false, nextToken: 't', filter: { done: { eq: false } } })"
        ),
        {
            "operation": "Query",
            "query": {
                "expression": "#ownerId = :ownerId_eq AND begins_with(#createdAt, :createdAt_beginsWith)",
                "expressionNames": {"#ownerId": "ownerId", "#createdAt": "createdAt"},
                "expressionValues": {":ownerId_eq": {"S": "u1"}, ":createdAt_beginsWith": {"S": "2024"}},
            },
            "index": "byOwner",
            "nextToken": "t",
            "limit": 10,
            "scanIndexForward": False,
            "filter": {
                "expression": "(#done = :done_eq)",
                "expressionNames": {"#done": "done"},
                "expressionValues": {":done_eq": {"BOOL": False}},
            },
        },
    ),
    (
        "ddb.scan({ limit: 5, segment: 0, totalSegments: 2 })",
        {"operation": "Scan", "limit": 5, "segment": 0, "totalSegments": 2},
    ),
    ("ddb.sync({ limit: 5, lastSync: 100 })", {"operation": "Sync", "limit": 5, "lastSync": 100}),
    (
        "ddb.batchGet({ tables: { Posts: { keys: [{ id: 'a' }] } } })",
        {"operation": "BatchGetItem", "tables": {"Posts": {"keys": [{"id": {"S": "a"}}]}}},
    ),
    (
        "ddb.batchPut({ tables: { Posts: [{ id: 'a' }] } })",
        {"operation": "BatchPutItem", "tables": {"Posts": [{"id": {"S": "a"}}]}},
    ),
    (
        "ddb.batchDelete({ tables: { Posts: [{ id: 'a' }] } })",
        {"operation": "BatchDeleteItem", "tables": {"Posts": [{"id": {"S": "a"}}]}},
    ),
    (
        (
            "ddb.transactWrite({ items: [{ putItem: { table: 'Posts', key: { id: 'a' }, item: { t: 1 } } }, "
            "{ deleteItem: { table: 'Posts', key: { id: 'b' } } }] })"
        ),
        {
            "operation": "TransactWriteItems",
            "transactItems": [
                {
                    "table": "Posts",
                    "operation": "PutItem",
                    "key": {"id": {"S": "a"}},
                    "attributeValues": {"t": {"N": 1}},
                },
                {"table": "Posts", "operation": "DeleteItem", "key": {"id": {"S": "b"}}},
            ],
        },
    ),
    (
        "ddb.transactGet({ items: [{ table: 'Posts', key: { id: 'a' } }] })",
        {"operation": "TransactGetItems", "transactItems": [{"table": "Posts", "key": {"id": {"S": "a"}}}]},
    ),
]


@pytest.mark.parametrize(("expression", "expected"), CASES, ids=[e[:60] for e, _ in CASES])
def test_helper_builds_the_documented_request(build: Any, expression: str, expected: Any) -> None:
    # GIVEN / WHEN a request handler returns the helper's request / THEN it is the DynamoDB request object
    assert build(expression) == expected
