"""``MediaRecords`` on the Media table (partition key ``id``): writes conditional on the awaited upload."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError


class DynamoDbMediaRecords:
    """Reads which upload an item awaits, and records an upload's outcome only while the item awaits it.

    Parameters
    ----------
    table
        A boto3 ``Table`` resource for the Media table.
    """

    def __init__(self, table: Any) -> None:
        self._table = table

    def awaited_upload(self, media_id: str) -> tuple[bool, str | None]:
        item = self._table.get_item(
            Key={"id": media_id},
            ConsistentRead=True,
            ProjectionExpression="#id, #uploadKey",
            ExpressionAttributeNames={"#id": "id", "#uploadKey": "uploadKey"},
        ).get("Item")
        if item is None:
            return False, None
        awaited = item.get("uploadKey")
        return True, awaited if isinstance(awaited, str) else None

    def mark_ready(
        self,
        media_id: str,
        upload_key: str,
        *,
        content_type: str,
        size: int,
        poster_key: str | None,
        updated_at: str,
    ) -> bool:
        values: dict[str, Any] = {
            ":key": upload_key,
            ":ready": "READY",
            ":contentType": content_type,
            ":size": size,
            ":now": updated_at,
        }
        sets = "#status = :ready, #objectKey = :key, #contentType = :contentType, #size = :size, #updatedAt = :now"
        removes = "#uploadKey, #statusReason"
        # The poster belongs to the file it was made from; a URL an older item kept goes with it.
        removes += ", #thumbnailUrl"
        if poster_key is None:
            removes += ", #posterKey"
        else:
            sets += ", #posterKey = :posterKey"
            values[":posterKey"] = poster_key
        return self._update(
            media_id,
            f"SET {sets} REMOVE {removes}",
            {
                "#status": "status",
                "#objectKey": "objectKey",
                "#contentType": "contentType",
                "#size": "size",
                "#updatedAt": "updatedAt",
                "#uploadKey": "uploadKey",
                "#statusReason": "statusReason",
                "#thumbnailUrl": "thumbnailUrl",
                "#posterKey": "posterKey",
            },
            values,
        )

    def mark_failed(self, media_id: str, upload_key: str, *, reason: str, updated_at: str) -> bool:
        return self._update(
            media_id,
            "SET #status = :failed, #statusReason = :reason, #updatedAt = :now REMOVE #uploadKey",
            {
                "#status": "status",
                "#statusReason": "statusReason",
                "#updatedAt": "updatedAt",
                "#uploadKey": "uploadKey",
            },
            {":key": upload_key, ":failed": "FAILED", ":reason": reason, ":now": updated_at},
        )

    def _update(self, media_id: str, expression: str, names: dict[str, str], values: dict[str, Any]) -> bool:
        try:
            self._table.update_item(
                Key={"id": media_id},
                UpdateExpression=expression,
                ConditionExpression="#uploadKey = :key",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            return False
        return True
