"""Todos: each user's own list, with optimistic locking on updates."""

from __future__ import annotations

import strawberry

from schema.aws_directives import aws_cognito_user_pools, aws_subscribe
from schema.aws_scalars import AWSDate, AWSDateTime
from schema.users import PublicProfile


@strawberry.type(description="One item on a user's todo list.", directives=[aws_cognito_user_pools()])
class Todo:
    id: strawberry.ID
    owner_id: strawberry.ID
    title: str
    description: str | None
    done: bool
    due_date: AWSDate | None
    version: int = strawberry.field(
        description="Increases on every update; updateTodo must send the version it read."
    )
    created_at: AWSDateTime
    updated_at: AWSDateTime
    owner: PublicProfile | None = strawberry.field(description="The owner's public profile.")


@strawberry.type(
    description="A page of todos; pass nextToken back to get the next page (null on the last one).",
    directives=[aws_cognito_user_pools()],
)
class TodoConnection:
    items: list[Todo]
    next_token: str | None


@strawberry.input
class CreateTodoInput:
    title: str
    description: str | None = strawberry.UNSET
    due_date: AWSDate | None = strawberry.UNSET


@strawberry.input(description="The todo to change, the version the caller read, and the fields to change.")
class UpdateTodoInput:
    id: strawberry.ID
    expected_version: int
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    done: bool | None = strawberry.UNSET
    due_date: AWSDate | None = strawberry.UNSET


@strawberry.input
class TodoFilterInput:
    done: bool | None = strawberry.UNSET


@strawberry.type
class TodoQueries:
    """The Query fields about todos."""

    @strawberry.field(description="One of the caller's todos; null when it is missing or someone else's.")
    def get_todo(self, id: strawberry.ID) -> Todo | None: ...

    @strawberry.field(
        description="The caller's todos, newest first. limit defaults to 20 and is clamped to 1..100."
    )
    def list_todos(
        self,
        filter: TodoFilterInput | None = strawberry.UNSET,
        limit: int | None = strawberry.UNSET,
        next_token: str | None = strawberry.UNSET,
    ) -> TodoConnection: ...


@strawberry.type
class TodoMutations:
    """The Mutation fields about todos."""

    @strawberry.field(description="Adds a todo for the caller.")
    def create_todo(self, input: CreateTodoInput) -> Todo: ...

    @strawberry.field(
        description="Changes a todo; fails with errorType ConflictError when expectedVersion is stale."
    )
    def update_todo(self, input: UpdateTodoInput) -> Todo: ...

    @strawberry.field(
        description="Deletes a todo and returns it; fails with errorType NotFoundError when it is missing "
        "or someone else's."
    )
    def delete_todo(self, id: strawberry.ID) -> Todo | None: ...


@strawberry.type
class TodoSubscriptions:
    """The Subscription fields about todos."""

    @strawberry.field(
        directives=[
            aws_subscribe(mutations=["createTodo", "updateTodo", "deleteTodo"]),
            aws_cognito_user_pools(),
        ],
        description="The caller's todos as they are created, changed or deleted. Only the owner ever receives "
        "a todo (a filter on the caller's identity, not an argument); the mutation must select ownerId.",
    )
    def on_todo_changed(self) -> Todo | None: ...
