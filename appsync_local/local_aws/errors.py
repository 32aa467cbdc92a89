"""The one error type of the local AWS parts."""

from __future__ import annotations


class LocalAwsError(RuntimeError):
    """A local AWS part could not start or do its work; the message says why and what to do."""
