"""Domain objects in the shape of the GraphQL contract's types (field names as the schema spells them)."""

from __future__ import annotations

from typing import Any

from resolvers.todos.domain.models import FileUrl, PublicProfile, Todo, TodoPage, UserProfile


def todo(value: Todo) -> dict[str, Any]:
    """A ``Todo``; ``owner`` is left to its own (batched) resolver, which reads ``ownerId`` from here."""
    return {
        "id": value.id,
        "ownerId": value.owner_id,
        "title": value.title,
        "description": value.description,
        "done": value.done,
        "dueDate": value.due_date,
        "version": value.version,
        "createdAt": value.created_at,
        "updatedAt": value.updated_at,
    }


def todo_connection(page: TodoPage) -> dict[str, Any]:
    """A ``TodoConnection``."""
    return {"items": [todo(item) for item in page.items], "nextToken": page.next_token}


def user(profile: UserProfile) -> dict[str, Any]:
    """A ``User`` (the caller's own profile)."""
    return {
        "id": profile.id,
        "username": profile.username,
        "email": profile.email,
        "name": profile.name,
        "bio": profile.bio,
        "createdAt": profile.created_at,
        "updatedAt": profile.updated_at,
    }


def public_profile(profile: PublicProfile | None) -> dict[str, Any] | None:
    """A ``PublicProfile``, or None."""
    if profile is None:
        return None
    return {"id": profile.id, "name": profile.name, "bio": profile.bio}


def file_url(value: FileUrl) -> dict[str, Any]:
    """A ``FileUrl``."""
    return {"key": value.key, "url": value.url, "method": value.method, "expiresAt": value.expires_at}
