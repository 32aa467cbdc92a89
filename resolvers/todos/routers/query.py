"""Fields of ``Query`` served by the todos function."""

from __future__ import annotations

from typing import Any

from resolvers.routing import Router
from resolvers.todos import presenters
from resolvers.todos.bootstrap import services
from resolvers.todos.routers.identity import current_caller

router = Router()


@router.resolver(type_name="Query", field_name="me")
def me() -> dict[str, Any]:
    """The caller's profile, created on first call."""
    return presenters.user(services().profiles.me(current_caller(router.current_event)))


@router.resolver(type_name="Query", field_name="getTodo")
def get_todo(id: str) -> dict[str, Any] | None:
    """The caller's todo, or null (also for someone else's)."""
    found = services().todos.get_todo(current_caller(router.current_event).sub, id)
    return presenters.todo(found) if found else None


@router.resolver(type_name="Query", field_name="listTodos")
def list_todos(
    filter: dict[str, Any] | None = None,
    limit: int | None = None,
    nextToken: str | None = None,
) -> dict[str, Any]:
    """The caller's todos, newest first."""
    done = (filter or {}).get("done")
    page = services().todos.list_todos(
        current_caller(router.current_event).sub, done=done, limit=limit, next_token=nextToken
    )
    return presenters.todo_connection(page)


@router.resolver(type_name="Query", field_name="getProfile")
def get_profile(id: str) -> dict[str, Any] | None:
    """Anyone's public profile (readable with an API key, IAM or a user token)."""
    return presenters.public_profile(services().profiles.get_public_profile(id))


@router.resolver(type_name="Query", field_name="fileDownloadUrl")
def file_download_url(key: str) -> dict[str, Any]:
    """A short-lived GET URL for a file in the caller's folder."""
    return presenters.file_url(services().files.download_url(current_caller(router.current_event).sub, key))
