"""AppSync's error shapes: field errors inside `errors[]`, and request-level rejections."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError

from .engine_errors import syntax_message
from .wire.response import EngineErrorEntry, ErrorLocation, FieldErrorEntry, RejectionBody

UNAUTHORIZED_MESSAGE = "You are not authorized to make this call."


class AppSyncFieldError(Exception):
    """An error that resolves a field to null and reports `errorType` and `message`, as AppSync does."""

    def __init__(self, message: str, error_type: str, data: Any = None, error_info: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type
        self.data = data
        self.error_info = error_info


class LambdaError(AppSyncFieldError):
    """A Lambda resolver failed; AppSync reports the function's `errorType` and `errorMessage`."""


class FieldUnauthorizedError(AppSyncFieldError):
    """The request's auth mode or groups may not read this field."""

    def __init__(self, type_name: str, field_name: str) -> None:
        super().__init__(f"Not Authorized to access {field_name} on type {type_name}", "Unauthorized")


class ResolverCountLimitError(AppSyncFieldError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"The request exceeded the resolver count limit of {limit}.", "ResolverCountLimitExceeded"
        )


class RequestError(Exception):
    """A request rejected before execution (HTTP status, AppSync `errorType`, message)."""

    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message

    def body(self) -> RejectionBody:
        return {"errors": [{"errorType": self.error_type, "message": self.message}]}


def _locations(error: GraphQLError) -> list[ErrorLocation] | None:
    if not error.locations:
        return None
    return [{"line": loc.line, "column": loc.column, "sourceName": None} for loc in error.locations]


def engine_error(message: str, locations: list[ErrorLocation] | None = None) -> EngineErrorEntry:
    """An error of the GraphQL engine as AppSync sends it: path null, the locations, the message, no errorType."""
    return {"path": None, "locations": locations, "message": message}


def format_error(error: GraphQLError) -> FieldErrorEntry | EngineErrorEntry:
    """One entry of AppSync's `errors[]` (key order as AppSync sends it)."""
    original = error.original_error
    if isinstance(original, AppSyncFieldError):
        error_type: str | None = original.error_type
        data, info, message = original.data, original.error_info, original.message
    elif isinstance(error, GraphQLSyntaxError):
        return engine_error(syntax_message(error), _locations(error))
    elif error.path is None:
        # Validation and variable-coercion errors, raised before any field ran (worded in engine_errors).
        return engine_error(error.message, _locations(error))
    elif original is None:
        # e.g. null for a non-null field.
        error_type, data, info, message = "ExecutionError", None, None, error.message
    else:
        # A bug in the runtime or an output value the schema cannot serialize: report it, never a trace.
        error_type, data, info = "InternalFailure", None, None
        message = error.message or type(original).__name__
    return {
        "path": list(error.path) if error.path is not None else None,
        "data": data,
        "errorType": error_type,
        "errorInfo": info,
        "locations": _locations(error),
        "message": message,
    }
