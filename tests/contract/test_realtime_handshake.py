"""The three ways AWS documents to pass credentials when opening AppSync's realtime WebSocket, per auth mode.

"Building a real-time WebSocket client": a header object in ``?header=<base64>&payload=e30=``, the same
object as a ``header-<base64url>`` subprotocol (Amplify JS v6), or plain HTTP headers on the upgrade request
(``x-api-key``, ``Authorization``, ``host``, IAM's signed ``x-amz-*``; AppSync's Android and Swift clients).
A header object, when sent, is what counts; the upgrade's own headers count only without one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from gql.transport.appsync_auth import AppSyncIAMAuthentication
from websockets.asyncio.client import ClientConnection, connect

from appsync_local.runtime import build_runtime
from tests.contract.test_realtime_protocol import (
    SUBSCRIBE_ITEMS,
    RealtimeServer,
    _serve,
    b64,
    b64url,
    realtime_config,
    receive,
    send,
)

METHODS = ("query", "subprotocol", "headers")
MODES = ("api_key", "user_pool", "iam", "oidc")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealtimeServer]:
    data_dir: Path = tmp_path_factory.mktemp("handshake-data")
    yield from _serve(build_runtime(realtime_config(with_js=False), data_dir), data_dir)


def connect_headers(server: RealtimeServer, mode: str) -> dict[str, str]:
    """The header object each mode sends on connect (IAM: SigV4 of POST /graphql/connect with `{}`)."""
    if mode == "api_key":
        return {"host": server.host, "x-api-key": server.api_key}
    if mode == "user_pool":
        return {"host": server.host, "Authorization": server.token("bob")}
    if mode == "oidc":
        return {"host": server.host, "Authorization": server.oidc_token("partner")}
    return dict(iam(server).get_headers())


def start_headers(server: RealtimeServer, mode: str, data: str) -> dict[str, str]:
    """A start's `extensions.authorization` (IAM: SigV4 of POST /graphql with the start's data)."""
    if mode == "iam":
        return dict(iam(server).get_headers(data))
    return connect_headers(server, mode)


def iam(server: RealtimeServer) -> AppSyncIAMAuthentication:
    return AppSyncIAMAuthentication(host=server.host, region_name="us-east-1", credentials=server.credentials)


def opening(
    server: RealtimeServer, method: str, headers: dict[str, str], path: str = "/graphql"
) -> dict[str, Any]:
    """`connect(**opening(...))` opens the socket with `headers` passed the `method` way."""
    url = server.ws_url(path)
    if method == "query":
        return {"uri": f"{url}?header={b64(headers)}&payload=e30=", "subprotocols": ["graphql-ws"]}
    if method == "subprotocol":
        return {"uri": url, "subprotocols": ["graphql-ws", f"header-{b64url(headers)}"]}
    # The client sets Host itself (to the API's host, as the mobile clients do); the rest are added headers.
    extra = {name: value for name, value in headers.items() if name.lower() != "host"}
    return {"uri": url, "subprotocols": ["graphql-ws"], "additional_headers": extra}


async def acknowledged(ws: ClientConnection) -> dict[str, Any]:
    await send(ws, {"type": "connection_init"})
    return await receive(ws)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("method", METHODS)
async def test_each_method_connects_with_each_auth_mode(
    server: RealtimeServer, method: str, mode: str
) -> None:
    # GIVEN the mode's credentials, passed on connect the `method` way
    async with connect(**opening(server, method, connect_headers(server, mode)), proxy=None) as ws:
        # WHEN the client initializes THEN AppSync's ack comes back
        assert ws.subprotocol == "graphql-ws"
        ack = await acknowledged(ws)
        assert ack["type"] == "connection_ack", ack
        # AND a subscription started with the same mode is acknowledged and receives data
        data = json.dumps({"query": SUBSCRIBE_ITEMS, "variables": {"room": f"{method}-{mode}"}})
        authorization = start_headers(server, mode, data)
        await send(
            ws,
            {
                "id": "1",
                "type": "start",
                "payload": {"data": data, "extensions": {"authorization": authorization}},
            },
        )
        assert await receive(ws) == {"type": "start_ack", "id": "1"}
        await server.mutate(f"{method}-{mode}", "hello")
        message = await receive(ws)
        assert message["id"] == "1" and message["payload"]["data"]["onItem"]["text"] == "hello"


@pytest.mark.parametrize("mode", MODES)
async def test_plain_headers_work_on_the_realtime_path_too(server: RealtimeServer, mode: str) -> None:
    async with connect(
        **opening(server, "headers", connect_headers(server, mode), path="/graphql/realtime"), proxy=None
    ) as ws:
        assert (await acknowledged(ws))["type"] == "connection_ack"


BAD: dict[str, Callable[[RealtimeServer], dict[str, str]]] = {
    "api_key": lambda server: {"host": server.host, "x-api-key": "da2-not-a-key"},
    "user_pool": lambda server: {"host": server.host, "Authorization": "not.a.jwt"},
    "oidc": lambda server: {"host": server.host, "Authorization": server.oidc_token("x") + "x"},
    "iam": lambda server: {
        **iam(server).get_headers(),
        "Authorization": iam(server).get_headers()["Authorization"][:-4] + "0000",
    },
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("method", METHODS)
async def test_bad_credentials_get_a_401_connection_error_whichever_way_they_come(
    server: RealtimeServer, method: str, mode: str
) -> None:
    async with connect(**opening(server, method, BAD[mode](server)), proxy=None) as ws:
        message = await acknowledged(ws)
    assert message["type"] == "connection_error"
    (error,) = message["payload"]["errors"]
    assert (error["errorType"], error["errorCode"]) == ("UnauthorizedException", 401)


async def test_a_header_object_takes_precedence_over_the_upgrades_own_headers(server: RealtimeServer) -> None:
    good = connect_headers(server, "api_key")
    bad = BAD["api_key"](server)
    # GIVEN a good header object in the query string and a bad key among the HTTP headers: accepted
    good_query = opening(server, "query", good)
    async with connect(**good_query, additional_headers={"x-api-key": bad["x-api-key"]}, proxy=None) as ws:
        assert (await acknowledged(ws))["type"] == "connection_ack"
    # AND the other way round: refused, the header object being what counts
    bad_query = opening(server, "query", bad)
    async with connect(**bad_query, additional_headers={"x-api-key": good["x-api-key"]}, proxy=None) as ws:
        assert (await acknowledged(ws))["type"] == "connection_error"
    # AND the same for the subprotocol
    bad_protocol = opening(server, "subprotocol", bad)
    async with connect(**bad_protocol, additional_headers={"x-api-key": good["x-api-key"]}, proxy=None) as ws:
        assert (await acknowledged(ws))["type"] == "connection_error"
