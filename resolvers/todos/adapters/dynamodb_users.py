"""The Users table: partition key ``id`` (the Cognito sub)."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError

from resolvers.records import camel, from_stored, stored_form
from resolvers.todos.adapters.dynamodb_common import is_conditional_check_failure, update_expression
from resolvers.todos.domain.errors import NotFoundError
from resolvers.todos.domain.models import PublicProfile, UserProfile

BATCH_GET_MAX_KEYS = 100  # DynamoDB's BatchGetItem limit
_BATCH_GET_ATTEMPTS = 5


def profile_to_item(profile: UserProfile) -> dict[str, Any]:
    """The DynamoDB item for ``profile`` (absent optional fields are left out)."""
    return stored_form(profile)


def profile_from_item(item: Mapping[str, Any]) -> UserProfile:
    """The profile stored in ``item``."""
    return from_stored(UserProfile, item)


class DynamoDbProfileRepository:
    """``ProfileRepository`` on a DynamoDB table.

    Parameters
    ----------
    table
        A boto3 ``Table`` resource for the Users table.
    """

    def __init__(self, table: Any) -> None:
        self._table = table

    def add_if_absent(self, profile: UserProfile) -> None:
        try:
            self._table.put_item(Item=profile_to_item(profile), ConditionExpression=Attr("id").not_exists())
        except ClientError as error:
            if not is_conditional_check_failure(error):
                raise

    def get(self, user_id: str) -> UserProfile | None:
        item = self._table.get_item(Key={"id": user_id}, ConsistentRead=True).get("Item")
        return profile_from_item(item) if item else None

    def update(self, user_id: str, *, changes: Mapping[str, object | None], updated_at: str) -> UserProfile:
        expression, names, values = update_expression(
            {camel(field): value for field, value in changes.items()}, {"updatedAt": updated_at}
        )
        names["#id"] = "id"
        try:
            response = self._table.update_item(
                Key={"id": user_id},
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(#id)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if not is_conditional_check_failure(error):
                raise
            raise NotFoundError(f"Profile {user_id!r} not found") from None
        return profile_from_item(response["Attributes"])

    def get_public_profiles(self, user_ids: Sequence[str]) -> dict[str, PublicProfile]:
        found: dict[str, PublicProfile] = {}
        unique = list(dict.fromkeys(user_ids))
        for start in range(0, len(unique), BATCH_GET_MAX_KEYS):
            chunk = unique[start : start + BATCH_GET_MAX_KEYS]
            for item in self._batch_get([{"id": user_id} for user_id in chunk]):
                found[item["id"]] = from_stored(PublicProfile, item)
        return found

    def _batch_get(self, keys: list[dict[str, str]]) -> list[dict[str, Any]]:
        """BatchGetItem that retries unprocessed keys (DynamoDB returns them under load) a few times."""
        table_name = self._table.name
        # Only the public attributes are read, so private fields never leave the table on this path.
        request: dict[str, Any] = {
            table_name: {
                "Keys": keys,
                "ProjectionExpression": "#id, #name, #bio",
                "ExpressionAttributeNames": {"#id": "id", "#name": "name", "#bio": "bio"},
            }
        }
        items: list[dict[str, Any]] = []
        for attempt in range(_BATCH_GET_ATTEMPTS):
            response = self._table.meta.client.batch_get_item(RequestItems=request)
            items.extend(response.get("Responses", {}).get(table_name, []))
            request = response.get("UnprocessedKeys") or {}
            if not request:
                return items
            time.sleep(0.05 * 2**attempt)  # back off as DynamoDB asks when it throttles a batch
        raise RuntimeError(f"DynamoDB left {len(request[table_name]['Keys'])} keys unprocessed after retries")
