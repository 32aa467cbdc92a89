"""`/_local/invocations`: the newest function invocations, each with its logs, metrics and trace.

Self-contained (no scripts, no external assets), like the inbox.
"""

from __future__ import annotations

import html
import time

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from ..local_pages import local_page
from .log import InvocationLog, InvocationRecord
from .readable import output_lines, trace_lines

INVOCATIONS_PATH = "/_local/invocations"
_STYLE = ".error { color: #b3261e; }"


def _page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    return local_page(title, body, style=_STYLE, status_code=status_code)


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
            return _page("Not found", "<h1>No such invocation</h1>", status_code=404)
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
