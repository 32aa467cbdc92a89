"""The Todos table: key (``ownerId``, ``id``); GSI ``byOwnerCreatedAt`` (``ownerId``, ``createdAt``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from resolvers.records import camel, from_stored, plain, stored_form
from resolvers.todos.adapters.dynamodb_common import (
    is_conditional_check_failure,
    item_from_condition_failure,
    update_expression,
)
from resolvers.todos.domain.errors import ConflictError, NotFoundError
from resolvers.todos.domain.models import Todo, TodoCursor, TodoQueryPage

NEWEST_FIRST_INDEX = "byOwnerCreatedAt"


def todo_to_item(todo: Todo) -> dict[str, Any]:
    """The DynamoDB item for ``todo`` (absent optional fields are left out, not stored as null)."""
    return stored_form(todo)


def todo_from_item(item: Mapping[str, Any]) -> Todo:
    """The todo stored in ``item``."""
    return from_stored(Todo, item)


class DynamoDbTodoRepository:
    """``TodoRepository`` on a DynamoDB table; every check is a ConditionExpression on the write itself.

    Parameters
    ----------
    table
        A boto3 ``Table`` resource for the Todos table.
    """

    def __init__(self, table: Any) -> None:
        self._table = table

    def get(self, owner_id: str, todo_id: str) -> Todo | None:
        item = self._table.get_item(Key={"ownerId": owner_id, "id": todo_id}, ConsistentRead=True).get("Item")
        return todo_from_item(item) if item else None

    def add(self, todo: Todo) -> None:
        self._table.put_item(Item=todo_to_item(todo), ConditionExpression=Attr("id").not_exists())

    def update(
        self,
        owner_id: str,
        todo_id: str,
        *,
        expected_version: int,
        changes: Mapping[str, object | None],
        updated_at: str,
    ) -> Todo:
        expression, names, values = update_expression(
            {camel(field): value for field, value in changes.items()},
            {"version": expected_version + 1, "updatedAt": updated_at},
        )
        names["#id"] = "id"
        names["#version"] = "version"
        values[":expected"] = expected_version
        try:
            response = self._table.update_item(
                Key={"ownerId": owner_id, "id": todo_id},
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(#id) AND #version = :expected",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if not is_conditional_check_failure(error):
                raise
            raise self._why_update_failed(error, owner_id, todo_id, expected_version) from None
        return todo_from_item(response["Attributes"])

    def delete(self, owner_id: str, todo_id: str) -> Todo:
        try:
            response = self._table.delete_item(
                Key={"ownerId": owner_id, "id": todo_id},
                ConditionExpression=Attr("id").exists(),
                ReturnValues="ALL_OLD",
            )
        except ClientError as error:
            if not is_conditional_check_failure(error):
                raise
            raise NotFoundError(f"Todo {todo_id!r} not found") from None
        return todo_from_item(response["Attributes"])

    def query_newest_first(
        self, owner_id: str, *, limit: int, done: bool | None, after: TodoCursor | None
    ) -> TodoQueryPage:
        request: dict[str, Any] = {
            "IndexName": NEWEST_FIRST_INDEX,
            "KeyConditionExpression": Key("ownerId").eq(owner_id),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if done is not None:
            request["FilterExpression"] = Attr("done").eq(done)
        if after is not None:
            request["ExclusiveStartKey"] = {
                "ownerId": owner_id,
                "createdAt": after.created_at,
                "id": after.id,
            }
        response = self._table.query(**request)
        last = response.get("LastEvaluatedKey")
        cursor = TodoCursor(created_at=last["createdAt"], id=last["id"]) if last else None
        return TodoQueryPage(items=[todo_from_item(item) for item in response.get("Items", [])], next=cursor)

    def _why_update_failed(
        self, error: ClientError, owner_id: str, todo_id: str, expected_version: int
    ) -> ConflictError | NotFoundError:
        old = item_from_condition_failure(error)
        if old is None:
            # Engines without ReturnValuesOnConditionCheckFailure: read once to tell the two cases apart.
            current = self.get(owner_id, todo_id)
            old = todo_to_item(current) if current else None
        if old is None:
            return NotFoundError(f"Todo {todo_id!r} not found")
        actual = int(plain(old.get("version", 0)))
        return ConflictError(
            f"Todo {todo_id!r} was changed by someone else: expected version {expected_version} but the todo "
            f"is at version {actual}. Read it again and retry.",
            expected_version=expected_version,
            actual_version=actual,
        )
