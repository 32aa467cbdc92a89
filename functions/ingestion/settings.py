"""What the ingestion functions read from their environment, and their AWS clients (built on first use).

Configuration is read when a handler runs, never at import; a missing variable is a clear error.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any


class ConfigurationError(RuntimeError):
    """A variable the function needs is missing or malformed."""


def required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigurationError(f"The environment variable {name} is not set")
    return value


def number(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(
            f"The environment variable {name} must be a whole number, not {raw!r}"
        ) from None


@cache
def aws(service: str) -> Any:
    """A boto3 client (standard retries), one per service for the life of the execution environment."""
    import boto3
    from botocore.config import Config

    return boto3.client(service, config=Config(retries={"mode": "standard", "max_attempts": 3}))
