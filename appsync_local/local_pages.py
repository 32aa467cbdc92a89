"""The shape every local page shares: self-contained HTML (no scripts, no external assets) under a strict CSP."""

from __future__ import annotations

import html

from starlette.responses import HTMLResponse

BASE_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 64rem; color: #1d2330; }
h1 { font-size: 1.4rem; } table { border-collapse: collapse; width: 100%; }
td, th { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #dde2ea; vertical-align: top; }
th { font-weight: 600; color: #4a5468; } a { color: #1b57c4; } .empty { color: #6b7588; }
pre { white-space: pre-wrap; background: #f5f7fa; padding: 1rem; border-radius: 6px; }
"""
BASE_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def local_page(
    title: str, body: str, *, style: str = "", csp: str = BASE_CSP, status_code: int = 200
) -> HTMLResponse:
    """An HTML page titled `title` with `body` (already escaped where it must be)."""
    text = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{BASE_STYLE}{style}</style></head><body>{body}</body></html>"
    )
    return HTMLResponse(
        text,
        status_code=status_code,
        headers={"Content-Security-Policy": csp, "X-Content-Type-Options": "nosniff"},
    )
