"""Ports of the API key rotation: the API's keys, and where clients read the key."""

from __future__ import annotations

from typing import Protocol

from functions.api_key_rotation.domain.models import ApiKey, PublishedKey


class ApiKeys(Protocol):
    """The API's keys (AppSync's control plane)."""

    def list(self) -> list[ApiKey]:
        """Every key of the API, expired ones included."""
        ...

    def create(self, expires: int, description: str) -> ApiKey:
        """A new key expiring at `expires` (epoch seconds)."""
        ...

    def delete(self, key_id: str) -> None:
        """Delete a key; clients using it are refused from then on."""
        ...


class KeyPublication(Protocol):
    """Where clients read the API key (the site's config file)."""

    def read(self) -> PublishedKey:
        """The key clients read now, and since when; raises ``SiteConfigMissing`` when there is none to update."""
        ...

    def publish(self, api_key: str) -> None:
        """Make `api_key` the key clients read, leaving the rest of what they read as it is."""
        ...
