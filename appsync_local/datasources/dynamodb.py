"""AppSync's DynamoDB data source for APPSYNC_JS resolvers, run with boto3 against a DynamoDB endpoint.

Takes the request objects of AppSync's "resolver reference (DynamoDB)" — GetItem, PutItem, UpdateItem,
DeleteItem, Query, Scan, BatchGetItem, BatchPutItem, BatchDeleteItem, TransactGetItems, TransactWriteItems —
and returns what AppSync hands to `response(ctx)` as `ctx.result`. Failures raise `DataSourceError` with
AppSync's `errorType`: `DynamoDB:<exception>` for what DynamoDB rejects, `MappingTemplate` for a request object
AppSync itself would refuse.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from appdef import DataSourceConfig
from appsync_local.datasources import dynamodb_requests as requests
from appsync_local.datasources.dynamodb_requests import ConditionPolicy, MalformedRequest, key_of, typed_map
from appsync_local.datasources.dynamodb_values import to_json_item, to_json_value, to_typed_json
from appsync_local.datasources.pagination import InvalidPaginationToken, PaginationTokens
from appsync_local.datasources.shapes import (
    BatchGetResult,
    BatchWriteResult,
    CancellationReason,
    Item,
    PageResult,
    TransactGetResult,
    TransactWriteResult,
)
from appsync_local.datasources.wire_reads import wire_read_client
from appsync_local.js.datasource import DataSourceError
from appsync_local.local_aws.endpoints import client_config
from appsync_local.resolver_context import ResolverInvocation

MAPPING_TEMPLATE = "MappingTemplate"
INVALID_TOKEN_TYPE = "DynamoDB:UserIllegalArgumentException"
INVALID_TOKEN_MESSAGE = "Invalid pagination token given."
UNREACHABLE_TYPE = "DynamoDB:ServiceUnavailable"
UNREACHABLE_MESSAGE = (
    "DynamoDB could not be reached (the local DynamoDB may be restarting); retry the request."
)
# DynamoDB's message lists the reasons when the SDK does not parse them: "... reasons [ConditionalCheckFailed, None]".
REASONS_IN_MESSAGE = re.compile(r"\[([A-Za-z, ]+)\]\s*$")
logger = logging.getLogger("appsync_local.datasources")


class DynamoDBCallError(Exception):
    """DynamoDB answered a call with an error (kept apart so handlers can look at the raw response)."""

    def __init__(self, code: str, message: str, response: dict[str, Any]) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.response = response


def default_client_factory() -> Any:
    """A DynamoDB client configured the standard way (AWS_ENDPOINT_URL_DYNAMODB, AWS_REGION, credentials); its
    reads' results are DynamoDB's own JSON (`wire_reads`).

    It sends requests without botocore's parameter validation, as AppSync sends them to DynamoDB: what AppSync
    refuses itself, `dynamodb_requests` refuses (MappingTemplate), and DynamoDB answers the rest with its own
    ValidationException. botocore's validation walked every parameter of every call once more (its cost:
    bench/README.md, "The least this design can do"), and what it refused would have reached the resolver as
    "could not be reached" (its error is a BotoCoreError)."""
    from botocore.config import Config

    return wire_read_client(client_config().merge(Config(parameter_validation=False)))


class DynamoDBDataSource:
    """An `AMAZON_DYNAMODB` data source: one table for item, Query and Scan requests; any table for batches
    and transactions, which name real table names.

    Parameters
    ----------
    name
        The data source's name (appsync.toml `[data_sources.<name>]`).
    table_name
        The table that GetItem, PutItem, UpdateItem, DeleteItem, Query and Scan requests work on.
    client_factory
        Makes the boto3 DynamoDB client, once, on first use (boto3 clients are thread-safe). Defaults to a
        client built from the standard AWS_* environment variables.
    pagination
        Encrypts and checks `nextToken`s; defaults to one process-wide secret.

    Attributes
    ----------
    calls
        How many requests this data source has been asked to run (see `reset_calls`).
    """

    def __init__(
        self,
        name: str,
        table_name: str,
        client_factory: Callable[[], Any] | None = None,
        *,
        pagination: PaginationTokens | None = None,
    ) -> None:
        self.name = name
        self.table_name = table_name
        self.calls = 0
        self._client_factory = client_factory or default_client_factory
        self._client: Any = None
        self._client_lock = threading.Lock()
        self._tokens = pagination or PaginationTokens()
        self._handlers: dict[str, Callable[[dict[str, Any]], Awaitable[Any]]] = {
            "GetItem": self._get_item,
            "PutItem": self._put_item,
            "UpdateItem": self._update_item,
            "DeleteItem": self._delete_item,
            "Query": self._query,
            "Scan": self._scan,
            "BatchGetItem": self._batch_get_item,
            "BatchPutItem": self._batch_put_item,
            "BatchDeleteItem": self._batch_delete_item,
            "TransactGetItems": self._transact_get_items,
            "TransactWriteItems": self._transact_write_items,
        }

    @classmethod
    def from_config(
        cls,
        source: DataSourceConfig,
        client_factory: Callable[[], Any] | None = None,
        *,
        pagination: PaginationTokens | None = None,
    ) -> DynamoDBDataSource:
        """The data source appsync.toml describes."""
        if source.type != "AMAZON_DYNAMODB" or not source.table:
            raise ValueError(
                f"data source {source.name!r} is not an AMAZON_DYNAMODB data source with a table"
            )
        return cls(source.name, source.table, client_factory, pagination=pagination)

    @property
    def operations(self) -> tuple[str, ...]:
        """The request operations this data source runs."""
        return tuple(self._handlers)

    def reset_calls(self) -> int:
        """Set `calls` back to 0; returns the count it had."""
        count, self.calls = self.calls, 0
        return count

    async def invoke(self, request: dict[str, Any], invocation: ResolverInvocation) -> Any:
        """Run one request object; returns `ctx.result` as AppSync shapes it, or raises `DataSourceError`."""
        self.calls += 1
        if not isinstance(request, dict):
            raise DataSourceError(
                f"The DynamoDB request must be an object with an `operation`, not {type(request).__name__}",
                MAPPING_TEMPLATE,
            )
        operation = request.get("operation")
        handler = self._handlers.get(operation) if isinstance(operation, str) else None
        if handler is None:
            raise DataSourceError(
                f"Unsupported DynamoDB operation {operation!r}: expected one of {', '.join(self._handlers)}",
                MAPPING_TEMPLATE,
            )
        try:
            return await handler(requests.expressions_as_objects(request))
        except MalformedRequest as exc:
            raise DataSourceError(f"{operation}: {exc}", MAPPING_TEMPLATE) from None
        except DynamoDBCallError as exc:
            raise DataSourceError(exc.message, f"DynamoDB:{exc.code}") from None

    # Single items -----------------------------------------------------------------------------------------

    async def _get_item(self, request: dict[str, Any]) -> Any:
        response = await self._run("get_item", requests.get_item(request, self.table_name))
        return to_json_item(response.get("Item"))

    async def _put_item(self, request: dict[str, Any]) -> Any:
        params = requests.put_item(request, self.table_name)
        policy = requests.condition_policy(request)
        try:
            await self._run("put_item", params)
        except DynamoDBCallError as exc:
            current = await self._on_condition_failure(exc, key_of(request), policy)
            # AppSync: a failed condition is a success when the item already is what the request would write.
            if current is not None and _same_item(current, params["Item"], policy.equals_ignore):
                return to_json_item(current)
            raise _condition_failed(exc, current, policy) from None
        return to_json_item(params["Item"])

    async def _update_item(self, request: dict[str, Any]) -> Any:
        params = requests.update_item(request, self.table_name)
        policy = requests.condition_policy(request)
        try:
            response = await self._run("update_item", params)
        except DynamoDBCallError as exc:
            # An update's outcome cannot be predicted from the request, so it is never compared.
            current = await self._on_condition_failure(exc, params["Key"], policy)
            raise _condition_failed(exc, current, policy) from None
        return to_json_item(response.get("Attributes"))

    async def _delete_item(self, request: dict[str, Any]) -> Any:
        params = requests.delete_item(request, self.table_name)
        policy = requests.condition_policy(request)
        try:
            response = await self._run("delete_item", params)
        except DynamoDBCallError as exc:
            current = await self._on_condition_failure(exc, params["Key"], policy)
            if current is None:  # already gone: what the delete wanted
                return None
            raise _condition_failed(exc, current, policy) from None
        return to_json_item(response.get("Attributes"))

    async def _on_condition_failure(
        self, exc: DynamoDBCallError, key: dict[str, Any], policy: ConditionPolicy
    ) -> dict[str, Any] | None:
        """The item as it is now (boto3 form), for a failed condition; re-raises any other error."""
        if exc.code != "ConditionalCheckFailedException":
            raise exc
        if "Item" in exc.response:
            return exc.response["Item"]
        # No item came back with the failure: it does not exist, or the engine ignores
        # ReturnValuesOnConditionCheckFailure; read it as AppSync does.
        params = {"TableName": self.table_name, "Key": key, "ConsistentRead": policy.consistent_read}
        response = await self._run("get_item", params)
        return response.get("Item")

    # Query and Scan ---------------------------------------------------------------------------------------

    async def _query(self, request: dict[str, Any]) -> PageResult:
        params = requests.query(request, self.table_name)
        return await self._page(
            "query", request, params, f"Query:{self.table_name}:{params.get('IndexName', '')}"
        )

    async def _scan(self, request: dict[str, Any]) -> PageResult:
        params = requests.scan(request, self.table_name)
        scope = f"Scan:{self.table_name}:{params.get('IndexName', '')}:{params.get('Segment', '')}"
        return await self._page("scan", request, params, scope)

    async def _page(
        self, method: str, request: dict[str, Any], params: dict[str, Any], scope: str
    ) -> PageResult:
        token = request.get("nextToken")
        if token is not None:
            try:
                params["ExclusiveStartKey"] = typed_map(self._tokens.decode(token, scope), "nextToken")
            except (InvalidPaginationToken, MalformedRequest) as exc:
                raise DataSourceError(f"{INVALID_TOKEN_MESSAGE} ({exc})", INVALID_TOKEN_TYPE) from None
        response = await self._run(method, params)
        last_key = response.get("LastEvaluatedKey")
        return {
            "items": [to_json_item(item) for item in response.get("Items", [])],
            "nextToken": self._tokens.encode(to_typed_json(last_key), scope) if last_key else None,
            "scannedCount": response.get("ScannedCount", 0),
        }

    # Batches ----------------------------------------------------------------------------------------------

    async def _batch_get_item(self, request: dict[str, Any]) -> BatchGetResult:
        request_items, added = requests.batch_get_item(request)
        response = await self._run("batch_get_item", {"RequestItems": request_items})
        found, unprocessed = response.get("Responses", {}), response.get("UnprocessedKeys", {})
        data: dict[str, list[Item | None]] = {}
        for table, entry in request_items.items():
            key_names = sorted({name for key in entry["Keys"] for name in key})
            by_key = {_key_signature(item, key_names): item for item in found.get(table, [])}
            data[table] = [
                _without(to_json_item(by_key.get(_key_signature(key, key_names))), added[table])
                for key in entry["Keys"]
            ]
        return {
            "data": data,
            "unprocessedKeys": {
                table: [to_json_item(key) for key in unprocessed.get(table, {}).get("Keys", [])]
                for table in request_items
            },
        }

    async def _batch_put_item(self, request: dict[str, Any]) -> BatchWriteResult:
        tables = requests.batch_put_item(request)
        return await self._batch_write(tables, "PutRequest", "Item", "unprocessedItems")

    async def _batch_delete_item(self, request: dict[str, Any]) -> BatchWriteResult:
        tables = requests.batch_delete_item(request)
        return await self._batch_write(tables, "DeleteRequest", "Key", "unprocessedKeys")

    async def _batch_write(
        self,
        tables: dict[str, list[dict[str, Any]]],
        kind: str,
        member: str,
        unprocessed_name: Literal["unprocessedItems", "unprocessedKeys"],
    ) -> BatchWriteResult:
        request_items = {
            table: [{kind: {member: value}} for value in values] for table, values in tables.items()
        }
        response = await self._run("batch_write_item", {"RequestItems": request_items})
        unprocessed = {
            table: [entry[kind][member] for entry in entries]
            for table, entries in response.get("UnprocessedItems", {}).items()
        }
        data = {
            table: [None if value in unprocessed.get(table, []) else to_json_item(value) for value in values]
            for table, values in tables.items()
        }
        result: BatchWriteResult = {"data": data}
        result[unprocessed_name] = {
            table: [to_json_item(v) for v in unprocessed.get(table, [])] for table in tables
        }
        return result

    # Transactions -----------------------------------------------------------------------------------------

    async def _transact_get_items(self, request: dict[str, Any]) -> TransactGetResult:
        params = {"TransactItems": requests.transact_get_items(request)}
        try:
            response = await self._run("transact_get_items", params)
        except DynamoDBCallError as exc:
            raise _transaction_failed(exc, "items") from None
        return {
            "items": [to_json_item(entry.get("Item")) for entry in response.get("Responses", [])],
            "cancellationReasons": None,
        }

    async def _transact_write_items(self, request: dict[str, Any]) -> TransactWriteResult:
        params = {"TransactItems": requests.transact_write_items(request)}
        keys = [key_of(item, f"transactItems[{i}].key") for i, item in enumerate(request["transactItems"])]
        try:
            await self._run("transact_write_items", params)
        except DynamoDBCallError as exc:
            raise _transaction_failed(exc, "keys") from None
        return {"keys": [to_json_item(key) for key in keys], "cancellationReasons": None}

    # Calls ------------------------------------------------------------------------------------------------

    async def _run(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """One DynamoDB call on a worker thread (boto3 blocks)."""
        return await asyncio.to_thread(self._call, method, params)

    def _call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        client = self._get_client()
        try:
            response: dict[str, Any] = getattr(client, method)(**params)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise DynamoDBCallError(
                str(error.get("Code", "DynamoDbException")),
                str(error.get("Message", exc)),
                dict(exc.response),
            ) from None
        except BotoCoreError as exc:
            # The developer's log gets the cause; the client gets AppSync's shape, never a local endpoint.
            logger.warning("data source %s: DynamoDB could not be reached: %s", self.name, exc)
            raise DataSourceError(UNREACHABLE_MESSAGE, UNREACHABLE_TYPE) from None
        return response

    def _get_client(self) -> Any:
        with self._client_lock:
            if self._client is None:
                self._client = self._client_factory()
            return self._client


def _condition_failed(
    exc: DynamoDBCallError, current: dict[str, Any] | None, policy: ConditionPolicy
) -> DataSourceError:
    """AppSync's rejection of a failed condition: DynamoDB's error, with the item as it is now as `data`."""
    message = exc.message
    if policy.strategy == "Custom":
        message += (
            " (conditionalCheckFailedHandler strategy Custom calls a Lambda function on AWS; the local runtime"
            " reports the failure as Reject does)"
        )
    return DataSourceError(message, f"DynamoDB:{exc.code}", data=to_json_item(current))


def _transaction_failed(exc: DynamoDBCallError, result_name: str) -> DataSourceError:
    """A cancelled transaction: `data` is the result AppSync gives (`keys`/`items` null, `cancellationReasons`)."""
    if exc.code != "TransactionCanceledException":
        return DataSourceError(exc.message, f"DynamoDB:{exc.code}")
    reasons = exc.response.get("CancellationReasons")
    if reasons is None:
        match = REASONS_IN_MESSAGE.search(exc.message)
        reasons = [{"Code": code.strip()} for code in match.group(1).split(",")] if match else []
    cancellation = [_cancellation_reason(reason) for reason in reasons]
    return DataSourceError(
        exc.message, f"DynamoDB:{exc.code}", data={result_name: None, "cancellationReasons": cancellation}
    )


def _cancellation_reason(reason: dict[str, Any]) -> CancellationReason:
    """One entry of `cancellationReasons`: AppSync shows {"type": "None", "message": "None"} for an item
    that did not fail, and the current item (when DynamoDB returned it) for one that did."""
    code = reason.get("Code", "None")
    out: CancellationReason = {
        "type": code,
        "message": reason.get("Message") or ("None" if code == "None" else None),
    }
    if reason.get("Item") is not None:
        out["item"] = to_json_item(reason["Item"])
    return out


def _same_item(current: dict[str, Any], desired: dict[str, Any], ignore: tuple[str, ...]) -> bool:
    def comparable(item: dict[str, Any]) -> dict[str, Any]:
        return {name: _comparable(value) for name, value in item.items() if name not in ignore}

    return comparable(current) == comparable(desired)


def _comparable(value: dict[str, Any]) -> Any:
    """A typed value as plain JSON with sets sorted (DynamoDB keeps no set order)."""
    kind, raw = next(iter(value.items()))
    if kind in ("SS", "NS", "BS"):
        return (kind, sorted(repr(member) for member in to_json_value(value)))
    if kind == "L":
        return [_comparable(member) for member in raw]
    if kind == "M":
        return {name: _comparable(member) for name, member in raw.items()}
    return to_json_value(value)


def _key_signature(item: dict[str, Any], key_names: list[str]) -> tuple[Any, ...]:
    return tuple(repr(_comparable(item[name])) if name in item else None for name in key_names)


def _without(item: dict[str, Any] | None, names: tuple[str, ...]) -> dict[str, Any] | None:
    if item is None or not names:
        return item
    return {name: value for name, value in item.items() if name not in names}
