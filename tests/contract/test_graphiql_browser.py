"""GraphiQL as a person uses it: served offline by this server, credentials set from its auth bar, queries run.

The browser tests drive a real headless Chromium. The app under test comes from one fixture, `graphiql_site`;
it is a small stand-in API here, and any ASGI app that serves the page, the assets, a GraphQL endpoint and a
sign-in endpoint can take its place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from graphql import build_schema, graphql_sync
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from appsync_local.graphiql import graphiql_page, graphiql_routes
from appsync_local.graphiql.assets import ASSETS, GRAPHIQL_VERSION, REACT_VERSION
from appsync_local.http_app import create_app
from appsync_local.serving import BackgroundServer
from tests.fixtures.live_server import LiveServer

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = Path("/tmp/graphiql.png")


# --- the app under test -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GraphiQLSite:
    """An app that serves GraphiQL, and what a person would do with it and expect to see.

    Parameters
    ----------
    app
        The ASGI app: GraphiQL's page at GET `endpoint` (for `Accept: text/html`), its assets, GraphQL at
        POST `endpoint`, and the sign-in URL the page is configured with.
    endpoint
        The path of the page and of the GraphQL endpoint.
    username, password
        A demo user the page offers, and their password.
    query
        A query whose result names the signed-in user.
    expected_result
        Text the result pane shows after running `query` as `username`.
    """

    app: ASGIApp
    endpoint: str
    username: str
    password: str
    query: str
    expected_result: str


DEMO_PASSWORD = "Passw0rd!"
DEMO_USERS = ("alice", "bob")
STAND_IN_API_KEY = "da2-standinstandinstandin0"
STAND_IN_SCHEMA = build_schema("type Query { whoami: String }")


def _stand_in_token(username: str) -> str:
    return f"stand-in-id-token-for-{username}"


def stand_in_api() -> Starlette:
    """GraphiQL's routes and page in front of a one-field API that answers who the caller is."""
    callers = {_stand_in_token(name): name for name in DEMO_USERS}

    async def graphql(request: Request) -> Response:
        if request.method == "GET":
            return graphiql_page(
                endpoint="/graphql", api_key=STAND_IN_API_KEY, users=DEMO_USERS, sign_in_url="/auth/signin"
            )
        body = await request.json()
        result = graphql_sync(
            STAND_IN_SCHEMA,
            body["query"],
            root_value={"whoami": callers.get(request.headers.get("authorization", ""))},
            variable_values=body.get("variables"),
            operation_name=body.get("operationName"),
        )
        return JSONResponse(result.formatted)

    async def sign_in(request: Request) -> Response:
        body = await request.json()
        if body.get("username") not in DEMO_USERS or body.get("password") != DEMO_PASSWORD:
            return JSONResponse({"message": "Incorrect username or password."}, status_code=401)
        return JSONResponse({"IdToken": _stand_in_token(body["username"])})

    return Starlette(
        routes=[
            *graphiql_routes(NODE_MODULES),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/auth/signin", sign_in, methods=["POST"]),
        ]
    )


@pytest.fixture(scope="module")
def graphiql_site(live_server: LiveServer) -> GraphiQLSite:
    """The real local API: a demo user signs in and creates a todo from GraphiQL."""
    return GraphiQLSite(
        app=create_app(live_server.runtime),
        endpoint="/graphql",
        username="alice",
        password=DEMO_PASSWORD,
        query='mutation { createTodo(input: {title: "Written in GraphiQL"}) { title done version } }',
        expected_result='"title": "Written in GraphiQL"',
    )


# --- serving it, and watching what reaches it ---------------------------------------------------------------


@dataclass
class AuthorizationRecorder:
    """ASGI middleware that notes the credential headers of every POST to the GraphQL endpoint."""

    app: ASGIApp
    endpoint: str
    seen: list[str] = field(default_factory=list)  # Authorization, "" when absent
    api_keys: list[str] = field(default_factory=list)  # x-api-key, "" when absent

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == self.endpoint:
            headers = dict(scope["headers"])
            self.seen.append(headers.get(b"authorization", b"").decode("latin-1"))
            self.api_keys.append(headers.get(b"x-api-key", b"").decode("latin-1"))
        await self.app(scope, receive, send)


@dataclass
class RunningSite:
    site: GraphiQLSite
    base_url: str
    recorder: AuthorizationRecorder

    @property
    def page_url(self) -> str:
        return self.base_url + self.site.endpoint


@pytest.fixture(scope="module")
def running_site(graphiql_site: GraphiQLSite) -> Iterator[RunningSite]:
    recorder = AuthorizationRecorder(graphiql_site.app, graphiql_site.endpoint)
    with BackgroundServer(recorder) as server:
        yield RunningSite(site=graphiql_site, base_url=server.url, recorder=recorder)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class BrowserTab:
    """A browser page, with every URL it asked for and every error it logged."""

    page: object  # playwright.sync_api.Page; imported lazily so the module loads without browsers
    requested: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def tab(browser: object, running_site: RunningSite) -> Iterator[BrowserTab]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    local_origin = running_site.base_url

    def only_local(route: object) -> None:
        # Guard, not check: nothing may leave this machine even if the page tried. The check is `requested`.
        url = route.request.url  # type: ignore[attr-defined]
        if url.startswith(local_origin + "/"):
            route.continue_()  # type: ignore[attr-defined]
        else:
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", only_local)
    page = context.new_page()
    watched = BrowserTab(page=page)
    page.on("request", lambda request: watched.requested.append(request.url))
    page.on("websocket", lambda socket: watched.requested.append(socket.url))
    page.on("pageerror", lambda error: watched.errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and watched.errors.append(message.text))
    try:
        yield watched
    finally:
        context.close()


def _headers_editor_text(page: object) -> str:
    """The text a person reads in GraphiQL's Headers tab."""
    lines = page.locator(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror-line")  # type: ignore[attr-defined]
    return "\n".join(lines.all_inner_texts()).replace("\u200b", "")


def _sign_in(page: object, username: str, password: str) -> None:
    page.get_by_label("User").select_option(username)  # type: ignore[attr-defined]
    page.get_by_label("Password").fill(password)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]


# --- the browser tests --------------------------------------------------------------------------------------


@pytest.mark.browser
def test_a_signed_in_demo_user_runs_a_query_with_their_token(
    running_site: RunningSite, tab: BrowserTab
) -> None:
    from playwright.sync_api import expect

    site, page = running_site.site, tab.page
    # GIVEN GraphiQL opened from the server, as a browser asks for it
    page.goto(running_site.page_url)  # type: ignore[attr-defined]
    expect(page.locator(".graphiql-query-editor .CodeMirror")).to_be_visible()  # type: ignore[attr-defined]
    expect(page.get_by_role("button", name=re.compile("Execute query"))).to_be_visible()  # type: ignore[attr-defined]

    # WHEN a demo user signs in from the auth bar
    _sign_in(page, site.username, site.password)

    # THEN the bar names them and GraphiQL's Headers tab holds their token as the Authorization header
    expect(page.locator("#identity")).to_have_text(f"user {site.username}")  # type: ignore[attr-defined]
    headers = json.loads(_headers_editor_text(page))
    assert set(headers) == {"Authorization"}
    token = headers["Authorization"]
    assert token

    # WHEN they type a query and run it
    page.locator(".graphiql-query-editor .CodeMirror").click()  # type: ignore[attr-defined]
    page.keyboard.press("Control+a")  # type: ignore[attr-defined]
    page.keyboard.type(site.query)  # type: ignore[attr-defined]
    page.get_by_role("button", name=re.compile("Execute query")).click()  # type: ignore[attr-defined]

    # THEN the result pane shows the endpoint's answer, which the endpoint gave to a request carrying the token
    expect(page.locator(".graphiql-response")).to_contain_text(site.expected_result)  # type: ignore[attr-defined]
    assert token in running_site.recorder.seen
    page.screenshot(path=str(SCREENSHOT))  # type: ignore[attr-defined]

    # AND nothing was fetched from anywhere but this server, and the page logged no error
    foreign = [url for url in tab.requested if not _is_local(url, running_site.base_url)]
    assert foreign == []
    assert any("/graphiql/assets/graphiql.min.js" in url for url in tab.requested)
    # (GraphiQL re-fetches the schema while the credentials change; the API answers the moment with no
    # credentials with AppSync's 401, which the browser logs. Anything else is a page error.)
    assert [e for e in tab.errors if "status of 401" not in e] == []


@pytest.mark.browser
def test_the_api_key_button_and_a_wrong_password(running_site: RunningSite, tab: BrowserTab) -> None:
    from playwright.sync_api import expect

    site, page = running_site.site, tab.page
    page.goto(running_site.page_url)  # type: ignore[attr-defined]
    expect(page.locator(".graphiql-query-editor .CodeMirror")).to_be_visible()  # type: ignore[attr-defined]

    # WHEN the headers are cleared and the API key is chosen
    page.get_by_role("button", name="Clear").click()  # type: ignore[attr-defined]
    expect(page.locator("#identity")).to_have_text("none")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Use API key").click()  # type: ignore[attr-defined]

    # THEN the Headers tab holds exactly the x-api-key header
    expect(page.locator("#identity")).to_have_text("API key")  # type: ignore[attr-defined]
    assert set(json.loads(_headers_editor_text(page))) == {"x-api-key"}

    # WHEN a sign-in fails
    _sign_in(page, site.username, "not-the-password")

    # THEN the bar says why, and the headers keep the API key
    expect(page.get_by_role("alert")).to_contain_text(f"Could not sign in as {site.username}")  # type: ignore[attr-defined]
    expect(page.locator("#identity")).to_have_text("API key")  # type: ignore[attr-defined]
    assert set(json.loads(_headers_editor_text(page))) == {"x-api-key"}


ROOT_TYPES = ("query: Query", "mutation: Mutation", "subscription: Subscription")


def _open_docs(page: object) -> object:
    """Opens GraphiQL's documentation explorer as a person does, and returns it."""
    page.get_by_role("button", name="Show Documentation Explorer").click()  # type: ignore[attr-defined]
    return page.get_by_role("region", name="Documentation Explorer")  # type: ignore[attr-defined]


@pytest.mark.browser
def test_the_first_screen_loads_the_schema_with_the_chosen_credential(
    running_site: RunningSite, tab: BrowserTab
) -> None:
    from playwright.sync_api import expect

    page, recorder = tab.page, running_site.recorder
    already = len(recorder.api_keys)
    # GIVEN GraphiQL opened cold, as a newcomer opens it: the bar shows the API key as the chosen credential
    page.goto(running_site.page_url)  # type: ignore[attr-defined]
    expect(page.locator("#identity")).to_have_text("API key")  # type: ignore[attr-defined]

    # WHEN they open the documentation explorer
    docs = _open_docs(page)

    # THEN it lists the API's root types, and no error shows anywhere on the page
    for root_type in ROOT_TYPES:
        expect(docs).to_contain_text(root_type)  # type: ignore[attr-defined]
    expect(page.get_by_text("Error fetching schema")).to_have_count(0)  # type: ignore[attr-defined]
    expect(page.locator(".graphiql-response")).not_to_contain_text("authoriz")  # type: ignore[attr-defined]
    # AND every request the page sent carried the chosen key (the schema was fetched with it, never without)
    sent = recorder.api_keys[already:]
    assert sent, "the page fetched no schema"
    assert set(sent) == {json.loads(_headers_editor_text(page))["x-api-key"]}
    assert tab.errors == []


@pytest.mark.browser
def test_the_schema_is_fetched_again_when_the_credential_changes(
    running_site: RunningSite, tab: BrowserTab
) -> None:
    from playwright.sync_api import expect

    page, site, recorder = tab.page, running_site.site, running_site.recorder
    page.goto(running_site.page_url)  # type: ignore[attr-defined]
    docs = _open_docs(page)
    expect(docs).to_contain_text("subscription: Subscription")  # type: ignore[attr-defined]

    # WHEN the credential is cleared
    page.get_by_role("button", name="Clear").click()  # type: ignore[attr-defined]
    # THEN the schema is fetched without one, and the API's refusal shows where the docs were
    expect(docs).to_contain_text("Error fetching schema")  # type: ignore[attr-defined]

    # WHEN the API key is chosen again
    page.get_by_role("button", name="Use API key").click()  # type: ignore[attr-defined]
    # THEN the docs come back, fetched with the key
    expect(docs).to_contain_text("mutation: Mutation")  # type: ignore[attr-defined]
    expect(page.get_by_text("Error fetching schema")).to_have_count(0)  # type: ignore[attr-defined]

    # WHEN a demo user signs in
    before = len(recorder.seen)
    _sign_in(page, site.username, site.password)
    expect(page.locator("#identity")).to_have_text(f"user {site.username}")  # type: ignore[attr-defined]
    token = json.loads(_headers_editor_text(page))["Authorization"]
    # THEN the schema is fetched once more, with their token, and still shows
    expect(docs).to_contain_text("query: Query")  # type: ignore[attr-defined]
    assert token in recorder.seen[before:]
    expect(page.get_by_text("Error fetching schema")).to_have_count(0)  # type: ignore[attr-defined]


def _is_local(url: str, base_url: str) -> bool:
    if url.startswith("data:"):  # inline fonts and icons: nothing is fetched
        return True
    parts, base = urlsplit(url), urlsplit(base_url)
    return parts.hostname == base.hostname == "127.0.0.1" and parts.port == base.port


# --- the HTTP surface, without a browser --------------------------------------------------------------------


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with BackgroundServer(stand_in_api()) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


@pytest.mark.parametrize("asset", ASSETS, ids=lambda asset: asset.name)
def test_each_asset_is_served_with_its_type_and_a_long_cache(client: httpx.Client, asset: object) -> None:
    # WHEN the page's asset is fetched
    response = client.get(f"/graphiql/assets/{asset.name}")  # type: ignore[attr-defined]
    # THEN it is the file from node_modules, typed, cacheable for a year
    assert response.status_code == 200
    assert response.content == (NODE_MODULES / asset.source).read_bytes()  # type: ignore[attr-defined]
    assert response.headers["content-type"] == asset.media_type  # type: ignore[attr-defined]
    assert "max-age=31536000" in response.headers["cache-control"]


@pytest.mark.parametrize(
    "path",
    [
        "/graphiql/assets/index.umd.js",
        "/graphiql/assets/package.json",
        "/graphiql/assets/..%2F..%2Fpackage.json",
        "/graphiql/assets/%2e%2e/%2e%2e/appsync.toml",
        "/graphiql/assets/graphiql/dist/style.css",
    ],
)
def test_nothing_outside_the_whitelist_is_served(client: httpx.Client, path: str) -> None:
    assert client.get(path).status_code == 404


def test_a_missing_node_modules_is_reported_plainly(tmp_path: Path) -> None:
    # GIVEN an empty node_modules
    app = Starlette(routes=graphiql_routes(tmp_path))
    # WHEN GraphiQL's script is asked for
    with BackgroundServer(app) as server:
        response = httpx.get(f"{server.url}/graphiql/assets/graphiql.min.js", timeout=30)
    # THEN the answer says what to do
    assert response.status_code == 503
    assert "make setup" in response.text


def test_the_page_config_cannot_escape_its_script_tag() -> None:
    # GIVEN a username that tries to close the config's script element
    hostile = "</script><script>alert(1)</script><!--"
    # WHEN the page is rendered with it
    html = graphiql_page(
        endpoint="/graphql", api_key=None, users=[hostile], sign_in_url="/auth/signin"
    ).body.decode()
    # THEN the markup never contains it, and the config still reads back exactly
    assert hostile not in html
    config_text = re.search(
        r'<script id="graphiql-config" type="application/json">(.*?)</script>', html, re.DOTALL
    )
    assert config_text is not None
    assert json.loads(config_text.group(1)) == {
        "endpoint": "/graphql",
        "apiKey": None,
        "users": [hostile],
        "signInUrl": "/auth/signin",
    }


def test_the_page_allows_only_its_own_server_and_is_never_cached(client: httpx.Client) -> None:
    response = client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "connect-src 'self'" in policy
    assert "http" not in policy  # no other origin: the endpoint and sign-in URL are paths on this server


def test_the_pinned_asset_versions_are_the_installed_ones() -> None:
    installed = {
        name: json.loads((NODE_MODULES / name / "package.json").read_text())["version"]
        for name in ("react", "react-dom", "graphiql")
    }
    assert installed == {"react": REACT_VERSION, "react-dom": REACT_VERSION, "graphiql": GRAPHIQL_VERSION}
