"""The local inbox: every message the local SES sent becomes an e-mail file and a page, whatever it holds."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from appsync_local.invocations.log import InvocationLog
from appsync_local.invocations.page import invocation_routes
from appsync_local.local_aws import LocalAws
from appsync_local.mail import MailCollector, inbox_routes

REGION = "us-east-1"
SENDER = "hello@blog.example"


@pytest.fixture
def ses(local_aws: LocalAws) -> Any:
    """SES v2 of the local AWS (moto in this process, whose sent messages the collector reads)."""
    client = boto3.client("sesv2", endpoint_url=local_aws.endpoints.moto, region_name=REGION)
    if SENDER not in {i["IdentityName"] for i in client.list_email_identities()["EmailIdentities"]}:
        client.create_email_identity(EmailIdentity=SENDER)
    return client


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
    tag = uuid.uuid4().hex[:8]
    send(ses, f"Welcome, Eve {tag}\nBcc: x@y.z!", "first")
    send(ses, f"Second {tag}", "second")

    # WHEN the inbox collects them
    MailCollector(tmp_path, REGION).collect()

    # THEN both are listed, the first with its subject on one line
    page = TestClient(Starlette(routes=inbox_routes(tmp_path))).get("/_local/mail").text
    assert f"Welcome, Eve {tag} Bcc: x@y.z!" in page
    assert f"Second {tag}" in page
    subjects = {
        line
        for p in tmp_path.glob("*.eml")
        for line in p.read_text().splitlines()
        if line.startswith("Subject")
    }
    assert {f"Subject: Welcome, Eve {tag} Bcc: x@y.z!", f"Subject: Second {tag}"} <= subjects


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
    subject = f"Both {uuid.uuid4().hex[:8]}"
    ses.send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": ["reader@example.com"], "CcAddresses": ["copy@example.com"]},
        Content={
            "Simple": {
                "Subject": {"Data": subject},
                "Body": {"Text": {"Data": "TEXT AS SENT"}, "Html": {"Data": "<p>HTML AS SENT</p>"}},
            }
        },
    )
    MailCollector(tmp_path, REGION).collect()

    # WHEN its page is opened
    (eml,) = [p for p in tmp_path.glob("*.eml") if f"Subject: {subject}" in p.read_text()]
    page = TestClient(Starlette(routes=inbox_routes(tmp_path))).get(f"/_local/mail/{eml.stem}").text

    # THEN it shows the copy's address, and says the text part shown is not the one sent
    assert "copy@example.com" in page
    assert "Text part read from the HTML body" in page
