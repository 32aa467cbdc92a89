"""AppSync's API keys of one API, through its control plane (boto3's `appsync` client)."""

from __future__ import annotations

from typing import Any

from functions.api_key_rotation.domain.models import ApiKey


class AppSyncApiKeys:
    """The keys of the API `api_id`.

    Parameters
    ----------
    client
        A boto3 AppSync client.
    api_id
        The API's id.
    """

    def __init__(self, client: Any, api_id: str) -> None:
        self._client = client
        self._api_id = api_id

    def list(self) -> list[ApiKey]:
        keys: list[ApiKey] = []
        for page in self._client.get_paginator("list_api_keys").paginate(apiId=self._api_id):
            keys += [_api_key(item) for item in page.get("apiKeys", [])]
        return keys

    def create(self, expires: int, description: str) -> ApiKey:
        created = self._client.create_api_key(apiId=self._api_id, description=description, expires=expires)
        return _api_key(created["apiKey"])

    def delete(self, key_id: str) -> None:
        self._client.delete_api_key(apiId=self._api_id, id=key_id)


def _api_key(item: dict[str, Any]) -> ApiKey:
    return ApiKey(id=item["id"], expires=int(item["expires"]), description=item.get("description") or "")
