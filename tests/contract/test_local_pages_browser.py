"""The local pages a person reads in a browser: the inbox with the welcome e-mail a new user got, and the
invocations that sent it, on the live server with its event sources running (headless Chromium)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.contract.clients import run, user_client
from tests.fixtures.live_server import LiveServer


def _new_user(live_server: LiveServer) -> tuple[str, str]:
    """A user signs in for the first time (their profile is created); returns (username, e-mail)."""
    username = f"reader-{uuid.uuid4().hex[:8]}"
    run(user_client(live_server.url, live_server.token(username)), "{ me { id } }")
    return username, f"{username}@example.com"


def _inbox_lists(live_server: LiveServer, text: str, timeout: float = 30) -> str:
    """The inbox page once it lists `text` (a new user's stream record reaches the function within seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        page = httpx.get(f"{live_server.base_url}/_local/mail", timeout=10).text
        if text in page:
            return page
        assert time.monotonic() < deadline, f"the inbox never listed {text}"
        time.sleep(0.1)


def _mail_files(live_server: LiveServer, recipient: str) -> list[Path]:
    folder = live_server.runtime_data_dir / "mail"
    return [p for p in folder.glob("*.eml") if f"To: {recipient}" in p.read_text(errors="replace")]


def test_a_new_user_gets_one_welcome_email_kept_as_an_eml_file(live_server: LiveServer) -> None:
    # GIVEN a user who signs in for the first time, and then another
    username, email = _new_user(live_server)
    _, later_email = _new_user(live_server)
    # WHEN the Users table's stream has reached the welcome function for both
    _inbox_lists(live_server, later_email)
    # THEN the first got exactly one welcome e-mail, from the configured sender, kept as a standard .eml
    (mail,) = _mail_files(live_server, email)
    text = mail.read_text()
    assert "From: welcome@blog.example.com" in text
    assert f"Subject: Welcome to the blog, {username}!" in text


@pytest.mark.browser
def test_a_person_reads_the_welcome_email_in_the_local_inbox(
    live_server: LiveServer, browser: object
) -> None:
    # GIVEN a new user's welcome e-mail, sent through the local SES
    _, email = _new_user(live_server)
    _inbox_lists(live_server, email)
    page = browser.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    try:
        # WHEN they open the inbox and click the message to them
        page.goto(f"{live_server.base_url}/_local/mail")
        row = page.locator("tr", has_text=email)
        assert row.count() == 1
        row.locator("a").click()
        # THEN they read it: the headers, and the text (the HTML part shown in a sandboxed frame)
        page.wait_for_selector("h1")
        assert "Welcome to the blog" in page.locator("h1").inner_text()
        assert email in page.locator("dl").inner_text()
        assert "Your account is ready" in page.locator("pre").inner_text()
        frame = page.frame_locator("iframe[sandbox]")
        assert "Your account is ready" in frame.locator("body").inner_text()
        # AND the invocations page shows the welcome function's run with its logs and metrics
        page.goto(f"{live_server.base_url}/_local/invocations")
        page.locator("tr", has_text="welcome-email").first.locator("a").click()
        detail = page.locator("body").inner_text()
        assert "metrics: Blog/" in detail
        assert errors == []
    finally:
        page.close()
