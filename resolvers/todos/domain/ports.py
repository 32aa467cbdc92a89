"""Ports: what the services need from storage and signing. Adapters (and test fakes) implement them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from resolvers.todos.domain.models import PublicProfile, Todo, TodoCursor, TodoQueryPage, UserProfile


class TodoRepository(Protocol):
    """Storage of todos, keyed by (owner id, todo id).

    Implementations raise ``NotFoundError`` for a missing item and ``ConflictError`` for a stale version;
    the checks must be atomic with the write (no read-then-write races).
    """

    def get(self, owner_id: str, todo_id: str) -> Todo | None:
        """The owner's todo, or None."""
        ...

    def add(self, todo: Todo) -> None:
        """Store a new todo."""
        ...

    def update(
        self,
        owner_id: str,
        todo_id: str,
        *,
        expected_version: int,
        changes: Mapping[str, object | None],
        updated_at: str,
    ) -> Todo:
        """Apply ``changes`` (domain field name -> value; None removes an optional field) when the stored
        version equals ``expected_version``; the version goes up by one. Returns the new todo."""
        ...

    def delete(self, owner_id: str, todo_id: str) -> Todo:
        """Delete the owner's todo and return it as it was."""
        ...

    def query_newest_first(
        self, owner_id: str, *, limit: int, done: bool | None, after: TodoCursor | None
    ) -> TodoQueryPage:
        """Read up to ``limit`` of the owner's todos, newest first, starting after ``after``.

        As in DynamoDB, ``limit`` counts items read *before* the ``done`` filter, so a page may hold fewer
        than ``limit`` items and still have a ``next`` cursor.
        """
        ...


class ProfileRepository(Protocol):
    """Storage of user profiles, keyed by the user's Cognito sub."""

    def add_if_absent(self, profile: UserProfile) -> None:
        """Store the profile unless one with the same id exists (atomically)."""
        ...

    def get(self, user_id: str) -> UserProfile | None:
        """The profile (strongly consistent), or None."""
        ...

    def update(self, user_id: str, *, changes: Mapping[str, object | None], updated_at: str) -> UserProfile:
        """Apply ``changes`` (None removes a field) to an existing profile; ``NotFoundError`` if absent."""
        ...

    def get_public_profiles(self, user_ids: Sequence[str]) -> dict[str, PublicProfile]:
        """The public side of every existing profile among ``user_ids`` (one batched read)."""
        ...


class FileUrlSigner(Protocol):
    """Presigns object URLs in the user-files bucket."""

    def presign_upload(self, key: str, *, content_type: str | None, expires_in: int) -> str:
        """A URL that PUTs exactly ``key`` (and, when given, only with that Content-Type)."""
        ...

    def presign_download(self, key: str, *, expires_in: int) -> str:
        """A URL that GETs exactly ``key``."""
        ...
