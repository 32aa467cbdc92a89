"""Typed domain errors.

Each class name is the ``errorType`` AppSync shows the client: a Lambda resolver that raises reports the
exception's class name as the error type.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a client may see; the message is written for the client."""


class ValidationError(DomainError):
    """The input is malformed: a content type that is not an image, a malformed post id."""


class NotFoundError(DomainError):
    """The post does not exist, or is someone else's (both look the same from outside)."""


class UnauthorizedError(DomainError):
    """The field needs a signed-in user pool user and the request carries none."""


class ConfigurationError(DomainError):
    """The function's environment is missing or malformed (an operator error, not a client one)."""
