"""``MediaCatalog`` on the Media table (partition key ``id``)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from resolvers.media.domain.errors import NotFoundError
from resolvers.media.domain.models import Media
from resolvers.records import from_stored


def conditional_check_failed(error: ClientError) -> bool:
    """Whether DynamoDB refused a write because its condition did not hold."""
    return bool(error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException")


class DynamoDbMediaCatalog:
    """Reads media items, and records which upload one awaits.

    Parameters
    ----------
    table
        A boto3 ``Table`` resource for the Media table.
    """

    def __init__(self, table: Any) -> None:
        self._table = table

    def get(self, media_id: str) -> Media | None:
        item = self._table.get_item(Key={"id": media_id}, ConsistentRead=True).get("Item")
        return None if item is None else from_stored(Media, item)

    def await_upload(self, media_id: str, *, upload_key: str, updated_at: str) -> None:
        try:
            self._table.update_item(
                Key={"id": media_id},
                UpdateExpression=(
                    "SET #uploadKey = :uploadKey, #status = :pending, #updatedAt = :now REMOVE #statusReason"
                ),
                ConditionExpression="attribute_exists(#id)",
                ExpressionAttributeNames={
                    "#id": "id",
                    "#uploadKey": "uploadKey",
                    "#status": "status",
                    "#statusReason": "statusReason",
                    "#updatedAt": "updatedAt",
                },
                ExpressionAttributeValues={
                    ":uploadKey": upload_key,
                    ":pending": "PENDING_UPLOAD",
                    ":now": updated_at,
                },
            )
        except ClientError as error:
            if not conditional_check_failed(error):
                raise
            raise NotFoundError(f"Media '{media_id}' not found") from None
