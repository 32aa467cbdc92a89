"""``Subscriptions`` on the PremiumUsers table (key ``userId``) and ``Purchases`` on the Purchases table
(keys ``userId``, ``mediaId``)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from resolvers.media.adapters.dynamodb_media import conditional_check_failed
from resolvers.media.domain.models import PremiumSubscription, Purchase
from resolvers.records import from_stored, stored_form


class DynamoDbSubscriptions:
    """One subscription per user; starting one is a write conditional on none being active.

    Parameters
    ----------
    table
        A boto3 ``Table`` resource for the PremiumUsers table.
    """

    def __init__(self, table: Any) -> None:
        self._table = table

    def get(self, user_id: str) -> PremiumSubscription | None:
        item = self._table.get_item(Key={"userId": user_id}, ConsistentRead=True).get("Item")
        return None if item is None else from_stored(PremiumSubscription, item)

    def start(self, subscription: PremiumSubscription) -> bool:
        try:
            self._table.put_item(
                Item=stored_form(subscription),
                # AWSDateTimes in one format (UTC, milliseconds) compare as text in time order.
                ConditionExpression=(
                    "attribute_not_exists(#userId) OR #status <> :active OR #periodEnd <= :start"
                ),
                ExpressionAttributeNames={
                    "#userId": "userId",
                    "#status": "status",
                    "#periodEnd": "currentPeriodEnd",
                },
                ExpressionAttributeValues={
                    ":active": "ACTIVE",
                    ":start": subscription.current_period_start,
                },
            )
        except ClientError as error:
            if not conditional_check_failed(error):
                raise
            return False
        return True

    def cancel(self, user_id: str, *, canceled_at: str) -> PremiumSubscription | None:
        try:
            answer = self._table.update_item(
                Key={"userId": user_id},
                UpdateExpression="SET #status = :canceled, #canceledAt = :now, #updatedAt = :now",
                ConditionExpression="attribute_exists(#userId) AND #status <> :canceled",
                ExpressionAttributeNames={
                    "#userId": "userId",
                    "#status": "status",
                    "#canceledAt": "canceledAt",
                    "#updatedAt": "updatedAt",
                },
                ExpressionAttributeValues={":canceled": "CANCELED", ":now": canceled_at},
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if not conditional_check_failed(error):
                raise
            return self.get(user_id)  # none, or canceled already: as it is
        return from_stored(PremiumSubscription, answer["Attributes"])


class DynamoDbPurchases:
    """One purchase per user and media item; the first one is kept.

    Parameters
    ----------
    table
        A boto3 ``Table`` resource for the Purchases table.
    """

    def __init__(self, table: Any) -> None:
        self._table = table

    def get(self, user_id: str, media_id: str) -> Purchase | None:
        item = self._table.get_item(Key={"userId": user_id, "mediaId": media_id}, ConsistentRead=True).get(
            "Item"
        )
        return None if item is None else from_stored(Purchase, item)

    def add(self, purchase: Purchase) -> Purchase:
        try:
            self._table.put_item(
                Item=stored_form(purchase),
                ConditionExpression="attribute_not_exists(#userId)",
                ExpressionAttributeNames={"#userId": "userId"},
            )
        except ClientError as error:
            if not conditional_check_failed(error):
                raise
            existing = self.get(purchase.user_id, purchase.media_id)
            return existing if existing is not None else purchase
        return purchase
