"""`/_local/invocations`: the newest function invocations, each with its logs, metrics and trace.

Self-contained (no scripts, no external assets), like the inbox.
"""

from __future__ import annotations

import html
import time

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from .log import InvocationLog, InvocationRecord
from .readable import output_lines, trace_lines

INVOCATIONS_PATH = "/_local/invocations"
_CSP = "default-src 'none'; style-src 'unsafe-inline'"
_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 64rem; color: #1d2330; }
table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: .4rem .6rem;
border-bottom: 1px solid #dde2ea; } th { color: #4a5468; } a { color: #1b57c4; } .error { color: #b3261e; }
pre { white-space: pre-wrap; background: #f5f7fa; padding: 1rem; border-radius: 6px; } .empty { color: #6b7588; }
"""


def _page(title: str, body: str) -> HTMLResponse:
    text = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body>{body}</body></html>"
    )
    return HTMLResponse(text, headers={"Content-Security-Policy": _CSP, "X-Content-Type-Options": "nosniff"})


def _when(record: InvocationRecord) -> str:
    return time.strftime("%H:%M:%S", time.localtime(record.started))


def invocation_routes(log: InvocationLog) -> list[BaseRoute]:
    """The list and detail pages of `log`."""

    async def listing(request: Request) -> Response:
        rows = "".join(
            f"<tr><td>{_when(r)}</td><td>{html.escape(r.function)}</td><td>{html.escape(r.source)}</td>"
            f"<td>{r.duration_ms:.0f} ms</td><td class='{'error' if r.error else ''}'>"
            f"{html.escape(r.error or 'ok')}</td><td><a href='{INVOCATIONS_PATH}/{r.request_id}'>"
            f"{len(r.output)} lines, {len(r.segments)} segments</a></td></tr>"
            for r in log.newest()
        )
        body = (
            "<table><thead><tr><th>Time</th><th>Function</th><th>Source</th><th>Duration</th><th>Outcome</th>"
            f"<th>Output</th></tr></thead><tbody>{rows}</tbody></table>"
            if rows
            else "<p class='empty'>No function has run yet.</p>"
        )
        return _page("Invocations", f"<h1>Function invocations</h1>{body}")

    async def detail(request: Request) -> Response:
        record = log.get(request.path_params["request_id"])
        if record is None:
            return _page("Not found", "<h1>No such invocation</h1>")
        readable = "\n".join(output_lines(record)) or "(no output)"
        trace = "\n".join(trace_lines(record)) or "(no trace segments)"
        raw = "\n".join(record.output) or "(nothing)"
        body = (
            f"<p><a href='{INVOCATIONS_PATH}'>← Invocations</a></p><h1>{html.escape(record.function)}</h1>"
            f"<p>{html.escape(record.source)} · {_when(record)} · {record.duration_ms:.0f} ms · request "
            f"{html.escape(record.request_id)} · trace {html.escape(record.trace_id)}</p>"
            + (f"<p class='error'>{html.escape(record.error)}</p>" if record.error else "")
            + f"<h2>Logs and metrics</h2><pre>{html.escape(readable)}</pre>"
            f"<h2>Trace</h2><pre>{html.escape(trace)}</pre><h2>Raw output</h2><pre>{html.escape(raw)}</pre>"
        )
        return _page(f"{record.function} invocation", body)

    return [Route(INVOCATIONS_PATH, listing), Route(INVOCATIONS_PATH + "/{request_id}", detail)]
