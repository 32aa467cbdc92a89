"""Copies what the local SES sent into `.eml` files under the data folder, where they outlive the process.

The local SES (moto, in this process) keeps sent messages in memory, on its public `sent_messages` list; a
thread turns each new one into a standard e-mail file (`<data>/mail/<time>-<id>.eml`) that any mail client
opens, and that the inbox page lists.
"""

from __future__ import annotations

import email.policy
import logging
import os
import threading
import time
from email.message import EmailMessage
from email.parser import Parser
from email.utils import formatdate
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from moto.backends import get_backend
from moto.core import DEFAULT_ACCOUNT_ID

logger = logging.getLogger("appsync_local.mail")

POLL_SECONDS = 0.25
# Marks a message whose text part was read from its HTML body, not sent as such.
DERIVED_TEXT_HEADER = "X-Local-Text-From-Html"


def sent_messages(region: str) -> list[Any]:
    """Every message the local SES (moto, in this process) has sent in `region`, oldest first: what the inbox
    collects, read from moto's public backend objects."""
    return list(get_backend("ses")[DEFAULT_ACCOUNT_ID][region].sent_messages)


def to_eml(message: Any) -> EmailMessage:
    """One of the local SES's sent messages (simple or raw) as an e-mail."""
    raw = getattr(message, "raw_data", None)
    if raw is not None:
        parsed = Parser(policy=email.policy.default).parsestr(raw)
        assert isinstance(parsed, EmailMessage)
        if "To" not in parsed and getattr(message, "destinations", None):
            parsed["To"] = ", ".join(message.destinations)
        return parsed
    mail = EmailMessage()
    mail["From"] = _one_line(message.source)
    destinations = message.destinations or {}
    for header, key in (("To", "ToAddresses"), ("Cc", "CcAddresses")):
        if destinations.get(key):
            mail[header] = _one_line(", ".join(destinations[key]))
    mail["Subject"] = _one_line(message.subject or "")
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail["Message-ID"] = f"<{message.id}@local-ses>"
    body = message.body or ""
    if body.lstrip().lower().startswith(("<!doctype", "<html", "<p", "<div", "<table", "<h1")):
        # The local SES keeps one body (the HTML when both were sent): the text part is read from it, and says so.
        mail[DERIVED_TEXT_HEADER] = "yes"
        mail.set_content(text_of_html(body))
        mail.add_alternative(body, subtype="html")
    else:
        mail.set_content(body)
    return mail


def _one_line(value: str) -> str:
    """A header value on one line: the line breaks a sender left in it (which no header may hold) as spaces."""
    return " ".join(value.splitlines())


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("p", "br", "div", "li", "h1", "h2", "h3", "tr"):
            self.parts.append("\n")


def text_of_html(markup: str) -> str:
    """The readable text of an HTML e-mail body."""
    parser = _Text()
    parser.feed(markup)
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line) + "\n"


class MailCollector:
    """Watches the local SES and writes each sent message once.

    Parameters
    ----------
    directory
        Where the `.eml` files go (`<data>/mail`).
    region
        The local SES's region.
    """

    def __init__(self, directory: Path, region: str) -> None:
        self.directory = Path(directory)
        self._region = region
        self._written: set[str] = {
            p.stem.split("-", 1)[1] for p in self.directory.glob("*.eml") if "-" in p.stem
        }
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def collect(self) -> int:
        """Write the messages not written yet; return how many."""
        written = 0
        for message in sent_messages(self._region):
            if message.id in self._written:
                continue
            try:
                content = to_eml(message).as_bytes(policy=email.policy.SMTP)
            except Exception:  # one message that cannot be written never holds up the ones after it
                logger.exception("mail: message %s cannot be written as an e-mail file; skipped", message.id)
                self._written.add(message.id)
                continue
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.directory / f"{time.time_ns()}-{message.id}.eml"
            temporary = path.with_suffix(".partial")
            temporary.write_bytes(content)
            os.replace(temporary, path)
            self._written.add(message.id)
            logger.info(
                "mail: %s to %s (local inbox)", getattr(message, "subject", "(raw)"), _recipients(message)
            )
            written += 1
        return written

    def start(self) -> MailCollector:
        self._thread = threading.Thread(target=self._run, name="mail-collector", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.collect()

    def __enter__(self) -> MailCollector:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            try:
                self.collect()
            except Exception:  # keep collecting; the next round retries
                logger.exception("collecting sent mail failed")


def _recipients(message: Any) -> str:
    destinations = message.destinations
    if isinstance(destinations, dict):
        return ", ".join(destinations.get("ToAddresses", []))
    return ", ".join(destinations or [])
