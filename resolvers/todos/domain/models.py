"""Domain models: plain dataclasses, no AWS or GraphQL types."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


def aws_datetime(moment: datetime) -> str:
    """Format a moment as AppSync's AWSDateTime in UTC with milliseconds: ``2024-05-01T12:30:00.123Z``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class Caller:
    """The signed-in user making a request (from the Cognito identity)."""

    sub: str
    username: str
    email: str | None = None


@dataclass(frozen=True)
class Todo:
    """One todo item, owned by exactly one user."""

    id: str
    owner_id: str
    title: str
    done: bool
    version: int
    created_at: str
    updated_at: str
    description: str | None = None
    due_date: str | None = None


@dataclass(frozen=True)
class TodoCursor:
    """Where a newest-first listing stopped: the last item's creation time and id."""

    created_at: str
    id: str


@dataclass(frozen=True)
class TodoQueryPage:
    """One raw read from storage; ``next`` is None once the listing is exhausted."""

    items: list[Todo]
    next: TodoCursor | None


@dataclass(frozen=True)
class TodoPage:
    """A page of todos for the client, with an opaque token for the next page."""

    items: list[Todo]
    next_token: str | None


@dataclass(frozen=True)
class UserProfile:
    """A user's own profile (the ``User`` type)."""

    id: str
    username: str
    created_at: str
    updated_at: str
    email: str | None = None
    name: str | None = None
    bio: str | None = None


@dataclass(frozen=True)
class PublicProfile:
    """The part of a profile anyone may read."""

    id: str
    name: str | None = None
    bio: str | None = None


@dataclass(frozen=True)
class FileUrl:
    """A short-lived presigned URL for one object in the caller's private folder."""

    key: str
    url: str
    method: str
    expires_at: str
