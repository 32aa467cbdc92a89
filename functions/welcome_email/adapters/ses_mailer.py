"""``Mailer`` on Amazon SES (API v2)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from functions.welcome_email.domain.errors import RecipientRejected
from functions.welcome_email.domain.models import Email

# SES v2 answers BadRequestException for an address it cannot send to (malformed; moto's local SES says
# InvalidParameterValue): retrying cannot help. So does MessageRejected naming the recipient alone, which is
# how a sandboxed account refuses an address it has not verified ("Email address is not verified. The following
# identities failed the check in region …: <recipient>"). Everything else (throttling, the sender not verified,
# a paused account) may heal, so it is retried.
_PERMANENT = frozenset({"BadRequestException", "InvalidParameterValue"})
_REJECTED = "MessageRejected"


class SesMailer:
    """Sends each e-mail with SES v2's ``SendEmail`` (simple content: text and HTML).

    Parameters
    ----------
    client
        A boto3 ``sesv2`` client.
    """

    def __init__(self, client: Any) -> None:
        self._client = client

    def send(self, email: Email) -> str:
        try:
            response = self._client.send_email(
                FromEmailAddress=email.sender,
                Destination={"ToAddresses": [email.recipient]},
                Content={
                    "Simple": {
                        "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                        "Body": {
                            "Text": {"Data": email.text, "Charset": "UTF-8"},
                            "Html": {"Data": email.html, "Charset": "UTF-8"},
                        },
                    }
                },
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            message = error.response.get("Error", {}).get("Message") or "refused"
            if code in _PERMANENT or (
                code == _REJECTED and _names_only(message, email.recipient, email.sender)
            ):
                raise RecipientRejected(message) from None
            raise
        return str(response["MessageId"])


def _names_only(message: str, recipient: str, sender: str) -> bool:
    """Whether SES's `message` names the recipient's address and not the sender's."""
    text = message.lower()
    return recipient.lower() in text and sender.lower() not in text
