"""Domain objects in the shape of the GraphQL contract's types (derived from the records' fields)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from resolvers.media.domain.models import (
    STORAGE_ONLY_FIELDS,
    Media,
    MediaUploadUrl,
    Membership,
    Purchase,
    SignedUrl,
)
from resolvers.records import contract_form


def media(value: Media, cdn_base_url: str) -> dict[str, Any]:
    """A ``Media``: the catalog's fields only (where its file is stays inside), its poster's URL made from the
    distribution's base URL and the poster's key."""
    shown = {k: v for k, v in contract_form(value).items() if k not in STORAGE_ONLY_FIELDS}
    if value.poster_key:
        shown["thumbnailUrl"] = f"{cdn_base_url.rstrip('/')}/{quote(value.poster_key, safe='/')}"
    return shown


def premium_subscription(value: Membership | None) -> dict[str, Any] | None:
    """A ``PremiumSubscription``, or None."""
    return None if value is None else contract_form(value)


def purchase(value: Purchase, item: Media | None, cdn_base_url: str) -> dict[str, Any]:
    """A ``Purchase`` with its media item."""
    shown = {k: v for k, v in contract_form(value).items() if k != "userId"}  # the caller knows who they are
    return {**shown, "media": None if item is None else media(item, cdn_base_url)}


def signed_url(value: SignedUrl) -> dict[str, Any]:
    """A ``SignedUrl``."""
    return contract_form(value)


def media_upload_url(value: MediaUploadUrl) -> dict[str, Any]:
    """A ``MediaUploadUrl``."""
    return contract_form(value)
