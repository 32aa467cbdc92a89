"""GraphiQL's live subscriptions, as a person uses them: a new post appears in the result pane as it is published.

The page, the browser and the local-only request guard are the ones of `test_graphiql_browser`; the app behind
them is the real local API (`create_app(live_server.runtime)`), so the subscription goes over the server's own
``graphql-transport-ws`` endpoint and the post is published by the app's own mutations.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.contract.test_graphiql_browser import (  # noqa: F401  (fixtures pytest finds by name)
    BrowserTab,
    RunningSite,
    _headers_editor_text,
    _is_local,
    _sign_in,
    browser,
    graphiql_site,
    running_site,
    tab,
)

SCREENSHOT = Path("/tmp/graphiql-subscription.png")
TIMEOUT_MS = 10_000
ON_CREATE_POST = "subscription { onCreatePost { id title status } }"
CREATE_POST = "mutation($input: CreatePostInput!) { createPost(input: $input) { id title status } }"
PUBLISH_POST = "mutation($id: ID!) { publishPost(id: $id) { id title status } }"


@dataclass
class SocketLog:
    """Every WebSocket a page opened, and the text frames it sent on them."""

    urls: list[str] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)

    def watch(self, socket: Any) -> None:
        self.urls.append(socket.url)
        socket.on("framesent", self._sent)

    def _sent(self, payload: str | bytes) -> None:
        if isinstance(payload, str):
            self.sent.append(json.loads(payload))

    def sent_types(self) -> list[str]:
        return [str(message.get("type")) for message in self.sent]


def _wait_until(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT_MS / 1000) -> None:
    """Wait for a server-side condition the page cannot show (graphql-transport-ws acknowledges no subscribe)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.01)


def _wait_until_graphiql_parsed(page: Any, operation: str) -> None:
    """Wait until GraphiQL has parsed the query editor's text into a document whose operation is `operation`.

    GraphiQL re-parses the editor 100 ms after the last keystroke and picks the transport from that parse
    (a subscription goes over the WebSocket, anything else over POST); a run inside those 100 ms would use the
    document from before the typing. A person's pause between typing and running is this wait.
    """
    page.wait_for_function(
        """operation => {
            const editor = document.querySelector(".graphiql-query-editor .CodeMirror");
            const document_ = editor && editor.CodeMirror && editor.CodeMirror.documentAST;
            return Boolean(document_) && document_.definitions.some(d => d.operation === operation);
        }""",
        arg=operation,
        timeout=TIMEOUT_MS,
    )


def _held_subscriptions(site: RunningSite) -> int:
    """How many subscriptions the app serving GraphiQL holds right now."""
    return int(site.site.app.state.realtime.registry.count())  # type: ignore[attr-defined]


def _run_as(site: RunningSite, token: str, query: str, **variables: Any) -> dict[str, Any]:
    """A GraphQL request over plain HTTP, as any client of the API sends it; returns `data`."""
    response = httpx.post(
        site.base_url + site.site.endpoint,
        json={"query": query, "variables": variables},
        headers={"Authorization": token},
        timeout=30,
    )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return dict(body["data"])


@pytest.mark.browser
def test_a_new_post_arrives_live_in_graphiql(running_site: RunningSite, tab: BrowserTab) -> None:  # noqa: F811
    from playwright.sync_api import expect

    site, page = running_site.site, tab.page
    sockets = SocketLog()
    page.on("websocket", sockets.watch)  # type: ignore[attr-defined]
    # Guard, as for requests: a socket to anywhere but this server is never connected.
    local_ws_origin = "ws" + running_site.base_url[len("http") :]
    page.route_web_socket(  # type: ignore[attr-defined]
        re.compile(f"^(?!{re.escape(local_ws_origin)}/)"), lambda socket: socket.close()
    )
    execute = page.get_by_role("button", name=re.compile("Execute query"))  # type: ignore[attr-defined]
    stop = page.get_by_role("button", name=re.compile("Stop query"))  # type: ignore[attr-defined]
    response_pane = page.locator(".graphiql-response")  # type: ignore[attr-defined]

    # GIVEN GraphiQL open, with alice (an author) signed in from the auth bar
    page.goto(running_site.page_url)  # type: ignore[attr-defined]
    expect(page.locator(".graphiql-query-editor .CodeMirror")).to_be_visible()  # type: ignore[attr-defined]
    _sign_in(page, site.username, site.password)
    expect(page.locator("#identity")).to_have_text(f"user {site.username}")  # type: ignore[attr-defined]
    token = json.loads(_headers_editor_text(page))["Authorization"]
    held_before = _held_subscriptions(running_site)

    # WHEN she types the subscription and runs it
    page.locator(".graphiql-query-editor .CodeMirror").click()  # type: ignore[attr-defined]
    page.keyboard.press("Control+a")  # type: ignore[attr-defined]
    page.keyboard.type(ON_CREATE_POST)  # type: ignore[attr-defined]
    _wait_until_graphiql_parsed(page, "subscription")
    execute.click()

    # THEN GraphiQL shows it running, and the server holds it
    expect(stop).to_be_visible(timeout=TIMEOUT_MS)
    _wait_until(
        lambda: _held_subscriptions(running_site) == held_before + 1, "the server holds the subscription"
    )
    page.evaluate("window.__sameDocument = true")  # type: ignore[attr-defined]

    # WHEN a post with a title of its own is created and published over HTTP
    title = f"Live in GraphiQL {uuid.uuid4().hex[:8]}"
    draft = _run_as(running_site, token, CREATE_POST, input={"title": title, "body": "b", "tags": []})
    published = _run_as(running_site, token, PUBLISH_POST, id=draft["createPost"]["id"])

    # THEN the result pane shows the published post, in the same document (nothing reloaded)
    expect(response_pane).to_contain_text(f'"title": "{title}"', timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    expect(response_pane).to_contain_text(f'"id": "{published["publishPost"]["id"]}"')  # type: ignore[attr-defined]
    expect(response_pane).to_contain_text('"status": "PUBLISHED"')  # type: ignore[attr-defined]
    assert page.evaluate("window.__sameDocument === true")  # type: ignore[attr-defined]
    page.screenshot(path=str(SCREENSHOT))  # type: ignore[attr-defined]

    # WHEN she stops the subscription
    stop.click()

    # THEN GraphiQL is ready to run again, the result stays, and the server let the subscription go
    expect(execute).to_be_visible(timeout=TIMEOUT_MS)
    expect(response_pane).to_contain_text(title)  # type: ignore[attr-defined]
    _wait_until(lambda: _held_subscriptions(running_site) == held_before, "the server drops the subscription")

    # AND the subscription went over a WebSocket to this server's GraphQL endpoint, authorized by her token
    local_ws = "ws" + running_site.page_url[len("http") :]
    assert sockets.urls and all(url == local_ws for url in sockets.urls), sockets.urls
    assert sockets.sent_types()[:2] == ["connection_init", "subscribe"]
    assert sockets.sent[0].get("payload") == {"Authorization": token}
    # AND nothing was fetched from anywhere else, and the page logged no error (but the 401 of the schema
    # re-fetch while the credentials change, see test_graphiql_browser)
    assert [url for url in tab.requested if not _is_local(url, running_site.base_url)] == []
    assert [e for e in tab.errors if "status of 401" not in e] == []
