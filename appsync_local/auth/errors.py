"""The errors the auth package raises."""

from __future__ import annotations

NOT_AUTHORIZED = "You are not authorized to make this call."


class UnauthorizedError(Exception):
    """A request's credentials are missing or invalid.

    The HTTP layer answers HTTP 401 with
    ``{"errors": [{"errorType": "UnauthorizedException", "message": <message>}]}``.

    Parameters
    ----------
    message
        The text AppSync (or IAM) gives for this failure, where known.
    """

    error_type = "UnauthorizedException"

    def __init__(self, message: str = NOT_AUTHORIZED) -> None:
        super().__init__(message)
        self.message = message


class AuthStoreError(ValueError):
    """A persisted auth file (API keys, signing key, IAM credentials) cannot be read."""
