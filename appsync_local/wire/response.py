"""The GraphQL response AppSync answers with: `data` and `errors[]`, and request-level rejections."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict


class ErrorLocation(TypedDict):
    line: int
    column: int
    sourceName: str | None


class FieldErrorEntry(TypedDict):
    """One entry of `errors[]` (keys in the order AppSync sends them)."""

    path: list[str | int] | None
    data: Any
    errorType: str | None
    errorInfo: Any
    locations: list[ErrorLocation] | None
    message: str


class EngineErrorEntry(TypedDict):
    """An error of the GraphQL engine itself (syntax, validation, variables): AppSync sends no errorType."""

    path: None
    locations: list[ErrorLocation] | None
    message: str


class RejectionEntry(TypedDict):
    """A request-level rejection's error (HTTP 4xx/5xx; e.g. `UnauthorizedException`)."""

    errorType: str
    message: str
    errorCode: NotRequired[int]


class ResolverErrorEntry(TypedDict):
    """A resolver's error outside a GraphQL response (a refused subscription start): no path or location."""

    errorType: str
    message: str
    data: Any
    errorInfo: Any


class ResponseBody(TypedDict, total=False):
    """The body of a GraphQL response."""

    data: dict[str, Any] | None
    errors: list[FieldErrorEntry | EngineErrorEntry]
    extensions: dict[str, Any]  # e.g. `apiCacheEntriesDeleted` after a mutation evicted cache entries


class RejectionBody(TypedDict):
    errors: list[RejectionEntry]
