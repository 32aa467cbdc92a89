"""AppSync's realtime WebSocket protocol, over real sockets, with gql's AppSync transport and raw messages.

The app under test is a small sample (tests/fixtures/realtime_app) with `@aws_subscribe` subscriptions, served
by `create_app` on 127.0.0.1 with a 0.2 s keep-alive interval.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import ssl
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from botocore.credentials import Credentials
from gql import Client, GraphQLRequest, gql
from gql.transport.appsync_auth import (
    AppSyncApiKeyAuthentication,
    AppSyncIAMAuthentication,
    AppSyncJWTAuthentication,
)
from gql.transport.appsync_websockets import AppSyncWebsocketsTransport
from gql.transport.exceptions import TransportQueryError, TransportServerError
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin

from appdef import AppConfig, parse_config
from appsync_local.auth import IamCredentials
from appsync_local.http_app import create_app
from appsync_local.runtime import Runtime, build_runtime
from appsync_local.serving import BackgroundServer, bind_socket, uvicorn_config
from appsync_local.tls import ensure_local_tls

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "realtime_app"
KEEP_ALIVE = 0.2
TIMEOUT = 5.0

SUBSCRIBE_ITEMS = "subscription OnItem($room: String) { onItem(room: $room) { id text } }"
ADD_ITEM = "mutation Add($room: String!, $text: String!, $priority: Int) { addItem(room: $room, text: $text, priority: $priority) { id room text priority } }"


def realtime_config(*, with_js: bool) -> AppConfig:
    raw: dict[str, Any] = {
        "api": {
            "schema": f"tests.fixtures.realtime_app.schema:{'schema_with_js' if with_js else 'schema'}",
            "default_auth": "API_KEY",
            "additional_auth": ["AMAZON_COGNITO_USER_POOLS", "AWS_IAM", "OPENID_CONNECT"],
            "js_resolvers": "js" if with_js else "no-js",
        },
        "auth": {
            "cognito": {
                "user_pool_id": "us-east-1_Realtime",
                "app_client_ids": ["realtime-web"],
                "groups": ["admins"],
            },
            # The runtime's own OIDC issuer stands in for this one ([local] oidc_issuer = "local").
            "oidc": {"issuer": "https://login.realtime.example.com", "client_id": "realtime-partner"},
        },
        "functions": {
            "items": {
                "handler": "tests.fixtures.realtime_app.handler.lambda_handler",
                "app": "tests.fixtures.realtime_app.handler:app",
            }
        },
        "data_sources": {"none": {"type": "NONE"}},
        "local": {"users": {"alice": {"groups": ["admins"]}, "bob": {}}},
    }
    return parse_config(raw, FIXTURE)


def runtime_with_js(data_dir: Path) -> Runtime:
    """The sample app with its APPSYNC_JS subscription resolver, run by the real engine."""
    return build_runtime(realtime_config(with_js=True), data_dir)


@dataclass
class RealtimeServer:
    """The sample app served over HTTP and WebSocket, with the credentials each auth mode needs."""

    server: BackgroundServer
    runtime: Runtime
    app: Any
    data_dir: Path

    @property
    def host(self) -> str:
        return f"{self.server.host}:{self.server.port}"

    @property
    def http_url(self) -> str:
        return f"http://{self.host}/graphql"

    def ws_url(self, path: str = "/graphql") -> str:
        return f"ws://{self.host}{path}"

    @property
    def origin(self) -> Origin:
        """The Origin a page this server served (GraphiQL) connects with."""
        return Origin(f"http://{self.host}")

    @property
    def api_key(self) -> str:
        assert self.runtime.api_keys is not None
        return self.runtime.api_keys.current().id

    def token(self, username: str) -> str:
        assert self.runtime.user_pool is not None
        return self.runtime.user_pool.mint(username)

    def oidc_token(self, username: str) -> str:
        assert self.runtime.oidc_issuer is not None
        return self.runtime.oidc_issuer.mint(username)

    @property
    def credentials(self) -> Credentials:
        iam = IamCredentials.load_or_create(self.data_dir)
        return Credentials(iam.access_key_id, iam.secret_access_key)

    def api_key_headers(self, key: str | None = None) -> dict[str, str]:
        return {"host": self.host, "x-api-key": key or self.api_key}

    def subscriptions(self) -> int:
        return int(self.app.state.realtime.registry.count())

    async def wait_for_subscriptions(self, count: int) -> None:
        """Wait until the registry holds `count` subscriptions (gql does not expose start_ack)."""
        deadline = time.monotonic() + TIMEOUT
        while self.subscriptions() != count:
            assert time.monotonic() < deadline, f"{self.subscriptions()} subscriptions, expected {count}"
            await asyncio.sleep(0.01)

    def post(self, query: str, variables: dict[str, Any]) -> httpx.Response:
        """A GraphQL request over HTTP with the API key."""
        return httpx.post(
            self.http_url,
            json={"query": query, "variables": variables},
            headers={"x-api-key": self.api_key},
            timeout=TIMEOUT,
        )

    async def mutate(
        self, room: str, text: str, priority: int | None = None, query: str = ADD_ITEM
    ) -> dict[str, Any]:
        async with httpx.AsyncClient() as client:
            response = await client.post(
                self.http_url,
                json={"query": query, "variables": {"room": room, "text": text, "priority": priority}},
                headers={"x-api-key": self.api_key},
            )
        body = response.json()
        assert "errors" not in body, body
        return dict(body["data"])


def _serve(runtime: Runtime, data_dir: Path) -> Iterator[RealtimeServer]:
    app = create_app(runtime, keep_alive_seconds=KEEP_ALIVE)
    with BackgroundServer(app) as server:
        yield RealtimeServer(server=server, runtime=runtime, app=app, data_dir=data_dir)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealtimeServer]:
    data_dir = tmp_path_factory.mktemp("realtime-data")
    yield from _serve(build_runtime(realtime_config(with_js=False), data_dir), data_dir)


@pytest.fixture(scope="module")
def live_js(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealtimeServer]:
    data_dir = tmp_path_factory.mktemp("realtime-js-data")
    yield from _serve(runtime_with_js(data_dir), data_dir)


@pytest.fixture(autouse=True)
async def no_leftover_subscriptions(live: RealtimeServer, live_js: RealtimeServer) -> None:
    """Each test starts from an empty registry: the previous test's sockets are closed and released."""
    await live.wait_for_subscriptions(0)
    await live_js.wait_for_subscriptions(0)


# -- raw protocol helpers -------------------------------------------------------------------------


def b64(obj: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(obj).encode()).decode()


def b64url(obj: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


def query_string_url(live: RealtimeServer, headers: dict[str, str], path: str = "/graphql") -> str:
    return f"{live.ws_url(path)}?header={b64(headers)}&payload=e30="


async def receive(ws: ClientConnection, *, skip_ka: bool = True) -> dict[str, Any]:
    """The next message (keep-alives skipped unless asked for), within TIMEOUT."""

    async def next_message() -> dict[str, Any]:
        while True:
            message = json.loads(await ws.recv())
            if not (skip_ka and message.get("type") == "ka"):
                return dict(message)

    return await asyncio.wait_for(next_message(), TIMEOUT)


async def send(ws: ClientConnection, message: dict[str, Any]) -> None:
    await ws.send(json.dumps(message))


def start_message(
    sub_id: str, query: str, authorization: dict[str, str], variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    data = json.dumps({"query": query, "variables": variables or {}})
    return {
        "id": sub_id,
        "type": "start",
        "payload": {"data": data, "extensions": {"authorization": authorization}},
    }


@contextlib.asynccontextmanager
async def acknowledged(live: RealtimeServer) -> AsyncIterator[ClientConnection]:
    """A raw AppSync-dialect connection to `live`, authenticated with the API key and acknowledged."""
    async with connect(
        query_string_url(live, live.api_key_headers()), subprotocols=["graphql-ws"], proxy=None
    ) as ws:
        await send(ws, {"type": "connection_init"})
        assert (await receive(ws))["type"] == "connection_ack"
        yield ws


@pytest.fixture
async def appsync_ws(live: RealtimeServer) -> AsyncIterator[ClientConnection]:
    async with acknowledged(live) as ws:
        yield ws


async def start(
    ws: ClientConnection,
    live: RealtimeServer,
    sub_id: str,
    query: str = SUBSCRIBE_ITEMS,
    variables: dict[str, Any] | None = None,
    authorization: dict[str, str] | None = None,
) -> dict[str, Any]:
    await send(ws, start_message(sub_id, query, authorization or live.api_key_headers(), variables))
    return await receive(ws)


# -- gql's AppSyncWebsocketsTransport -------------------------------------------------------------


async def _first_event(live: RealtimeServer, transport: AppSyncWebsocketsTransport) -> dict[str, Any]:
    before = live.subscriptions()
    async with Client(transport=transport) as session:
        stream = session.subscribe(GraphQLRequest(SUBSCRIBE_ITEMS, variable_values={"room": "gql"}))
        first = asyncio.ensure_future(anext(stream))
        await live.wait_for_subscriptions(before + 1)
        await live.mutate("gql", "hello")
        result = await asyncio.wait_for(first, TIMEOUT)
        await stream.aclose()
    return dict(result)


@pytest.mark.parametrize("auth_kind", ["api_key", "jwt", "iam"])
async def test_gql_appsync_transport_receives_a_mutation_with_each_auth_mode(
    live: RealtimeServer, auth_kind: str
) -> None:
    # GIVEN gql's AppSync transport, authenticated the way an app authenticates against AWS
    auths: dict[str, Callable[[], Any]] = {
        "api_key": lambda: AppSyncApiKeyAuthentication(host=live.host, api_key=live.api_key),
        "jwt": lambda: AppSyncJWTAuthentication(host=live.host, jwt=live.token("bob")),
        "iam": lambda: AppSyncIAMAuthentication(
            host=live.host, region_name="us-east-1", credentials=live.credentials
        ),
    }
    transport = AppSyncWebsocketsTransport(url=live.ws_url(), auth=auths[auth_kind]())
    # WHEN it subscribes and a mutation for that room runs over HTTP
    result = await _first_event(live, transport)
    # THEN the subscriber receives the mutation's result, narrowed to its own selection
    assert result["onItem"]["text"] == "hello"
    assert set(result["onItem"]) == {"id", "text"}


async def test_gql_transport_with_a_wrong_api_key_gets_a_connection_error(live: RealtimeServer) -> None:
    transport = AppSyncWebsocketsTransport(
        url=live.ws_url(), auth=AppSyncApiKeyAuthentication(host=live.host, api_key="da2-wrong")
    )
    with pytest.raises(TransportServerError, match="UnauthorizedException"):
        async with Client(transport=transport):
            pass


async def test_gql_transport_gets_a_subscription_error_for_a_field_it_may_not_read(
    live: RealtimeServer,
) -> None:
    # GIVEN an API-key client, and a subscription only Cognito admins may start
    transport = AppSyncWebsocketsTransport(
        url=live.ws_url(), auth=AppSyncApiKeyAuthentication(host=live.host, api_key=live.api_key)
    )
    async with Client(transport=transport) as session:
        # WHEN it subscribes THEN the start is refused with AppSync's Unauthorized error
        with pytest.raises(
            TransportQueryError, match="Not Authorized to access onAdminItem on type Subscription"
        ):
            async for _ in session.subscribe(gql("subscription { onAdminItem { id } }")):
                pass


# -- AppSync's dialect, message by message ----------------------------------------------------------


async def test_connection_init_is_acknowledged_with_the_connection_timeout(live: RealtimeServer) -> None:
    async with connect(
        query_string_url(live, live.api_key_headers()), subprotocols=["graphql-ws"], proxy=None
    ) as ws:
        # THEN the server chose AppSync's subprotocol
        assert ws.subprotocol == "graphql-ws"
        await send(ws, {"type": "connection_init"})
        assert await receive(ws) == {"type": "connection_ack", "payload": {"connectionTimeoutMs": 300000}}


async def test_keep_alives_arrive_after_the_ack(appsync_ws: ClientConnection) -> None:
    # WHEN the client waits THEN `ka` messages keep arriving
    assert await receive(appsync_ws, skip_ka=False) == {"type": "ka"}
    assert await receive(appsync_ws, skip_ka=False) == {"type": "ka"}


@pytest.fixture(scope="module")
def live_hourly_ka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealtimeServer]:
    """The sample app with keep-alives an hour apart: any `ka` within a test is the one sent with the ack."""
    data_dir = tmp_path_factory.mktemp("realtime-hourly-ka")
    runtime = build_runtime(realtime_config(with_js=False), data_dir)
    app = create_app(runtime, keep_alive_seconds=3600)
    with BackgroundServer(app) as server:
        yield RealtimeServer(server=server, runtime=runtime, app=app, data_dir=data_dir)


async def test_the_first_keep_alive_comes_with_the_ack(live_hourly_ka: RealtimeServer) -> None:
    live = live_hourly_ka
    async with connect(
        query_string_url(live, live.api_key_headers()), subprotocols=["graphql-ws"], proxy=None
    ) as ws:
        # WHEN the client initializes
        await send(ws, {"type": "connection_init"})
        # THEN a `ka` follows the ack at once, not an interval later: Amplify JS v6 counts the gap from before
        # the connection and reports it disrupted after 65 s without one
        assert (await receive(ws, skip_ka=False))["type"] == "connection_ack"
        assert await receive(ws, skip_ka=False) == {"type": "ka"}
        # AND the next one waits for the interval (the subscription's start_ack comes first)
        assert await start(ws, live, "1") == {"type": "start_ack", "id": "1"}


async def test_start_data_stop_complete(live: RealtimeServer, appsync_ws: ClientConnection) -> None:
    # WHEN a subscription starts
    ack = await start(appsync_ws, live, "1", variables={"room": "lobby"})
    assert ack == {"type": "start_ack", "id": "1"}
    # AND mutations run for its room and for another room
    await live.mutate("elsewhere", "not for you")
    created = await live.mutate("lobby", "hi there")
    # THEN only the lobby's item arrives, as the subscriber selected it
    message = await receive(appsync_ws)
    assert message == {
        "type": "data",
        "id": "1",
        "payload": {"data": {"onItem": {"id": created["addItem"]["id"], "text": "hi there"}}},
    }
    # WHEN the client stops THEN AppSync completes it and nothing more arrives
    await send(appsync_ws, {"type": "stop", "id": "1"})
    assert await receive(appsync_ws) == {"type": "complete", "id": "1"}
    assert live.subscriptions() == 0


NOT_SELECTED = (
    "mutation M($room: String!, $text: String!, $priority: Int) "
    "{ addItem(room: $room, text: $text, priority: $priority) { id room } }"
)


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        # a nullable field the mutation did not select arrives as null, never with the mutation's value
        ("priority", lambda item: {"data": {"onItem": {"id": item, "priority": None}}}),
        # a non-null one nulls the event, with the error AppSync sends (amplify-cli#5542)
        ("text", lambda item: {"data": {"onItem": None}, "errors": [{
            "message": "Cannot return null for non-nullable type: 'String' within parent 'Item' (/onItem/text)",
            "path": ["onItem", "text"],
        }]}),
    ],
    ids=["nullable", "non-null"],
)  # fmt: skip
async def test_fields_the_mutation_did_not_select(
    live: RealtimeServer, appsync_ws: ClientConnection, field: str, expected: Callable[[str], Any]
) -> None:
    # GIVEN a subscriber asking for a field that the mutation below, run with a priority, does not select
    await start(appsync_ws, live, "1", query=f'subscription {{ onItem(room: "narrow") {{ id {field} }} }}')
    # WHEN the mutation runs
    item = (await live.mutate("narrow", "x", 7, query=NOT_SELECTED))["addItem"]["id"]
    # THEN the subscriber gets what AppSync sends
    assert (await receive(appsync_ws))["payload"] == expected(item)


async def test_a_field_the_subscriber_may_not_read_arrives_null_with_appsyncs_unauthorized_error(
    live: RealtimeServer, appsync_ws: ClientConnection
) -> None:
    # GIVEN two subscriptions asking for `note`, which user pools alone may read: one with the API key, one signed in
    query = 'subscription { onItem(room: "notes") { id note } }'
    assert (await start(appsync_ws, live, "public", query))["type"] == "start_ack"
    signed_in = {"host": live.host, "Authorization": live.token("bob")}
    assert (await start(appsync_ws, live, "user", query, authorization=signed_in))["type"] == "start_ack"
    # WHEN a signed-in user adds an item and selects its note
    async with httpx.AsyncClient() as client:
        response = await client.post(
            live.http_url,
            json={"query": 'mutation { addItem(room: "notes", text: "t") { id room text note } }'},
            headers={"Authorization": live.token("bob")},
        )
    item = response.json()["data"]["addItem"]
    assert item["note"] == "note on t"
    # THEN the signed-in subscription gets the note; the API-key one gets null and the Unauthorized error its own
    # query of the field would get, never the mutation's value
    received = {m["id"]: m["payload"] for m in [await receive(appsync_ws), await receive(appsync_ws)]}
    assert received["user"] == {"data": {"onItem": {"id": item["id"], "note": "note on t"}}}
    assert received["public"] == {
        "data": {"onItem": {"id": item["id"], "note": None}},
        "errors": [
            {
                "errorType": "Unauthorized",
                "message": "Not Authorized to access note on type Item",
                "path": ["onItem", "note"],
            }
        ],
    }


async def test_header_subprotocol_auth_on_the_realtime_path(live: RealtimeServer) -> None:
    # GIVEN Amplify JS v6's form: the auth header as a `header-<base64url>` subprotocol, on /graphql/realtime
    header = f"header-{b64url({'host': live.host, 'Authorization': live.token('bob')})}"
    async with connect(
        live.ws_url("/graphql/realtime"), subprotocols=["graphql-ws", header], proxy=None
    ) as ws:
        assert ws.subprotocol == "graphql-ws"
        await send(ws, {"type": "connection_init"})
        assert (await receive(ws))["type"] == "connection_ack"
        ack = await start(
            ws, live, "a", authorization={"host": live.host, "Authorization": live.token("bob")}
        )
        assert ack == {"type": "start_ack", "id": "a"}


@pytest.mark.parametrize(
    "url_for",
    [
        lambda live: query_string_url(live, live.api_key_headers("da2-not-a-key")),
        lambda live: query_string_url(live, {"host": live.host, "Authorization": "not.a.jwt"}),
        lambda live: live.ws_url(),  # no header at all
        lambda live: f"{live.ws_url()}?header=%%%&payload=e30=",  # not base64 JSON
    ],
    ids=["bad-api-key", "bad-token", "no-header", "garbled-header"],
)
async def test_bad_credentials_get_connection_error_then_close(
    live: RealtimeServer, url_for: Callable[[RealtimeServer], str]
) -> None:
    async with connect(url_for(live), subprotocols=["graphql-ws"], proxy=None) as ws:
        await send(ws, {"type": "connection_init"})
        message = await receive(ws)
        assert message["type"] == "connection_error"
        (error,) = message["payload"]["errors"]
        assert error["errorType"] == "UnauthorizedException" and error["errorCode"] == 401
        with pytest.raises(ConnectionClosed):
            await receive(ws)


async def test_a_duplicate_subscription_id_is_refused(
    live: RealtimeServer, appsync_ws: ClientConnection
) -> None:
    assert (await start(appsync_ws, live, "7"))["type"] == "start_ack"
    refused = await start(appsync_ws, live, "7")
    assert refused["type"] == "error" and refused["id"] == "7"
    assert refused["payload"]["errors"][0]["errorType"] == "DuplicatedOperationError"
    # The first subscription is untouched.
    assert live.subscriptions() == 1


async def test_unknown_message_types_and_invalid_json_get_errors(appsync_ws: ClientConnection) -> None:
    await send(appsync_ws, {"type": "subscribe", "id": "1"})
    assert await receive(appsync_ws) == {
        "type": "error",
        "id": "1",
        "payload": {
            "errors": [
                {
                    "errorType": "UnsupportedOperation",
                    "message": "subscribe not supported through the realtime channel",
                }
            ]
        },
    }
    await appsync_ws.send("{not json")
    invalid = await receive(appsync_ws)
    assert invalid["type"] == "error" and "id" not in invalid
    assert invalid["payload"]["errors"][0]["errorType"] == "BadRequestException"
    # A start without `data` (e.g. an Apollo-style payload) is an `unknown` operation, as on AppSync.
    await send(
        appsync_ws, {"type": "start", "id": "2", "payload": {"query": "subscription { onItem { id } }"}}
    )
    unknown = await receive(appsync_ws)
    assert unknown["payload"]["errors"][0]["message"] == "unknown not supported through the realtime channel"


@pytest.mark.parametrize(
    ("query", "error_type", "message_part"),
    [
        ('query { item(id: "1") { id } }', "UnsupportedOperation", "query not supported"),
        (
            'mutation { addItem(room: "a", text: "b") { id } }',
            "UnsupportedOperation",
            "mutation not supported",
        ),
        (
            "subscription { onNothing { id } }",
            None,
            "FieldUndefined: Field 'onNothing' in type 'Subscription'",
        ),
        ("subscription { onItem { id ", None, "Invalid Syntax : offending token '<EOF>'"),
        ("subscription { onItem { id } onAdminItem { id } }", None, "only one top level field"),
    ],
    ids=["query", "mutation", "unknown-field", "syntax", "two-fields"],
)
async def test_bad_documents_are_refused_with_an_error_for_their_id(
    live: RealtimeServer, appsync_ws: ClientConnection, query: str, error_type: str | None, message_part: str
) -> None:
    message = await start(appsync_ws, live, "9", query=query)
    assert message["type"] == "error" and message["id"] == "9"
    error = message["payload"]["errors"][0]
    # engine errors (syntax, validation) come as their text alone, as AppSync sends them
    assert error.get("errorType") == error_type
    if error_type is None:
        assert set(error) == {"message"}
    assert message_part in error["message"]
    assert live.subscriptions() == 0


async def test_each_start_is_authorized_on_its_own(
    live: RealtimeServer, appsync_ws: ClientConnection
) -> None:
    # GIVEN a connection opened with the API key
    admin = {"host": live.host, "Authorization": live.token("alice")}
    member = {"host": live.host, "Authorization": live.token("bob")}
    query = "subscription { onAdminItem { id text } }"
    # WHEN starts carry different credentials
    as_admin = await start(appsync_ws, live, "admin", query=query, authorization=admin)
    as_member = await start(appsync_ws, live, "member", query=query, authorization=member)
    as_key = await start(appsync_ws, live, "key", query=query)
    forged = await start(
        appsync_ws, live, "forged", authorization={"host": live.host, "x-api-key": "da2-forged"}
    )
    # THEN each is judged by its own auth: only the admins' group may read onAdminItem
    assert as_admin == {"type": "start_ack", "id": "admin"}
    for refused in (as_member, as_key):
        assert refused["type"] == "error"
        assert refused["payload"]["errors"][0]["errorType"] == "Unauthorized"
    assert forged["payload"]["errors"][0]["errorType"] == "UnauthorizedException"
    # AND the admin's subscription receives data
    await live.mutate("any", "for admins")
    data = await receive(appsync_ws)
    assert data["id"] == "admin" and data["payload"]["data"]["onAdminItem"]["text"] == "for admins"


async def test_iam_signed_connection_and_start(live: RealtimeServer) -> None:
    # GIVEN gql's SigV4 signer: connect signed for /graphql/connect, each start for /graphql with its data
    auth = AppSyncIAMAuthentication(host=live.host, region_name="us-east-1", credentials=live.credentials)
    async with connect(auth.get_auth_url(live.ws_url()), subprotocols=["graphql-ws"], proxy=None) as ws:
        await send(ws, {"type": "connection_init"})
        assert (await receive(ws))["type"] == "connection_ack"
        data = json.dumps({"query": SUBSCRIBE_ITEMS, "variables": {}})
        good = {
            "id": "1",
            "type": "start",
            "payload": {"data": data, "extensions": {"authorization": auth.get_headers(data)}},
        }
        await send(ws, good)
        assert await receive(ws) == {"type": "start_ack", "id": "1"}
        # WHEN the data differs from what was signed THEN the signature does not match
        tampered = {
            "id": "2",
            "type": "start",
            "payload": {
                "data": data.replace("{}", '{"room": "x"}'),
                "extensions": {"authorization": auth.get_headers(data)},
            },
        }
        await send(ws, tampered)
        refused = await receive(ws)
        assert (
            refused["id"] == "2" and refused["payload"]["errors"][0]["errorType"] == "UnauthorizedException"
        )


async def test_at_most_100_subscriptions_per_connection(
    live: RealtimeServer, appsync_ws: ClientConnection
) -> None:
    for i in range(100):
        await send(appsync_ws, start_message(str(i), SUBSCRIBE_ITEMS, live.api_key_headers()))
    acks = [await receive(appsync_ws) for _ in range(100)]
    assert all(a["type"] == "start_ack" for a in acks)
    refused = await start(appsync_ws, live, "100")
    assert refused["type"] == "error" and refused["id"] == "100"
    assert refused["payload"]["errors"][0] == {
        "errorType": "MaxSubscriptionsReachedError",
        "message": "Max number of 100 subscriptions reached",
    }


async def test_a_message_over_240_kb_is_refused(appsync_ws: ClientConnection) -> None:
    await send(appsync_ws, {"type": "start", "id": "big", "payload": {"data": "x" * (241 * 1024)}})
    refused = await receive(appsync_ws)
    assert refused["type"] == "error"
    assert refused["payload"]["errors"][0]["errorType"] == "LimitExceededError"


async def test_a_payload_over_240_kb_is_not_delivered(
    live: RealtimeServer, appsync_ws: ClientConnection
) -> None:
    await start(appsync_ws, live, "1", variables={"room": "big"})
    # WHEN one mutation's result exceeds 240 KB and the next does not
    await live.mutate(
        "big", "", query="mutation B($room: String!) { bigItem(room: $room, size: 250000) { id text } }"
    )
    await live.mutate("big", "small")
    # THEN, as on AppSync, only the small one reaches the subscriber
    message = await receive(appsync_ws)
    assert message["payload"]["data"]["onItem"]["text"] == "small"


async def test_closing_the_socket_removes_its_subscriptions(live: RealtimeServer) -> None:
    async with connect(
        query_string_url(live, live.api_key_headers()), subprotocols=["graphql-ws"], proxy=None
    ) as ws:
        await send(ws, {"type": "connection_init"})
        await receive(ws)
        for sub_id in ("1", "2", "3"):
            await start(ws, live, sub_id)
        assert live.subscriptions() == 3
    await live.wait_for_subscriptions(0)


async def test_an_upgrade_without_a_known_subprotocol_is_rejected(live: RealtimeServer) -> None:
    with pytest.raises(InvalidStatus):
        async with connect(query_string_url(live, live.api_key_headers()), subprotocols=["mqtt"], proxy=None):
            pass


# -- the subscription resolver: enhanced filters and refusals ---------------------------------------


async def test_the_subscription_resolvers_filter_selects_what_is_delivered(live_js: RealtimeServer) -> None:
    async with acknowledged(live_js) as ws:
        query = "subscription F($room: String) { onFilteredItem(room: $room) { text priority } }"
        ack = await start(ws, live_js, "f", query=query, variables={"room": "r"})
        assert ack["type"] == "start_ack", ack
        # WHEN a low-priority and then a high-priority item are added to the room
        await live_js.mutate("r", "low", 1)
        await live_js.mutate("r", "high", 9)
        # THEN only the item passing `priority >= 5` arrives
        message = await receive(ws)
        assert message["payload"]["data"]["onFilteredItem"] == {"text": "high", "priority": 9}


async def test_a_util_error_in_the_subscription_resolver_refuses_the_start(live_js: RealtimeServer) -> None:
    async with acknowledged(live_js) as ws:
        query = 'subscription { onFilteredItem(room: "vault") { text } }'
        refused = await start(ws, live_js, "v", query=query)
        assert refused["type"] == "error" and refused["id"] == "v"
        error = refused["payload"]["errors"][0]
        assert (error["errorType"], error["message"]) == ("Forbidden", "The vault is closed to subscribers.")
        assert live_js.subscriptions() == 0


async def test_more_than_five_invalidations_in_one_request_are_an_error(live_js: RealtimeServer) -> None:
    rooms = [f"room-{n}" for n in range(6)]
    async with acknowledged(live_js) as ws:
        query = "subscription F($room: String) { onFilteredItem(room: $room) { text } }"
        for room in rooms:
            assert (await start(ws, live_js, room, query=query, variables={"room": room}))[
                "type"
            ] == "start_ack"
        # WHEN one mutation invalidates six rooms' subscriptions (the same room twice counts once)
        response = live_js.post(
            "mutation C($rooms: [String!]!) { closeRooms(rooms: $rooms) }", {"rooms": [rooms[0], *rooms]}
        ).json()
        # THEN the request reports AppSync's limit of five, and the first five rooms' subscriptions end
        assert response["data"] == {"closeRooms": 7}
        (error,) = response["errors"]
        assert error["path"] == ["closeRooms"] and "at most 5 distinct" in error["message"]
        ended = {(await receive(ws))["id"] for _ in range(5)}
        assert ended == set(rooms[:5])
        await live_js.wait_for_subscriptions(1)


def test_a_resolvers_response_headers_reach_the_client_and_restricted_ones_are_errors(
    live_js: RealtimeServer,
) -> None:
    headers = {
        "itemsCount": 7,
        "render": "fast",
        "meta": {"a": 1},
        "Content-Type": "text/plain",
        "x-amz-id": "1",
    }
    # WHEN a resolver adds them with util.http.addResponseHeaders
    response = live_js.post("query H($h: AWSJSON!) { withHeaders(headers: $h) }", {"h": json.dumps(headers)})
    # THEN the allowed headers are on the response, each value as the resolver gave it
    assert response.headers["itemscount"] == "7"
    assert response.headers["render"] == "fast"
    assert json.loads(response.headers["meta"]) == {"a": 1}
    assert response.headers["content-type"].startswith("application/json")
    assert "x-amz-id" not in response.headers
    # AND each restricted one is left out with a ResponseHeaderError, the data kept
    body = response.json()
    assert body["data"] == {"withHeaders": True}
    refused = [(e["errorType"], e["path"]) for e in body["errors"]]
    assert refused == [("ResponseHeaderError", ["withHeaders"])] * 2
    assert "'Content-Type' is restricted" in body["errors"][0]["message"]


# -- graphql-transport-ws (GraphiQL) ----------------------------------------------------------------


async def test_graphql_transport_ws_subscribe_next_complete_and_ping(live: RealtimeServer) -> None:
    async with connect(
        live.ws_url(), subprotocols=["graphql-transport-ws"], origin=live.origin, proxy=None
    ) as ws:
        assert ws.subprotocol == "graphql-transport-ws"
        # GIVEN GraphiQL's connection_init, carrying its headers editor's content
        await send(ws, {"type": "connection_init", "payload": {"x-api-key": live.api_key}})
        assert await receive(ws) == {"type": "connection_ack"}
        await send(ws, {"type": "ping"})
        assert await receive(ws) == {"type": "pong"}
        # WHEN it subscribes and a mutation runs
        await send(
            ws,
            {
                "id": "g1",
                "type": "subscribe",
                "payload": {"query": SUBSCRIBE_ITEMS, "variables": {"room": "graphiql"}},
            },
        )
        await live.wait_for_subscriptions(1)
        await live.mutate("graphiql", "over transport-ws")
        # THEN the result arrives as `next`
        message = await receive(ws)
        assert message["type"] == "next" and message["id"] == "g1"
        assert message["payload"]["data"]["onItem"]["text"] == "over transport-ws"
        # WHEN the client completes the subscription THEN it is gone
        await send(ws, {"id": "g1", "type": "complete"})
        await live.wait_for_subscriptions(0)
        # AND a refused subscribe gets an `error` with GraphQL errors
        await send(
            ws, {"id": "g2", "type": "subscribe", "payload": {"query": "subscription { onAdminItem { id } }"}}
        )
        refused = await receive(ws)
        assert refused["type"] == "error" and refused["id"] == "g2"
        assert refused["payload"][0]["errorType"] == "Unauthorized"


async def test_graphql_transport_ws_is_refused_to_clients_other_than_the_runtimes_own_pages(
    live: RealtimeServer,
) -> None:
    # WHEN a client offers only graphql-transport-ws (the graphql-ws library's default), from no page or
    # from a page this server did not serve
    for origin in (None, Origin("http://localhost:3000")):
        with pytest.raises(InvalidStatus) as refused:
            async with connect(
                live.ws_url(), subprotocols=["graphql-transport-ws"], origin=origin, proxy=None
            ):
                pass
        # THEN the upgrade is refused, as AppSync (graphql-ws only) refuses it
        assert refused.value.response.status_code == 403


async def test_a_client_offering_both_dialects_gets_appsyncs(live: RealtimeServer) -> None:
    # WHEN a client offers graphql-transport-ws first and graphql-ws second, even from the runtime's own page
    async with connect(
        query_string_url(live, live.api_key_headers()),
        subprotocols=["graphql-transport-ws", "graphql-ws"],
        origin=live.origin,
        proxy=None,
    ) as ws:
        # THEN the server picks graphql-ws, the dialect it gets on AWS
        assert ws.subprotocol == "graphql-ws"
        await send(ws, {"type": "connection_init"})
        assert (await receive(ws))["type"] == "connection_ack"


async def test_graphql_transport_ws_with_a_cognito_authorization_header(live: RealtimeServer) -> None:
    async with connect(
        live.ws_url(), subprotocols=["graphql-transport-ws"], origin=live.origin, proxy=None
    ) as ws:
        await send(ws, {"type": "connection_init", "payload": {"Authorization": live.token("alice")}})
        assert await receive(ws) == {"type": "connection_ack"}
        await send(
            ws,
            {"id": "a", "type": "subscribe", "payload": {"query": "subscription { onAdminItem { text } }"}},
        )
        await live.wait_for_subscriptions(1)
        await live.mutate("x", "admins only")
        message = await receive(ws)
        assert message["payload"]["data"]["onAdminItem"]["text"] == "admins only"


async def test_graphql_transport_ws_closes_on_bad_credentials_and_duplicate_ids(live: RealtimeServer) -> None:
    async with connect(
        live.ws_url(), subprotocols=["graphql-transport-ws"], origin=live.origin, proxy=None
    ) as ws:
        await send(ws, {"type": "connection_init", "payload": {"x-api-key": "da2-wrong"}})
        with pytest.raises(ConnectionClosed) as closed:
            await receive(ws)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
    async with connect(
        live.ws_url(), subprotocols=["graphql-transport-ws"], origin=live.origin, proxy=None
    ) as ws:
        await send(ws, {"type": "connection_init", "payload": {"x-api-key": live.api_key}})
        await receive(ws)
        subscribe = {"id": "d", "type": "subscribe", "payload": {"query": SUBSCRIBE_ITEMS}}
        await send(ws, subscribe)
        await live.wait_for_subscriptions(1)
        await send(ws, subscribe)
        with pytest.raises(ConnectionClosed) as closed:
            await receive(ws)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4409
    await live.wait_for_subscriptions(0)


# -- WSS with the local CA (Amplify JS always uses wss://) ------------------------------------------


@pytest.fixture(scope="module")
def tls_port(live: RealtimeServer) -> Iterator[int]:
    """The same app (so the same subscriptions) served over TLS, as `serve --tls` does."""
    tls = ensure_local_tls(live.data_dir)
    sock = bind_socket()
    server = uvicorn.Server(
        uvicorn_config(live.app, ssl_certfile=str(tls.cert_file), ssl_keyfile=str(tls.key_file))
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + TIMEOUT
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the TLS server did not start"
        time.sleep(0.01)
    yield int(sock.getsockname()[1])
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


async def test_wss_with_the_local_ca(live: RealtimeServer, tls_port: int) -> None:
    # GIVEN a client that trusts only the local CA, and verifies the host name
    trust = ssl.create_default_context(cafile=str(ensure_local_tls(live.data_dir).ca_cert))
    host = f"localhost:{tls_port}"
    headers = {"host": host, "x-api-key": live.api_key}
    url = f"wss://{host}/graphql/realtime?header={b64(headers)}&payload=e30="
    async with connect(url, subprotocols=["graphql-ws"], ssl=trust, proxy=None) as ws:
        await send(ws, {"type": "connection_init"})
        assert (await receive(ws))["type"] == "connection_ack"
        assert (await start(ws, live, "s", variables={"room": "tls"}, authorization=headers))[
            "type"
        ] == "start_ack"
        # WHEN a mutation arrives over HTTPS
        async with httpx.AsyncClient(verify=trust) as client:
            response = await client.post(
                f"https://{host}/graphql",
                headers={"x-api-key": live.api_key},
                json={"query": ADD_ITEM, "variables": {"room": "tls", "text": "secure"}},
            )
        assert response.status_code == 200
        # THEN the WSS subscriber receives it
        assert (await receive(ws))["payload"]["data"]["onItem"]["text"] == "secure"
