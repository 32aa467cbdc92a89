"""In-memory implementations of the media ports, with DynamoDB's conditional-write semantics, for unit tests."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from urllib.parse import quote

from functions.media_uploads.domain.errors import UnusableUpload
from functions.media_uploads.domain.models import Poster, StoredObject
from resolvers.media.domain.errors import NotFoundError
from resolvers.media.domain.models import Media, PremiumSubscription, Purchase

NOW_TEXT = "2024-05-01T12:00:00.000Z"


def media_item(media_id: str = "m1", **fields: object) -> Media:
    """A READY premium item with a file, unless `fields` say otherwise."""
    values: dict[str, object] = {
        "id": media_id,
        "title": "A walk by the sea",
        "status": "READY",
        "created_at": NOW_TEXT,
        "updated_at": NOW_TEXT,
        "premium": True,
        "content_type": "video/webm",
        "size": 1234,
        "object_key": f"media/{media_id}/u1.webm",
        **fields,
    }
    return Media(**values)  # type: ignore[arg-type]


class InMemoryCatalog:
    """``MediaCatalog`` in a dict keyed by media id."""

    def __init__(self, *items: Media) -> None:
        self.items = {item.id: item for item in items}
        self.reads = 0

    def get(self, media_id: str) -> Media | None:
        self.reads += 1
        return self.items.get(media_id)

    def await_upload(self, media_id: str, *, upload_key: str, updated_at: str) -> None:
        current = self.items.get(media_id)
        if current is None:
            raise NotFoundError(f"Media '{media_id}' not found")
        self.items[media_id] = dataclasses.replace(
            current, upload_key=upload_key, status="PENDING_UPLOAD", status_reason=None, updated_at=updated_at
        )


class InMemorySubscriptions:
    """``Subscriptions`` in a dict keyed by user id; ``start`` is conditional as the table's write is."""

    def __init__(self, *subscriptions: PremiumSubscription) -> None:
        self.items = {s.user_id: s for s in subscriptions}
        self.reads = 0
        # Stored by "someone else" just before the next start(), to play a concurrent subscribe.
        self.sneak_in: PremiumSubscription | None = None

    def get(self, user_id: str) -> PremiumSubscription | None:
        self.reads += 1
        return self.items.get(user_id)

    def start(self, subscription: PremiumSubscription) -> bool:
        if self.sneak_in is not None:
            self.items[self.sneak_in.user_id], self.sneak_in = self.sneak_in, None
        current = self.items.get(subscription.user_id)
        if (
            current is not None
            and current.status == "ACTIVE"
            and current.current_period_end > subscription.current_period_start
        ):
            return False
        self.items[subscription.user_id] = subscription
        return True

    def cancel(self, user_id: str, *, canceled_at: str) -> PremiumSubscription | None:
        current = self.items.get(user_id)
        if current is None or current.status == "CANCELED":
            return current
        canceled = dataclasses.replace(
            current, status="CANCELED", canceled_at=canceled_at, updated_at=canceled_at
        )
        self.items[user_id] = canceled
        return canceled


class InMemoryPurchases:
    """``Purchases`` in a dict keyed by (user id, media id); the first purchase is kept."""

    def __init__(self, *purchases: Purchase) -> None:
        self.items = {(p.user_id, p.media_id): p for p in purchases}
        self.reads = 0

    def get(self, user_id: str, media_id: str) -> Purchase | None:
        self.reads += 1
        return self.items.get((user_id, media_id))

    def add(self, purchase: Purchase) -> Purchase:
        return self.items.setdefault((purchase.user_id, purchase.media_id), purchase)


class InMemoryUploadSigner:
    """``UploadSigner`` that writes down what it was asked to sign in a readable URL."""

    def presign_put(self, key: str, *, content_type: str, size: int, expires_in: int) -> str:
        return (
            f"memory://premium-media/{quote(key)}?method=PUT&content-type={quote(content_type, safe='')}"
            f"&content-length={size}&expires={expires_in}"
        )


class RecordingPlaybackSigner:
    """``PlaybackSigner`` that returns the URL with its policy's terms, and remembers them."""

    def __init__(self) -> None:
        self.signed: list[tuple[str, datetime, str | None]] = []

    def sign(self, url: str, *, expires_at: datetime, source_ip: str | None) -> str:
        self.signed.append((url, expires_at, source_ip))
        return f"{url}?until={int(expires_at.timestamp())}"


class InMemoryMediaRecords:
    """``MediaRecords`` for the media uploads function: item id -> the upload it awaits, and what was recorded."""

    def __init__(self, **awaited: str | None) -> None:
        self.awaited = dict(awaited)
        self.recorded: dict[str, dict[str, object]] = {}

    def awaited_upload(self, media_id: str) -> tuple[bool, str | None]:
        return media_id in self.awaited, self.awaited.get(media_id)

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
        if self.awaited.get(media_id) != upload_key:
            return False
        self.awaited[media_id] = None
        self.recorded[media_id] = {
            "status": "READY",
            "objectKey": upload_key,
            "contentType": content_type,
            "size": size,
            "posterKey": poster_key,
        }
        return True

    def mark_failed(self, media_id: str, upload_key: str, *, reason: str, updated_at: str) -> bool:
        if self.awaited.get(media_id) != upload_key:
            return False
        self.awaited[media_id] = None
        self.recorded[media_id] = {"status": "FAILED", "statusReason": reason}
        return True


class InMemoryMediaObjects:
    """``MediaObjects`` in a dict keyed by object key: (content type, bytes)."""

    def __init__(self) -> None:
        self.objects: dict[str, tuple[str, bytes]] = {}
        self.reads = 0

    def describe(self, key: str) -> StoredObject | None:
        found = self.objects.get(key)
        return None if found is None else StoredObject(found[0], len(found[1]))

    def read(self, key: str, *, limit: int) -> bytes:
        self.reads += 1
        return self.objects[key][1][: limit + 1]

    def write(self, key: str, data: bytes, *, content_type: str, cache_control: str) -> None:
        self.objects[key] = (content_type, data)


class FakePosterRenderer:
    """``PosterRenderer`` that accepts bytes starting with ``IMAGE`` and refuses anything else."""

    def render(self, data: bytes) -> Poster:
        if not data.startswith(b"IMAGE"):
            raise UnusableUpload("the upload is not a JPEG, PNG or WebP image")
        return Poster(b"POSTER:" + data, 640, 360)
