"""The GraphQL response AppSync answers with: `data` and `errors[]`, and request-level rejections."""

from __future__ import annotations

from typing import Any, TypedDict


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


class RejectionEntry(TypedDict):
    """A request-level rejection's error (HTTP 4xx/5xx; e.g. `UnauthorizedException`)."""

    errorType: str
    message: str


class ResponseBody(TypedDict, total=False):
    """The body of a GraphQL response."""

    data: dict[str, Any] | None
    errors: list[FieldErrorEntry]


class RejectionBody(TypedDict):
    errors: list[RejectionEntry]
