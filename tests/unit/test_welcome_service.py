"""The welcome e-mail's service with a fake mailer: what is sent, to whom, and what is not."""

from __future__ import annotations

from functions.welcome_email.domain.errors import RecipientRejected
from functions.welcome_email.domain.models import Email, NewUser
from functions.welcome_email.domain.welcome_service import WelcomeService

SENDER = "welcome@blog.example.com"


class FakeMailer:
    def __init__(self, reject: bool = False) -> None:
        self.sent: list[Email] = []
        self.reject = reject

    def send(self, email: Email) -> str:
        if self.reject:
            raise RecipientRejected("Invalid address")
        self.sent.append(email)
        return f"m-{len(self.sent)}"


def test_the_email_greets_the_user_and_escapes_their_name_in_html() -> None:
    mailer = FakeMailer()
    outcome = WelcomeService(mailer, sender=SENDER).welcome(NewUser("u1", "ada", "ada@example.com", "Ada <3"))
    (email,) = mailer.sent
    assert (outcome.status, outcome.message_id) == ("SENT", "m-1")
    assert (email.sender, email.recipient, email.subject) == (
        SENDER,
        "ada@example.com",
        "Welcome to the blog, Ada <3!",
    )
    assert email.text.startswith("Hello Ada <3,") and "Hello Ada &lt;3," in email.html


def test_line_breaks_in_a_name_never_reach_the_subject_header() -> None:
    mailer = FakeMailer()
    WelcomeService(mailer, sender=SENDER).welcome(
        NewUser("u1", "eve", "eve@example.com", "Eve\r\nBcc: x@y.z")
    )
    (email,) = mailer.sent
    assert email.subject == "Welcome to the blog, Eve Bcc: x@y.z!"


def test_no_usable_address_means_no_email() -> None:
    mailer = FakeMailer()
    service = WelcomeService(mailer, sender=SENDER)
    for address in (None, "not-an-address", "two@@example.com"):
        assert service.welcome(NewUser("u1", "ada", address)).status == "NO_EMAIL"
    assert mailer.sent == []


def test_a_recipient_refused_for_good_is_reported_not_raised() -> None:
    outcome = WelcomeService(FakeMailer(reject=True), sender=SENDER).welcome(
        NewUser("u1", email="a@example.com")
    )
    assert (outcome.status, outcome.reason) == ("REJECTED", "Invalid address")


def test_a_stream_item_without_an_id_is_no_user() -> None:
    assert NewUser.from_item({"email": "a@example.com"}) is None
    assert NewUser.from_item({"id": "u1", "name": "  "}) == NewUser("u1")
