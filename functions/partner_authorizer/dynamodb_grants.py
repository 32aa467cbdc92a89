"""The grants table (DynamoDB): one item per token hash. The only module here that touches AWS."""

from __future__ import annotations

from typing import Any

from functions.partner_authorizer.grants import Grant


def _strings(value: Any) -> frozenset[str]:
    if isinstance(value, set | list | tuple):
        return frozenset(str(item) for item in value)
    return frozenset()


class DynamoDBGrants:
    """`GrantStore` on a table keyed by `tokenHash`: partnerId, sources and scopes (string sets), status,
    expiresAt (epoch seconds, optional)."""

    def __init__(self, table: Any) -> None:
        self._table = table

    @classmethod
    def named(cls, table_name: str) -> DynamoDBGrants:
        import boto3

        return cls(boto3.resource("dynamodb").Table(table_name))

    def find(self, token_hash: str) -> Grant | None:
        item = self._table.get_item(Key={"tokenHash": token_hash}, ConsistentRead=True).get("Item")
        if item is None:
            return None
        expires = item.get("expiresAt")
        return Grant(
            partner_id=str(item.get("partnerId", "")),
            sources=_strings(item.get("sources")),
            scopes=_strings(item.get("scopes")),
            active=item.get("status") == "ACTIVE",
            expires_at=int(expires) if expires is not None else None,
        )
