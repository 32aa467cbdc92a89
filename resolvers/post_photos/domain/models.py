"""What an author gets to upload a post's photo."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


def aws_datetime(moment: datetime) -> str:
    """Format a moment as AppSync's AWSDateTime in UTC with milliseconds: ``2024-05-01T12:30:00.123Z``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class PresignedPost:
    """An HTML-form style upload: POST ``fields`` plus the file (last) as multipart/form-data to ``url``."""

    url: str
    fields: dict[str, str]


@dataclass(frozen=True)
class PostImageUpload:
    """The ``PostImageUpload`` type: where and how to upload, the object's key, until when, and how big."""

    url: str
    fields: dict[str, str]
    key: str
    expires_at: str
    max_bytes: int
