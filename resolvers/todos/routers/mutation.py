"""Fields of ``Mutation`` served by the todos function."""

from __future__ import annotations

from typing import Any

from resolvers.records import from_contract_input
from resolvers.routing import Router
from resolvers.todos import presenters
from resolvers.todos.bootstrap import services
from resolvers.todos.routers.identity import current_caller, input_object

router = Router()


@router.resolver(type_name="Mutation", field_name="updateProfile")
def update_profile(input: dict[str, Any]) -> dict[str, Any]:
    """Change the given fields of the caller's profile."""
    fields = from_contract_input(input_object(input))
    profile = services().profiles.update_profile(current_caller(router.current_event), **fields)
    return presenters.user(profile)


@router.resolver(type_name="Mutation", field_name="createTodo")
def create_todo(input: dict[str, Any]) -> dict[str, Any]:
    """Create a todo owned by the caller."""
    fields = from_contract_input(input_object(input))
    created = services().todos.create_todo(current_caller(router.current_event).sub, **fields)
    return presenters.todo(created)


@router.resolver(type_name="Mutation", field_name="updateTodo")
def update_todo(input: dict[str, Any]) -> dict[str, Any]:
    """Change a todo the caller owns, if it is still at ``expectedVersion``."""
    fields = input_object(input)
    updated = services().todos.update_todo(
        current_caller(router.current_event).sub,
        fields.get("id"),
        expected_version=fields.get("expectedVersion"),
        **from_contract_input(fields, exclude=("id", "expectedVersion")),
    )
    return presenters.todo(updated)


@router.resolver(type_name="Mutation", field_name="deleteTodo")
def delete_todo(id: str) -> dict[str, Any]:
    """Delete a todo the caller owns and return it."""
    return presenters.todo(services().todos.delete_todo(current_caller(router.current_event).sub, id))


@router.resolver(type_name="Mutation", field_name="createFileUploadUrl")
def create_file_upload_url(fileName: str, contentType: str | None = None) -> dict[str, Any]:
    """A short-lived PUT URL for a file in the caller's folder."""
    file_url = services().files.create_upload_url(
        current_caller(router.current_event).sub, fileName, contentType
    )
    return presenters.file_url(file_url)
