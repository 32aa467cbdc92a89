"""The local inbox: every message the local SES sent becomes an e-mail file and a page, whatever it holds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from starlette.applications import Starlette
from starlette.testclient import TestClient

from appsync_local.invocations.log import InvocationLog
from appsync_local.invocations.page import invocation_routes
from appsync_local.mail import MailCollector, inbox_routes

REGION = "us-east-1"
SENDER = "hello@blog.example"


@pytest.fixture
def ses() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("sesv2", region_name=REGION)
        client.create_email_identity(EmailIdentity=SENDER)
        yield client


def send(ses: Any, subject: str, text: str) -> None:
    ses.send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": ["reader@example.com"]},
        Content={"Simple": {"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}}},
    )


def test_a_subject_with_line_breaks_is_kept_on_one_line_and_later_mail_still_arrives(
    ses: Any, tmp_path: Path
) -> None:
    # GIVEN a message whose subject holds a line break (a user's name with one), then an ordinary one
    send(ses, "Welcome, Eve\nBcc: x@y.z!", "first")
    send(ses, "Second", "second")

    # WHEN the inbox collects them
    collector = MailCollector(tmp_path, REGION)
    assert collector.collect() == 2

    # THEN both are listed, the first with its subject on one line
    page = TestClient(Starlette(routes=inbox_routes(tmp_path))).get("/_local/mail").text
    assert "Welcome, Eve Bcc: x@y.z!" in page
    assert "Second" in page
    subjects = [
        line
        for p in tmp_path.glob("*.eml")
        for line in p.read_text().splitlines()
        if line.startswith("Subject")
    ]
    assert sorted(subjects) == ["Subject: Second", "Subject: Welcome, Eve Bcc: x@y.z!"]


def test_pages_of_no_such_message_or_invocation_are_404(tmp_path: Path) -> None:
    app = Starlette(routes=[*inbox_routes(tmp_path), *invocation_routes(InvocationLog())])
    client = TestClient(app)
    assert client.get("/_local/mail/nope").status_code == 404
    assert client.get("/_local/invocations/nope").status_code == 404
    assert client.get("/_local/mail").status_code == 200


def test_a_message_with_text_and_html_says_its_text_part_was_read_from_the_html(
    ses: Any, tmp_path: Path
) -> None:
    # GIVEN a message sent with both bodies, to a recipient and a copy
    ses.send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": ["reader@example.com"], "CcAddresses": ["copy@example.com"]},
        Content={
            "Simple": {
                "Subject": {"Data": "Both"},
                "Body": {"Text": {"Data": "TEXT AS SENT"}, "Html": {"Data": "<p>HTML AS SENT</p>"}},
            }
        },
    )
    MailCollector(tmp_path, REGION).collect()

    # WHEN its page is opened
    (eml,) = tmp_path.glob("*.eml")
    page = TestClient(Starlette(routes=inbox_routes(tmp_path))).get(f"/_local/mail/{eml.stem}").text

    # THEN it shows the copy's address, and says the text part shown is not the one sent
    assert "copy@example.com" in page
    assert "Text part read from the HTML body" in page
