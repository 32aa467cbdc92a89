"""In-memory implementations of the todos ports, with DynamoDB's semantics, for the unit tests.

They keep the behaviours the services rely on: conditional writes, a newest-first index whose ``limit``
counts items read before the filter, and cursors that resume after a given key.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from urllib.parse import quote

from resolvers.todos.domain.errors import ConflictError, NotFoundError
from resolvers.todos.domain.models import PublicProfile, Todo, TodoCursor, TodoQueryPage, UserProfile


class InMemoryTodoRepository:
    """``TodoRepository`` in a dict keyed by (owner id, todo id)."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Todo] = {}
        self.queries = 0

    def get(self, owner_id: str, todo_id: str) -> Todo | None:
        return self.items.get((owner_id, todo_id))

    def add(self, todo: Todo) -> None:
        if (todo.owner_id, todo.id) in self.items:
            raise ValueError(f"todo {todo.id} exists")
        self.items[(todo.owner_id, todo.id)] = todo

    def update(
        self,
        owner_id: str,
        todo_id: str,
        *,
        expected_version: int,
        changes: Mapping[str, object | None],
        updated_at: str,
    ) -> Todo:
        current = self.items.get((owner_id, todo_id))
        if current is None:
            raise NotFoundError(f"Todo {todo_id!r} not found")
        if current.version != expected_version:
            raise ConflictError(
                f"expected version {expected_version} but the todo is at version {current.version}",
                expected_version=expected_version,
                actual_version=current.version,
            )
        updated = dataclasses.replace(current, **changes, version=current.version + 1, updated_at=updated_at)  # type: ignore[arg-type]
        self.items[(owner_id, todo_id)] = updated
        return updated

    def delete(self, owner_id: str, todo_id: str) -> Todo:
        removed = self.items.pop((owner_id, todo_id), None)
        if removed is None:
            raise NotFoundError(f"Todo {todo_id!r} not found")
        return removed

    def query_newest_first(
        self, owner_id: str, *, limit: int, done: bool | None, after: TodoCursor | None
    ) -> TodoQueryPage:
        self.queries += 1
        ordered = sorted(
            (t for (owner, _), t in self.items.items() if owner == owner_id),
            key=lambda t: (t.created_at, t.id),
            reverse=True,
        )
        if after is not None:
            ordered = [t for t in ordered if (t.created_at, t.id) < (after.created_at, after.id)]
        read = ordered[:limit]
        more = len(ordered) > limit
        cursor = TodoCursor(created_at=read[-1].created_at, id=read[-1].id) if more and read else None
        return TodoQueryPage(items=[t for t in read if done is None or t.done == done], next=cursor)


class InMemoryProfileRepository:
    """``ProfileRepository`` in a dict keyed by user id."""

    def __init__(self) -> None:
        self.items: dict[str, UserProfile] = {}
        self.batch_reads = 0

    def add_if_absent(self, profile: UserProfile) -> None:
        self.items.setdefault(profile.id, profile)

    def get(self, user_id: str) -> UserProfile | None:
        return self.items.get(user_id)

    def update(self, user_id: str, *, changes: Mapping[str, object | None], updated_at: str) -> UserProfile:
        current = self.items.get(user_id)
        if current is None:
            raise NotFoundError(f"Profile {user_id!r} not found")
        updated = dataclasses.replace(current, **changes, updated_at=updated_at)  # type: ignore[arg-type]
        self.items[user_id] = updated
        return updated

    def get_public_profiles(self, user_ids: Sequence[str]) -> dict[str, PublicProfile]:
        self.batch_reads += 1
        return {
            i: PublicProfile(id=i, name=self.items[i].name, bio=self.items[i].bio)
            for i in user_ids
            if i in self.items
        }


class InMemoryFileUrlSigner:
    """``FileUrlSigner`` that returns recognisable, unsigned URLs (``memory://bucket/key?...``)."""

    def __init__(self, bucket: str = "user-files") -> None:
        self.bucket = bucket

    def presign_upload(self, key: str, *, content_type: str | None, expires_in: int) -> str:
        suffix = f"&content-type={quote(content_type, safe='')}" if content_type else ""
        return f"memory://{self.bucket}/{quote(key)}?method=PUT&expires-in={expires_in}{suffix}"

    def presign_download(self, key: str, *, expires_in: int) -> str:
        return f"memory://{self.bucket}/{quote(key)}?method=GET&expires-in={expires_in}"
