"""Use cases for todos: create, read, update with optimistic locking, delete, list newest first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from resolvers.records import checked_fields
from resolvers.todos.domain import validation
from resolvers.todos.domain.errors import NotFoundError, ValidationError
from resolvers.todos.domain.models import Todo, TodoCursor, TodoPage, aws_datetime
from resolvers.todos.domain.pagination import decode_next_token, encode_next_token
from resolvers.todos.domain.ports import TodoRepository

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# A filtered listing may read several raw pages to fill one; this bounds the work of a single request.
MAX_READS_PER_PAGE = 10


class TodoService:
    """Each user's todos. The owner is always the caller's sub; no argument can choose another owner.

    Parameters
    ----------
    repository
        Where todos are stored.
    clock
        Returns the current time (timezone-aware).
    new_id
        Returns a fresh, unique todo id.
    """

    def __init__(
        self, repository: TodoRepository, *, clock: Callable[[], datetime], new_id: Callable[[], str]
    ):
        self._repository = repository
        self._clock = clock
        self._new_id = new_id

    def create_todo(self, owner_id: str, **fields: object) -> Todo:
        """Create a todo at version 1, not done, from the fields a client may set (each checked by its rule)."""
        now = aws_datetime(self._clock())
        todo = Todo(
            id=self._new_id(),
            owner_id=owner_id,
            created_at=now,
            updated_at=now,
            **checked_fields(Todo, fields, creating=True, error=ValidationError),
        )
        self._repository.add(todo)
        return todo

    def get_todo(self, owner_id: str, todo_id: object) -> Todo | None:
        """The caller's todo, or None when it is missing or someone else's."""
        if not validation.looks_like_id(todo_id):
            return None
        assert isinstance(todo_id, str)
        return self._repository.get(owner_id, todo_id)

    def update_todo(
        self,
        owner_id: str,
        todo_id: object,
        *,
        expected_version: object,
        **changes: object,
    ) -> Todo:
        """Change the fields that were given (null clears an optional one), if the todo is still at
        ``expected_version``.

        ``ConflictError`` when the version moved on; ``NotFoundError`` when the caller has no such todo.
        """
        version = validation.expected_version(expected_version)
        if not validation.looks_like_id(todo_id):
            raise NotFoundError(f"Todo {todo_id!r} not found")
        assert isinstance(todo_id, str)
        return self._repository.update(
            owner_id,
            todo_id,
            expected_version=version,
            changes=checked_fields(Todo, changes, creating=False, error=ValidationError),
            updated_at=aws_datetime(self._clock()),
        )

    def delete_todo(self, owner_id: str, todo_id: object) -> Todo:
        """Delete the caller's todo and return it; ``NotFoundError`` when the caller has no such todo."""
        if not validation.looks_like_id(todo_id):
            raise NotFoundError(f"Todo {todo_id!r} not found")
        assert isinstance(todo_id, str)
        return self._repository.delete(owner_id, todo_id)

    def list_todos(
        self, owner_id: str, *, done: bool | None = None, limit: object = None, next_token: str | None = None
    ) -> TodoPage:
        """The caller's todos, newest first, at most ``limit`` (default 20, clamped to 1..100) per page."""
        page_size = validation.limit(limit, default=DEFAULT_PAGE_SIZE, minimum=1, maximum=MAX_PAGE_SIZE)
        if done is not None and not isinstance(done, bool):
            raise ValidationError("filter.done must be true or false")
        cursor = decode_next_token(next_token, owner_id) if next_token is not None else None
        items: list[Todo] = []
        for _ in range(MAX_READS_PER_PAGE):
            # Reading a whole page's worth each time keeps a sparse filter from costing one call per item.
            page = self._repository.query_newest_first(owner_id, limit=page_size, done=done, after=cursor)
            room = page_size - len(items)
            if len(page.items) > room:
                items.extend(page.items[:room])
                last = items[-1]
                cursor = TodoCursor(created_at=last.created_at, id=last.id)
                break
            items.extend(page.items)
            cursor = page.next
            if cursor is None or len(items) == page_size:
                break
        token = encode_next_token(owner_id, cursor) if cursor is not None else None
        return TodoPage(items=items, next_token=token)
