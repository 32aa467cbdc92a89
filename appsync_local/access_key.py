"""An AWS access key as the local services see one: a function's role, the local IAM user, an STS session."""

from __future__ import annotations

from typing import Protocol


class AccessKey(Protocol):
    """An access key and its secret; temporary keys also have a session token that must come with them."""

    @property
    def access_key_id(self) -> str: ...
    @property
    def secret_access_key(self) -> str: ...
    @property
    def session_token(self) -> str | None: ...
