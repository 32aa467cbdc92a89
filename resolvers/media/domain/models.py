"""Domain records: frozen dataclasses, no AWS or GraphQL types.

Their fields are the GraphQL types' fields (snake_case here, camelCase in the contract and in DynamoDB items,
see `resolvers.records`); the catalog's APPSYNC_JS resolvers write the same attributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


def aws_datetime(moment: datetime) -> str:
    """Format a moment as AppSync's AWSDateTime in UTC with milliseconds: ``2024-05-01T12:30:00.123Z``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_aws_datetime(text: str) -> datetime:
    """An AWSDateTime as a timezone-aware moment."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Caller:
    """The signed-in user making a request: their Cognito sub and the address the request came from."""

    sub: str
    source_ip: str | None = None


@dataclass(frozen=True)
class Media:
    """A media item of the catalog (the ``Media`` type), with where its file is (never shown to clients)."""

    id: str
    title: str
    status: str
    created_at: str
    updated_at: str
    premium: bool = True
    description: str | None = None
    duration_seconds: int | None = None
    content_type: str | None = None
    size: int | None = None
    thumbnail_url: str | None = None  # kept only by items stored before their poster's key was
    status_reason: str | None = None
    # Storage only: the key of the playable file, of the upload the item awaits, and of its poster (whose URL is
    # made from the distribution's when the item is shown).
    object_key: str | None = None
    upload_key: str | None = None
    poster_key: str | None = None


STORAGE_ONLY_FIELDS = ("objectKey", "uploadKey", "posterKey")


@dataclass(frozen=True)
class PremiumSubscription:
    """A user's subscription as stored in PremiumUsers: the status is ACTIVE or CANCELED."""

    user_id: str
    plan: str
    status: str
    current_period_start: str
    current_period_end: str
    created_at: str
    updated_at: str
    canceled_at: str | None = None


@dataclass(frozen=True)
class Membership:
    """A subscription as the caller sees it at a moment (the ``PremiumSubscription`` type): EXPIRED once an
    ACTIVE one's period is over, and whether it entitles them now."""

    plan: str
    status: str
    current_period_start: str
    current_period_end: str
    canceled_at: str | None
    active: bool


@dataclass(frozen=True)
class Purchase:
    """One media item bought by one user (the ``Purchase`` type, without its media)."""

    user_id: str
    media_id: str
    purchased_at: str


@dataclass(frozen=True)
class SignedUrl:
    """A CloudFront signed URL and the moment it stops working (the ``SignedUrl`` type)."""

    url: str
    expires_at: str


@dataclass(frozen=True)
class MediaUploadUrl:
    """A presigned PUT of one media file (the ``MediaUploadUrl`` type)."""

    url: str
    method: str
    content_type: str
    size: int
    expires_at: str
