"""``Mailer`` on Amazon SES (API v2)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from functions.welcome_email.domain.errors import RecipientRejected
from functions.welcome_email.domain.models import Email

# SES v2 answers BadRequestException for an address it cannot send to (malformed): retrying cannot help.
# Everything else (throttling, a sender not verified, a paused account) may heal, so it is retried.
_PERMANENT = frozenset({"BadRequestException"})


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
            if error.response.get("Error", {}).get("Code") in _PERMANENT:
                raise RecipientRejected(error.response["Error"].get("Message") or "refused") from None
            raise
        return str(response["MessageId"])
