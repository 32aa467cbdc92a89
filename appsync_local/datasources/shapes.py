"""What an APPSYNC_JS resolver hands the DynamoDB data source, and what it gets back (AppSync's shapes).

Requests come from the resolver's code, so they are untrusted JSON until `dynamodb_requests` has checked
them; these TypedDicts say what a well-formed one holds (devguide: resolver-reference-dynamodb-js).
Results are what `ctx.result` holds in the response handler.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

Item = dict[str, Any]  # an item as plain JSON (AppSync converts DynamoDB's typed values)
TypedMap = dict[str, Any]  # a map of DynamoDB typed values: {"id": {"S": "1"}}


class Expression(TypedDict):
    expression: str
    expressionNames: NotRequired[dict[str, str]]
    expressionValues: NotRequired[TypedMap]


class Condition(Expression, total=False):
    equalsIgnore: list[str]
    consistentRead: bool
    conditionalCheckFailedHandler: dict[str, str]
    returnValuesOnConditionCheckFailure: bool


class GetItemRequest(TypedDict):
    operation: Literal["GetItem"]
    key: TypedMap
    consistentRead: NotRequired[bool]
    projection: NotRequired[Expression]


class PutItemRequest(TypedDict):
    operation: Literal["PutItem"]
    key: TypedMap
    attributeValues: NotRequired[TypedMap]
    condition: NotRequired[Condition]


class UpdateItemRequest(TypedDict):
    operation: Literal["UpdateItem"]
    key: TypedMap
    update: Expression
    condition: NotRequired[Condition]


class DeleteItemRequest(TypedDict):
    operation: Literal["DeleteItem"]
    key: TypedMap
    condition: NotRequired[Condition]


class QueryRequest(TypedDict):
    operation: Literal["Query"]
    query: Expression
    index: NotRequired[str]
    filter: NotRequired[Expression]
    limit: NotRequired[int]
    nextToken: NotRequired[str]
    scanIndexForward: NotRequired[bool]
    consistentRead: NotRequired[bool]
    select: NotRequired[str]
    projection: NotRequired[Expression]


class ScanRequest(TypedDict):
    operation: Literal["Scan"]
    index: NotRequired[str]
    filter: NotRequired[Expression]
    limit: NotRequired[int]
    nextToken: NotRequired[str]
    consistentRead: NotRequired[bool]
    select: NotRequired[str]
    segment: NotRequired[int]
    totalSegments: NotRequired[int]
    projection: NotRequired[Expression]


DynamoDBRequest = (
    GetItemRequest | PutItemRequest | UpdateItemRequest | DeleteItemRequest | QueryRequest | ScanRequest
)

# -- results ---------------------------------------------------------------------------------------------


class PageResult(TypedDict):
    """Query and Scan."""

    items: list[Item]
    nextToken: str | None
    scannedCount: int


class BatchGetResult(TypedDict):
    data: dict[str, list[Item | None]]
    unprocessedKeys: dict[str, list[Item]]


class BatchWriteResult(TypedDict, total=False):
    data: dict[str, list[Item | None]]
    unprocessedItems: dict[str, list[Item]]  # BatchPutItem
    unprocessedKeys: dict[str, list[Item]]  # BatchDeleteItem


class CancellationReason(TypedDict):
    type: str
    message: str | None
    item: NotRequired[Item]


class TransactGetResult(TypedDict):
    items: list[Item | None]
    cancellationReasons: list[CancellationReason] | None


class TransactWriteResult(TypedDict):
    keys: list[Item] | None
    cancellationReasons: list[CancellationReason] | None
