"""Ports of the welcome e-mail: what the service needs from the outside world."""

from __future__ import annotations

from typing import Protocol

from functions.welcome_email.domain.models import Email


class Mailer(Protocol):
    """Sends e-mail.

    Implementations return the mail service's message id, raise ``RecipientRejected`` when the recipient is
    refused for good, and let every other failure (throttling, an unreachable service) propagate, so the
    record is retried.
    """

    def send(self, email: Email) -> str:
        """Send ``email``; its message id."""
        ...
