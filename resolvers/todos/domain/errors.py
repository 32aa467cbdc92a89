"""Typed domain errors.

Each class name is the ``errorType`` AppSync shows the client: a Lambda resolver that raises reports the
exception's class name as the error type, so the mapping from domain error to ``errorType`` lives here, once.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a client may see; the message is written for the client."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(DomainError):
    """The input is malformed: an empty title, a bad file name, an invalid nextToken, ..."""


class NotFoundError(DomainError):
    """The item does not exist, or belongs to someone else (both look the same from outside)."""


class ConflictError(DomainError):
    """An optimistic-locking check failed: the item changed since the caller read it."""

    def __init__(self, message: str, *, expected_version: int, actual_version: int) -> None:
        super().__init__(message)
        self.expected_version = expected_version
        self.actual_version = actual_version


class UnauthorizedError(DomainError):
    """The field needs a signed-in user pool user and the request carries none."""


class ConfigurationError(DomainError):
    """The function's environment is missing or malformed (an operator error, not a client one)."""
