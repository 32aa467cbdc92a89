"""``PostPhotoClaims`` on the Posts table (partition key ``id``)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from resolvers.post_photos.domain.errors import NotFoundError


class DynamoDbPostPhotoClaims:
    """One conditional UpdateItem per claim: ownership is a condition of the write, never a read before it.

    Parameters
    ----------
    table
        A boto3 ``Table`` resource for the Posts table.
    """

    def __init__(self, table: Any) -> None:
        self._table = table

    def await_photo(self, post_id: str, *, author_id: str, photo_key: str, updated_at: str) -> None:
        try:
            self._table.update_item(
                Key={"id": post_id},
                UpdateExpression=(
                    "SET #photoKey = :photoKey, #imageStatus = :pending, #updatedAt = :now REMOVE #imageError"
                ),
                # A missing post has no authorId, so the same condition refuses it: both read "not found".
                ConditionExpression="#authorId = :caller",
                ExpressionAttributeNames={
                    "#photoKey": "photoKey",
                    "#imageStatus": "imageStatus",
                    "#imageError": "imageError",
                    "#updatedAt": "updatedAt",
                    "#authorId": "authorId",
                },
                ExpressionAttributeValues={
                    ":photoKey": photo_key,
                    ":pending": "PENDING",
                    ":now": updated_at,
                    ":caller": author_id,
                },
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            raise NotFoundError(f"Post '{post_id}' not found") from None
