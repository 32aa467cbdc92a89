"""Typed domain errors.

Each class name is the ``errorType`` AppSync shows the client: a Lambda resolver that raises reports the
exception's class name as the error type. ``NotEntitledError`` is the one exception: the routers turn it into
AppSync's own ``Unauthorized`` refusal of the field (``routers/refusals.py``), so a caller who may not play an
item sees what AppSync shows for any field they may not use.
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
    """The input is malformed: an unknown plan, a content type that is not a media type, a size over the limit."""


class NotFoundError(DomainError):
    """The media item does not exist."""


class ConflictError(DomainError):
    """The request contradicts the current state: subscribing on another plan while a subscription is active."""


class MediaNotReadyError(DomainError):
    """The media item has no playable file yet (PENDING_UPLOAD), or its latest upload was refused (FAILED)."""


class NotEntitledError(DomainError):
    """The caller may not play this premium item: no active subscription and no purchase of it."""


class UnauthorizedError(DomainError):
    """The field needs a signed-in user pool user and the request carries none."""


class ConfigurationError(DomainError):
    """The function's environment is missing or malformed (an operator error, not a client one)."""
