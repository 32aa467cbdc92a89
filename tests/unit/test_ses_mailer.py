"""The welcome e-mail's SES v2 mailer: which refusals are the recipient's for good, and which may heal."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from functions.welcome_email.adapters.ses_mailer import SesMailer
from functions.welcome_email.domain.errors import RecipientRejected
from functions.welcome_email.domain.models import Email

EMAIL = Email(
    sender="hello@blog.example", recipient="new.user@example.com", subject="Hi", text="Hi", html="<p>Hi</p>"
)


@pytest.fixture
def ses() -> Iterator[tuple[SesMailer, Stubber]]:
    client = boto3.client("sesv2", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
    with Stubber(client) as stubber:
        yield SesMailer(client), stubber


def refused_with(ses: tuple[SesMailer, Stubber], code: str, message: str) -> BaseException:
    mailer, stubber = ses
    stubber.add_client_error(
        "send_email", service_error_code=code, service_message=message, http_status_code=400
    )
    with pytest.raises((RecipientRejected, ClientError)) as raised:
        mailer.send(EMAIL)
    return raised.value


def test_a_sandboxed_account_refusing_the_unverified_recipient_is_a_rejection_for_good(
    ses: tuple[SesMailer, Stubber],
) -> None:
    message = (
        "Email address is not verified. The following identities failed the check in region US-EAST-1: "
        "New.User@example.com"
    )
    refusal = refused_with(ses, "MessageRejected", message)
    assert isinstance(refusal, RecipientRejected)
    assert str(refusal) == message


def test_an_unverified_sender_is_raised_to_be_retried(ses: tuple[SesMailer, Stubber]) -> None:
    message = (
        "Email address is not verified. The following identities failed the check in region US-EAST-1: "
        "hello@blog.example, new.user@example.com"
    )
    assert isinstance(refused_with(ses, "MessageRejected", message), ClientError)


@pytest.mark.parametrize("code", ["BadRequestException", "InvalidParameterValue"])
def test_a_malformed_address_is_a_rejection_for_good(ses: tuple[SesMailer, Stubber], code: str) -> None:
    assert isinstance(refused_with(ses, code, "Illegal address"), RecipientRejected)


def test_throttling_is_raised_to_be_retried(ses: tuple[SesMailer, Stubber]) -> None:
    assert isinstance(refused_with(ses, "TooManyRequestsException", "Rate exceeded"), ClientError)
