"""Welcoming a new user: one friendly e-mail from the app's sender."""

from __future__ import annotations

from html import escape

from functions.welcome_email.domain.errors import RecipientRejected
from functions.welcome_email.domain.models import Email, NewUser, WelcomeOutcome
from functions.welcome_email.domain.ports import Mailer

SUBJECT = "Welcome to the blog, {name}!"
TEXT = """Hello {name},

Welcome to the blog! Your account is ready. Read every published post, follow new ones as they appear,
and, once you are one of our authors, write your own, with photos.

See you soon,
The blog
"""
HTML = """<html><body>
<p>Hello {name},</p>
<p>Welcome to the blog! Your account is ready. Read every published post, follow new ones as they appear,
and, once you are one of our authors, write your own, with photos.</p>
<p>See you soon,<br>The blog</p>
</body></html>
"""


class WelcomeService:
    """Sends the welcome e-mail.

    Parameters
    ----------
    mailer
        Sends the e-mail.
    sender
        The address it comes from (a verified SES identity).
    """

    def __init__(self, mailer: Mailer, *, sender: str) -> None:
        self._mailer = mailer
        self._sender = sender

    def welcome(self, user: NewUser) -> WelcomeOutcome:
        """Send ``user`` the welcome e-mail; a user without a usable address gets none (NO_EMAIL)."""
        if not user.has_email_address:
            return WelcomeOutcome(user.id, "NO_EMAIL", reason="the profile has no e-mail address")
        email = self.compose(user)
        try:
            message_id = self._mailer.send(email)
        except RecipientRejected as rejected:
            return WelcomeOutcome(user.id, "REJECTED", reason=str(rejected))
        return WelcomeOutcome(user.id, "SENT", message_id=message_id)

    def compose(self, user: NewUser) -> Email:
        """The welcome e-mail for ``user`` (who has an address)."""
        assert user.email is not None
        name = user.display_name
        return Email(
            sender=self._sender,
            recipient=user.email,
            # A header is one line: a name's line breaks (or any run of spaces) are one space there.
            subject=SUBJECT.format(name=" ".join(name.split())),
            text=TEXT.format(name=name),
            html=HTML.format(name=escape(name)),
        )
