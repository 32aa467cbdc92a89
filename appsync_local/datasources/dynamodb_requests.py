"""AppSync DynamoDB request objects (APPSYNC_JS) turned into boto3 call parameters.

Pure functions: each checks one request object and returns the parameters of the DynamoDB call that AppSync
makes for it. A malformed request raises `MalformedRequest`, which AppSync reports as `MappingTemplate`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from appsync_local.datasources.dynamodb_values import TypedValueError, to_boto_map

SELECT_VALUES = ("ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT")
TRANSACT_WRITE_OPERATIONS = ("PutItem", "UpdateItem", "DeleteItem", "ConditionCheck")
FAILED_CONDITION_STRATEGIES = ("Reject", "Custom")


class MalformedRequest(ValueError):
    """The request object is not one AppSync's DynamoDB data source accepts; the message says why."""


@dataclass
class Expressions:
    """The placeholders (`#name`, `:value`) of every expression of one DynamoDB call, merged into one map each."""

    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    def add(self, section: Any, where: str, *, with_values: bool = True) -> str:
        """Take `{expression, expressionNames, expressionValues}`; return the expression text."""
        if not isinstance(section, dict):
            raise MalformedRequest(f"{where} must be an object with an `expression`")
        expression = section.get("expression")
        if not isinstance(expression, str) or not expression.strip():
            raise MalformedRequest(f"{where}.expression is required and must be a non-empty string")
        names = section.get("expressionNames") or {}
        if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
            raise MalformedRequest(
                f"{where}.expressionNames must map placeholders like #name to attribute names"
            )
        for placeholder, name in names.items():
            self._merge(self.names, placeholder, name, where)
        values = section.get("expressionValues") or {}
        if values and not with_values:
            raise MalformedRequest(f"{where} takes no expressionValues")
        for placeholder, value in typed_map(values, f"{where}.expressionValues").items():
            self._merge(self.values, placeholder, value, where)
        return expression

    def apply(self, params: dict[str, Any]) -> dict[str, Any]:
        """Add the merged maps to `params` (DynamoDB rejects empty ones, so those are left out)."""
        if self.names:
            params["ExpressionAttributeNames"] = dict(self.names)
        if self.values:
            params["ExpressionAttributeValues"] = dict(self.values)
        return params

    @staticmethod
    def _merge(target: dict[str, Any], placeholder: str, value: Any, where: str) -> None:
        if placeholder in target and target[placeholder] != value:
            raise MalformedRequest(
                f"{where}: placeholder {placeholder} has two different values in one request"
            )
        target[placeholder] = value


@dataclass(frozen=True)
class ConditionPolicy:
    """What AppSync does when a PutItem, UpdateItem or DeleteItem condition fails."""

    equals_ignore: tuple[str, ...] = ()
    consistent_read: bool = True
    strategy: str = "Reject"


_EXPRESSION_FIELDS = ("condition", "filter")


def expressions_as_objects(request: dict[str, Any]) -> dict[str, Any]:
    """The request with `condition`/`filter` given as JSON text (what util.transform returns) parsed.

    AppSync's examples pass `util.transform.toDynamoDBConditionExpression(...)` straight into `condition`.
    """

    def parsed(value: Any, where: str) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise MalformedRequest(f"{where} is a string but not JSON: {exc}") from None

    out = dict(request)
    for name in _EXPRESSION_FIELDS:
        if name in out:
            out[name] = parsed(out[name], name)
    items = out.get("transactItems")
    if isinstance(items, list):
        out["transactItems"] = [
            {**item, "condition": parsed(item["condition"], f"transactItems[{i}].condition")}
            if isinstance(item, dict) and "condition" in item
            else item
            for i, item in enumerate(items)
        ]
    return out


def typed_map(values: Any, where: str) -> dict[str, Any]:
    """A map of typed values in boto3 form, or `MalformedRequest`."""
    try:
        return to_boto_map(values, where)
    except TypedValueError as exc:
        raise MalformedRequest(str(exc)) from exc


def key_of(request: dict[str, Any], where: str = "key") -> dict[str, Any]:
    """The request's required, non-empty `key`."""
    if request.get("key") is None:
        raise MalformedRequest(f"{where} is required: the item's primary key as DynamoDB typed values")
    key = typed_map(request["key"], where)
    if not key:
        raise MalformedRequest(f"{where} must name the item's primary key attributes")
    return key


def get_item(request: dict[str, Any], table: str) -> dict[str, Any]:
    params: dict[str, Any] = {"TableName": table, "Key": key_of(request)}
    _consistent_read(request, params)
    expressions = Expressions()
    _projection(request, params, expressions)
    return expressions.apply(params)


def put_item(request: dict[str, Any], table: str) -> dict[str, Any]:
    key = key_of(request)
    attributes = typed_map(request.get("attributeValues") or {}, "attributeValues")
    params: dict[str, Any] = {"TableName": table, "Item": {**attributes, **key}}
    expressions = Expressions()
    _condition(request, params, expressions)
    return expressions.apply(params)


def update_item(request: dict[str, Any], table: str) -> dict[str, Any]:
    if request.get("update") is None:
        raise MalformedRequest("update is required: {expression, expressionNames?, expressionValues?}")
    params: dict[str, Any] = {"TableName": table, "Key": key_of(request), "ReturnValues": "ALL_NEW"}
    expressions = Expressions()
    params["UpdateExpression"] = expressions.add(request["update"], "update")
    _condition(request, params, expressions)
    return expressions.apply(params)


def delete_item(request: dict[str, Any], table: str) -> dict[str, Any]:
    params: dict[str, Any] = {"TableName": table, "Key": key_of(request), "ReturnValues": "ALL_OLD"}
    expressions = Expressions()
    _condition(request, params, expressions)
    return expressions.apply(params)


def query(request: dict[str, Any], table: str) -> dict[str, Any]:
    if request.get("query") is None:
        raise MalformedRequest("query is required: {expression, expressionNames?, expressionValues?}")
    params: dict[str, Any] = {"TableName": table}
    expressions = Expressions()
    params["KeyConditionExpression"] = expressions.add(request["query"], "query")
    scan_forward = request.get("scanIndexForward", True)
    if not isinstance(scan_forward, bool):
        raise MalformedRequest("scanIndexForward must be true or false")
    params["ScanIndexForward"] = scan_forward
    _listing(request, params, expressions)
    return expressions.apply(params)


def scan(request: dict[str, Any], table: str) -> dict[str, Any]:
    params: dict[str, Any] = {"TableName": table}
    expressions = Expressions()
    _listing(request, params, expressions)
    segment, total = request.get("segment"), request.get("totalSegments")
    if (segment is None) != (total is None):
        raise MalformedRequest("segment and totalSegments go together: give both or neither")
    if total is not None:
        params["TotalSegments"] = _positive_int(total, "totalSegments")
        if not isinstance(segment, int) or isinstance(segment, bool) or not 0 <= segment < total:
            raise MalformedRequest("segment must be an integer from 0 to totalSegments - 1")
        params["Segment"] = segment
    return expressions.apply(params)


def batch_get_item(request: dict[str, Any]) -> tuple[dict[str, Any], dict[str, tuple[str, ...]]]:
    """`RequestItems` of BatchGetItem, and per table the key attributes added to its projection.

    DynamoDB returns a batch's items in no order; AppSync returns them in key order, so key attributes a
    projection leaves out are fetched too (and dropped from the result afterwards).
    """
    items: dict[str, Any] = {}
    added: dict[str, tuple[str, ...]] = {}
    for table, spec in _tables(request).items():
        where = f"tables.{table}"
        if isinstance(spec, list):
            # AppSync's BatchGetItem example gives a table its keys as a plain list
            spec = {"keys": spec}
        if not isinstance(spec, dict):
            raise MalformedRequest(f"{where} must be an object with `keys` (or a list of keys)")
        keys = _list(spec.get("keys"), f"{where}.keys")
        if not keys:
            raise MalformedRequest(f"{where}.keys must hold at least one key")
        entry: dict[str, Any] = {"Keys": [typed_map(k, f"{where}.keys[{i}]") for i, k in enumerate(keys)]}
        _consistent_read(spec, entry, where)
        added[table] = ()
        if spec.get("projection") is not None:
            expressions = Expressions()
            projection = expressions.add(spec["projection"], f"{where}.projection", with_values=False)
            projected = _top_level_names(projection, expressions.names)
            missing = sorted({name for key in entry["Keys"] for name in key} - projected)
            for index, name in enumerate(missing):
                expressions.names[f"#appsyncKey{index}"] = name
            entry["ProjectionExpression"] = ", ".join(
                [projection, *(f"#appsyncKey{i}" for i in range(len(missing)))]
            )
            entry["ExpressionAttributeNames"] = expressions.names
            added[table] = tuple(missing)
        items[table] = entry
    return items, added


def _top_level_names(projection: str, names: dict[str, str]) -> set[str]:
    """The top-level attributes a projection expression names (`a.b[0]` names `a`)."""
    result = set()
    for path in projection.split(","):
        head = path.strip().split(".")[0].split("[")[0].strip()
        result.add(names.get(head, head))
    return result


def batch_put_item(request: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The items to write, per table."""
    return {
        table: [
            typed_map(item, f"tables.{table}[{i}]") for i, item in enumerate(_list(items, f"tables.{table}"))
        ]
        for table, items in _tables(request).items()
    }


def batch_delete_item(request: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The keys to delete, per table."""
    return batch_put_item(request)


def transact_get_items(request: dict[str, Any]) -> list[dict[str, Any]]:
    """`TransactItems` of TransactGetItems."""
    calls = []
    for index, item in enumerate(_transact_items(request)):
        where = f"transactItems[{index}]"
        get: dict[str, Any] = {"TableName": _table_name(item, where), "Key": key_of(item, f"{where}.key")}
        expressions = Expressions()
        _projection(item, get, expressions, where)
        calls.append({"Get": expressions.apply(get)})
    return calls


def transact_write_items(request: dict[str, Any]) -> list[dict[str, Any]]:
    """`TransactItems` of TransactWriteItems."""
    calls = []
    for index, item in enumerate(_transact_items(request)):
        where = f"transactItems[{index}]"
        operation = item.get("operation")
        if operation not in TRANSACT_WRITE_OPERATIONS:
            raise MalformedRequest(
                f"{where}.operation must be one of {', '.join(TRANSACT_WRITE_OPERATIONS)}, not {operation!r}"
            )
        table, key = _table_name(item, where), key_of(item, f"{where}.key")
        expressions = Expressions()
        write: dict[str, Any] = {"TableName": table}
        if operation == "PutItem":
            attributes = typed_map(item.get("attributeValues") or {}, f"{where}.attributeValues")
            write["Item"] = {**attributes, **key}
        else:
            write["Key"] = key
        if operation == "UpdateItem":
            if item.get("update") is None:
                raise MalformedRequest(f"{where}.update is required for UpdateItem")
            write["UpdateExpression"] = expressions.add(item["update"], f"{where}.update")
        condition = item.get("condition")
        if condition is not None:
            write["ConditionExpression"] = expressions.add(condition, f"{where}.condition")
            if condition.get("returnValuesOnConditionCheckFailure", True):
                write["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        elif operation == "ConditionCheck":
            raise MalformedRequest(f"{where}.condition is required for ConditionCheck")
        name = {"PutItem": "Put", "UpdateItem": "Update", "DeleteItem": "Delete"}.get(
            operation, "ConditionCheck"
        )
        calls.append({name: expressions.apply(write)})
    return calls


def condition_policy(request: dict[str, Any]) -> ConditionPolicy:
    """How a failed condition of this PutItem, UpdateItem or DeleteItem is handled."""
    condition = request.get("condition")
    if not isinstance(condition, dict):
        return ConditionPolicy()
    ignore = condition.get("equalsIgnore") or []
    if not isinstance(ignore, list) or not all(isinstance(name, str) for name in ignore):
        raise MalformedRequest("condition.equalsIgnore must be a list of attribute names")
    consistent = condition.get("consistentRead", True)
    if not isinstance(consistent, bool):
        raise MalformedRequest("condition.consistentRead must be true or false")
    handler = condition.get("conditionalCheckFailedHandler") or {}
    strategy = handler.get("strategy", "Reject") if isinstance(handler, dict) else None
    if strategy not in FAILED_CONDITION_STRATEGIES:
        raise MalformedRequest("condition.conditionalCheckFailedHandler.strategy must be Reject or Custom")
    return ConditionPolicy(equals_ignore=tuple(ignore), consistent_read=consistent, strategy=strategy)


def limit_of(request: dict[str, Any]) -> int | None:
    """The request's `limit`, if any."""
    limit = request.get("limit")
    return None if limit is None else _positive_int(limit, "limit")


def _listing(request: dict[str, Any], params: dict[str, Any], expressions: Expressions) -> None:
    """What Query and Scan share: index, filter, limit, consistent read, select and projection."""
    index = request.get("index")
    if index is not None:
        if not isinstance(index, str) or not index:
            raise MalformedRequest("index must be the name of a secondary index")
        params["IndexName"] = index
    if request.get("filter") is not None:
        params["FilterExpression"] = expressions.add(request["filter"], "filter")
    limit = limit_of(request)
    if limit is not None:
        params["Limit"] = limit
    _consistent_read(request, params)
    select = request.get("select")
    if select is not None:
        if select not in SELECT_VALUES:
            raise MalformedRequest(f"select must be one of {', '.join(SELECT_VALUES)}")
        params["Select"] = select
    _projection(request, params, expressions)


def _condition(request: dict[str, Any], params: dict[str, Any], expressions: Expressions) -> None:
    condition = request.get("condition")
    if condition is None:
        return
    params["ConditionExpression"] = expressions.add(condition, "condition")
    condition_policy(request)
    # The current item comes back with the failure, in the same call, to report it or to compare it.
    params["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"


def _projection(
    request: dict[str, Any], params: dict[str, Any], expressions: Expressions, where: str = ""
) -> None:
    if request.get("projection") is not None:
        label = f"{where}.projection" if where else "projection"
        params["ProjectionExpression"] = expressions.add(request["projection"], label, with_values=False)


def _consistent_read(request: dict[str, Any], params: dict[str, Any], where: str = "") -> None:
    consistent = request.get("consistentRead")
    if consistent is None:
        return
    if not isinstance(consistent, bool):
        raise MalformedRequest(f"{where + '.' if where else ''}consistentRead must be true or false")
    params["ConsistentRead"] = consistent


def _tables(request: dict[str, Any]) -> dict[str, Any]:
    tables = request.get("tables")
    if not isinstance(tables, dict) or not tables:
        raise MalformedRequest("tables is required: a map from table name to what to do in that table")
    return tables


def _transact_items(request: dict[str, Any]) -> list[dict[str, Any]]:
    items = _list(request.get("transactItems"), "transactItems")
    if not items:
        raise MalformedRequest("transactItems must hold at least one item")
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise MalformedRequest(f"transactItems[{index}] must be an object")
    return items


def _table_name(item: dict[str, Any], where: str) -> str:
    table = item.get("table")
    if not isinstance(table, str) or not table:
        raise MalformedRequest(f"{where}.table is required: the DynamoDB table's name")
    return table


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise MalformedRequest(f"{where} must be a list")
    return value


def _positive_int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise MalformedRequest(f"{where} must be a positive integer")
    return value
