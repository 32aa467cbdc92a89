"""`/_local/mail`: the local inbox page, listing every e-mail the app sent, newest first, and showing each.

The page is self-contained (no scripts, no external assets); an HTML e-mail is shown in a sandboxed frame
so that nothing in it runs. `/_local/mail/<name>.eml` is the message itself, for a mail client.
"""

from __future__ import annotations

import email.policy
import html
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from ..local_pages import local_page
from .collector import DERIVED_TEXT_HEADER

INBOX_PATH = "/_local/mail"
_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; img-src data:"
_STYLE = """
body { max-width: 60rem; } td, th { padding: .45rem .6rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; } dt { color: #4a5468; }
iframe { width: 100%; height: 32rem; border: 1px solid #dde2ea; border-radius: 6px; }
.note { color: #4a5468; font-style: italic; }
"""


def _page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    return local_page(title, body, style=_STYLE, csp=_CSP, status_code=status_code)


def _read(path: Path) -> EmailMessage:
    message = BytesParser(policy=email.policy.default).parse(path.open("rb"))
    assert isinstance(message, EmailMessage)
    return message


def inbox_routes(directory: Path) -> list[BaseRoute]:
    """The inbox's routes, reading the `.eml` files in `directory`."""

    def messages() -> list[Path]:
        return sorted(directory.glob("*.eml"), reverse=True) if directory.is_dir() else []

    def find(name: str) -> Path | None:
        return next((p for p in messages() if p.stem == name), None)

    async def inbox(request: Request) -> Response:
        rows = []
        for path in messages():
            mail = _read(path)
            rows.append(
                f"<tr><td>{html.escape(str(mail['Date'] or ''))}</td><td>{html.escape(str(mail['From'] or ''))}</td>"
                f"<td>{html.escape(str(mail['To'] or ''))}</td>"
                f"<td><a href='{INBOX_PATH}/{path.stem}'>{html.escape(str(mail['Subject'] or '(no subject)'))}</a>"
                "</td></tr>"
            )
        table = (
            "<table><thead><tr><th>Date</th><th>From</th><th>To</th><th>Subject</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
            if rows
            else "<p class='empty'>No e-mail yet. What the app sends through SES appears here.</p>"
        )
        return _page(
            "Local inbox", f"<h1>Local inbox</h1><p>{len(rows)} message(s) sent by the app.</p>{table}"
        )

    async def message(request: Request) -> Response:
        name = request.path_params["name"]
        raw = name.endswith(".eml")
        path = find(name.removesuffix(".eml"))
        if path is None:
            return _page("Not found", "<h1>No such message</h1>", status_code=404)
        if raw:
            return Response(path.read_bytes(), media_type="message/rfc822")
        mail = _read(path)
        headers = "".join(
            f"<dt>{h}</dt><dd>{html.escape(str(mail[h]))}</dd>"
            for h in ("From", "To", "Cc", "Reply-To", "Subject", "Date")
            if mail[h] is not None
        )
        html_part = mail.get_body(preferencelist=("html",))
        text_part = mail.get_body(preferencelist=("plain",))
        content = ""
        if html_part is not None:
            content += (
                f"<iframe sandbox title='message' srcdoc=\"{html.escape(html_part.get_content())}\"></iframe>"
            )
        if text_part is not None:
            if mail[DERIVED_TEXT_HEADER] is not None:
                content += (
                    "<p class='note'>Text part read from the HTML body: the local SES keeps one body of a "
                    "message sent with both, so the text the app sent is not shown.</p>"
                )
            content += f"<pre>{html.escape(text_part.get_content())}</pre>"
        links = f"<p><a href='{INBOX_PATH}'>← Inbox</a> · <a href='{INBOX_PATH}/{path.stem}.eml'>Download .eml</a></p>"
        return _page(
            str(mail["Subject"] or "Message"),
            f"{links}<h1>{html.escape(str(mail['Subject'] or ''))}</h1><dl>{headers}</dl>{content}",
        )

    return [Route(INBOX_PATH, inbox), Route(INBOX_PATH + "/{name}", message)]
