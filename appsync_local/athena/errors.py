"""What the local Athena refuses (a request error, as Athena's API returns it) or fails (a query's reason)."""

from __future__ import annotations


class AthenaRequestError(Exception):
    """A request Athena refuses with HTTP 400: `InvalidRequestException` and its `AthenaErrorCode`."""

    def __init__(
        self,
        message: str,
        *,
        error_type: str = "InvalidRequestException",
        athena_error_code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type
        self.athena_error_code = athena_error_code


class QueryFailed(Exception):
    """A query ends FAILED; `reason` is its StateChangeReason, shaped like Athena's (`COLUMN_NOT_FOUND: …`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
