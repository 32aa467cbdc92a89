"""Who is calling, from the AppSync event's identity (the only place resolvers read it)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import AppSyncResolverEvent

from resolvers.todos.domain.errors import UnauthorizedError, ValidationError
from resolvers.todos.domain.models import Caller


def current_caller(event: AppSyncResolverEvent | None) -> Caller:
    """The signed-in user pool user; ``UnauthorizedError`` for API-key, IAM or anonymous requests."""
    identity = event.get("identity") if event is not None else None
    if not isinstance(identity, dict) or not identity.get("sub"):
        raise UnauthorizedError("This field needs a signed-in user (Cognito user pool authorization)")
    claims = identity.get("claims") or {}
    username = identity.get("username") or claims.get("cognito:username") or identity["sub"]
    return Caller(sub=str(identity["sub"]), username=str(username), email=claims.get("email"))


def input_object(value: Any, name: str = "input") -> dict[str, Any]:
    """A GraphQL input object argument (AppSync has already checked its shape; this guards direct calls)."""
    if not isinstance(value, dict):
        raise ValidationError(f"{name} must be an object")
    return value
