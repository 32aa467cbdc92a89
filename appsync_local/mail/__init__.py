"""The local inbox: every e-mail the app sends through the local SES, kept as `.eml` files and shown at
`/_local/mail`."""

from __future__ import annotations

from .collector import MailCollector, sent_messages
from .inbox import inbox_routes

__all__ = ["MailCollector", "inbox_routes", "sent_messages"]
