"""Domain objects in the shape of the GraphQL contract's types (derived from the records' fields)."""

from __future__ import annotations

from typing import Any

from resolvers.records import contract_form
from resolvers.todos.domain.models import FileUrl, PublicProfile, Todo, TodoPage, UserProfile


def todo(value: Todo) -> dict[str, Any]:
    """A ``Todo``; ``owner`` is left to its own (batched) resolver, which reads ``ownerId`` from here."""
    return contract_form(value)


def todo_connection(page: TodoPage) -> dict[str, Any]:
    """A ``TodoConnection``."""
    return {"items": [todo(item) for item in page.items], "nextToken": page.next_token}


def user(profile: UserProfile) -> dict[str, Any]:
    """A ``User`` (the caller's own profile)."""
    return contract_form(profile)


def public_profile(profile: PublicProfile | None) -> dict[str, Any] | None:
    """A ``PublicProfile``, or None."""
    return None if profile is None else contract_form(profile)


def file_url(value: FileUrl) -> dict[str, Any]:
    """A ``FileUrl``."""
    return contract_form(value)
