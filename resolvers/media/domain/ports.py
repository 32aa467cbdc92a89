"""Ports: what the media services need from storage and signing. Adapters (and test fakes) implement them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from resolvers.media.domain.models import Media, PremiumSubscription, Purchase


class MediaCatalog(Protocol):
    """The Media table."""

    def get(self, media_id: str) -> Media | None:
        """The media item, or None when there is none (a strongly consistent read)."""
        ...

    def await_upload(self, media_id: str, *, upload_key: str, updated_at: str) -> None:
        """Record that the item now awaits the upload ``upload_key`` (status PENDING_UPLOAD, no reason), in one
        conditional write on an existing item; ``NotFoundError`` when there is none."""
        ...


class Subscriptions(Protocol):
    """The PremiumUsers table: at most one subscription per user."""

    def get(self, user_id: str) -> PremiumSubscription | None:
        """The user's subscription, or None when they never subscribed."""
        ...

    def start(self, subscription: PremiumSubscription) -> bool:
        """Store ``subscription`` unless the user has an active one (ACTIVE with a period ending after the new
        one's start), in one conditional write; False when they have one (someone else started it first)."""
        ...

    def cancel(self, user_id: str, *, canceled_at: str) -> PremiumSubscription | None:
        """Mark the user's subscription CANCELED at ``canceled_at`` unless it already is; the subscription as
        stored afterwards, or None when they never subscribed."""
        ...


class Purchases(Protocol):
    """The Purchases table: one item per user and media item."""

    def get(self, user_id: str, media_id: str) -> Purchase | None:
        """The user's purchase of the item, or None."""
        ...

    def add(self, purchase: Purchase) -> Purchase:
        """Store ``purchase`` unless the user already bought the item; the purchase as stored (the first)."""
        ...


class PlaybackSigner(Protocol):
    """Signs CDN URLs with a custom policy."""

    def sign(self, url: str, *, expires_at: datetime, source_ip: str | None) -> str:
        """``url`` signed so that the CDN serves exactly it until ``expires_at`` (and, with ``source_ip``, only
        to that address)."""
        ...


class UploadSigner(Protocol):
    """Presigns uploads into the media bucket."""

    def presign_put(self, key: str, *, content_type: str, size: int, expires_in: int) -> str:
        """A PUT URL for exactly ``key``, whose signature covers the Content-Type and Content-Length headers."""
        ...
