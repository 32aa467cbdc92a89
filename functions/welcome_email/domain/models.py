"""The new user a welcome is for, the e-mail, and what came of it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

WelcomeStatus = Literal["SENT", "NO_EMAIL", "REJECTED"]


@dataclass(frozen=True)
class NewUser:
    """A user profile as the Users table stores it (`id` is the Cognito sub)."""

    id: str
    username: str | None = None
    email: str | None = None
    name: str | None = None

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> NewUser | None:
        """The user in a Users item; None when the item has no usable `id`."""
        user_id = item.get("id")
        if not isinstance(user_id, str) or not user_id:
            return None
        return cls(
            id=user_id,
            username=_text(item.get("username")),
            email=_text(item.get("email")),
            name=_text(item.get("name")),
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def display_name(self) -> str:
        """How the e-mail greets the user: their name, else their username."""
        return self.name or self.username or "there"

    @property
    def has_email_address(self) -> bool:
        return self.email is not None and _EMAIL.match(self.email) is not None


@dataclass(frozen=True)
class Email:
    """One e-mail to one recipient, in plain text and HTML."""

    sender: str
    recipient: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class WelcomeOutcome:
    """What welcoming one user came to: SENT (with the mail service's message id), NO_EMAIL or REJECTED."""

    user_id: str
    status: WelcomeStatus
    message_id: str | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "userId": self.user_id,
            "status": self.status,
            "messageId": self.message_id,
            "reason": self.reason,
        }


def _text(value: object) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None
