"""Domain models: frozen dataclasses, no AWS or GraphQL types.

Each record is declared once. Its fields are the GraphQL type's fields (snake_case here, camelCase in the
contract and in DynamoDB items, see `resolvers.records`), and `field(metadata=editable(rule))` marks those a client may set,
with the rule in `validation` that checks them. Presenters, stored items and the create/update paths are
derived from these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from resolvers.records import editable
from resolvers.todos.domain import validation


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
    """One todo item, owned by exactly one user (the ``Todo`` type)."""

    id: str
    owner_id: str
    title: str = field(metadata=editable(validation.title, nullable=False))
    created_at: str
    updated_at: str
    version: int = 1
    done: bool = field(default=False, metadata=editable(validation.done, on_create=False, nullable=False))
    description: str | None = field(default=None, metadata=editable(validation.description))
    due_date: str | None = field(default=None, metadata=editable(validation.optional_date))


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
    """A page of todos for the client, with an opaque token for the next page (``TodoConnection``)."""

    items: list[Todo]
    next_token: str | None


@dataclass(frozen=True)
class UserProfile:
    """A user's own profile (the ``User`` type)."""

    id: str
    username: str
    created_at: str
    updated_at: str
    email: str | None = field(default=None, metadata=editable(validation.optional_email, on_create=False))
    name: str | None = field(default=None, metadata=editable(validation.name, on_create=False))
    bio: str | None = field(default=None, metadata=editable(validation.bio, on_create=False))


@dataclass(frozen=True)
class PublicProfile:
    """The part of a profile anyone may read (the ``PublicProfile`` type)."""

    id: str
    name: str | None = None
    bio: str | None = None


@dataclass(frozen=True)
class FileUrl:
    """A short-lived presigned URL for one object in the caller's private folder (the ``FileUrl`` type)."""

    key: str
    url: str
    method: str
    expires_at: str
