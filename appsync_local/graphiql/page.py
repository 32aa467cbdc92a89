"""The GraphiQL page: GraphiQL plus a small bar that puts an API key or a demo user's token into its headers."""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

from starlette.responses import HTMLResponse

from appsync_local.graphiql.assets import asset_url

# Characters that could end the <script> element or be read as HTML inside it; JSON allows them escaped.
_SCRIPT_SAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


@cache
def _template() -> str:
    return resources.files(__package__).joinpath("page.html").read_text(encoding="utf-8")


def script_json(value: object) -> str:
    """`value` as JSON that is safe inside a `<script>` element (no `</script>`, no `<!--`)."""
    return json.dumps(value, ensure_ascii=False).translate(_SCRIPT_SAFE)


def _origins(*urls: str) -> list[str]:
    """The origins (with their WebSocket twins) of any absolute URLs, for the page's connect-src."""
    origins: list[str] = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc:
            ws = "wss" if parts.scheme == "https" else "ws"
            origins += [f"{parts.scheme}://{parts.netloc}", f"{ws}://{parts.netloc}"]
    return origins


def _content_security_policy(nonce: str, endpoint: str, sign_in_url: str) -> str:
    # Everything comes from this server: the browser itself refuses anything else, so the page cannot reach
    # the internet even by accident. GraphiQL sets inline styles, and embeds its fonts and icons as data: URLs.
    connect = " ".join(["'self'", *_origins(endpoint, sign_in_url)])
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            f"connect-src {connect}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'self'",
        ]
    )


def graphiql_page(
    *, endpoint: str, api_key: str | None, users: Sequence[str], sign_in_url: str
) -> HTMLResponse:
    """The GraphiQL page for this API.

    Parameters
    ----------
    endpoint
        Where GraphiQL POSTs queries (usually `/graphql`); subscriptions use the same path over WebSocket.
    api_key
        The key the "Use API key" button puts in the `x-api-key` header, or None when the API has none.
    users
        Demo usernames offered by the sign-in picker.
    sign_in_url
        Answers a POST of `{"username", "password"}` with JSON holding an `IdToken` (top level or inside
        `AuthenticationResult`, as Cognito's InitiateAuth does), which becomes the `Authorization` header.

    Returns
    -------
    HTMLResponse
        The page, never cached, under a Content-Security-Policy that allows only this server.
    """
    nonce = secrets.token_urlsafe(16)
    config = {"endpoint": endpoint, "apiKey": api_key, "users": list(users), "signInUrl": sign_in_url}
    # The config goes in last, so its text is never scanned for placeholders.
    html = (
        _template()
        .replace("{{graphiql_css}}", asset_url("graphiql.css"))
        .replace("{{react_js}}", asset_url("react.production.min.js"))
        .replace("{{react_dom_js}}", asset_url("react-dom.production.min.js"))
        .replace("{{graphiql_js}}", asset_url("graphiql.min.js"))
        .replace("{{nonce}}", nonce)
        .replace("{{config}}", script_json(config))
    )
    return HTMLResponse(
        html,
        headers={
            "Cache-Control": "no-store",
            "Content-Security-Policy": _content_security_policy(nonce, endpoint, sign_in_url),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )
