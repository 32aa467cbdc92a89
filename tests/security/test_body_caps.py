"""Bodies are capped while reading (issue 12, item 3).

Before: a 300 MB POST was read whole before its 413 (the server's memory grew by 270 MB), and a request
declaring ``Content-Length: 10000000000`` was never answered. Now the declared length is refused at once,
a streamed body is refused as soon as it passes AppSync's 5 MB, WebSocket messages are capped as their
frames arrive, and after an error response the connection either serves the next request or is closed
with ``Connection: close``.
"""

from __future__ import annotations

import http.client
import json
import select
import socket
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosedError

from appsync_local.http_app import MAX_REQUEST_BYTES
from appsync_local.realtime.protocol import MAX_PAYLOAD_BYTES
from appsync_local.serving import WS_MAX_MESSAGE_BYTES
from tests.security.conftest import Served, next_message

TOO_LARGE = {
    "errors": [{"errorType": "PayloadTooLargeException", "message": "The request payload exceeds 5 MB."}]
}
CHUNK = b"x" * (64 * 1024)


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], Any]:
    """One HTTP/1.1 response from `sock` (the server answers with Content-Length)."""
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        data = sock.recv(65536)
        assert data, f"the connection closed before a response: {buffer!r}"
        buffer += data
    head, _, rest = buffer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
    length = int(headers["content-length"])
    while len(rest) < length:
        data = sock.recv(65536)
        assert data
        rest += data
    return int(status_line.split()[1]), headers, json.loads(rest[:length])


def request_head(served: Served, extra: str) -> bytes:
    host, port = served.address
    return (
        f"POST /graphql HTTP/1.1\r\nHost: {host}:{port}\r\nx-api-key: {served.api_key}\r\n"
        f"Content-Type: application/json\r\n{extra}\r\n"
    ).encode()


def test_a_declared_length_over_5_mb_is_refused_at_once(sample_server: Served) -> None:
    # GIVEN a request declaring a 10 GB body, WHEN only its headers are sent
    with socket.create_connection(sample_server.address, timeout=10) as sock:
        sock.sendall(request_head(sample_server, "Content-Length: 10000000000\r\n"))
        # THEN the 413 comes back without waiting for the body
        status, headers, body = read_response(sock)
        assert status == 413
        assert body == TOO_LARGE
        assert headers["x-amzn-errortype"] == "PayloadTooLargeException"
        # AND the connection is closed, as the response said
        assert headers["connection"] == "close"
        assert sock.recv(65536) == b""


def test_a_streamed_body_is_refused_once_it_passes_5_mb(sample_server: Served) -> None:
    # GIVEN a client streaming a 300 MB body (chunked, no declared length)
    sent = 0
    with socket.create_connection(sample_server.address, timeout=10) as sock:
        sock.sendall(request_head(sample_server, "Transfer-Encoding: chunked\r\n"))
        chunk = b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK)
        # WHEN it sends until the server answers
        while sent < 300 * 1024 * 1024 and not select.select([sock], [], [], 0)[0]:
            try:
                sock.sendall(chunk)
            except OSError:  # the server closed its side: the answer is waiting
                break
            sent += len(CHUNK)
        status, headers, body = read_response(sock)
    # THEN it is refused with AppSync's 413, and the server stopped reading near the cap (what the client
    # got ahead by is what the sockets' buffers hold), not after 300 MB
    assert status == 413
    assert body == TOO_LARGE
    assert headers["connection"] == "close"
    assert MAX_REQUEST_BYTES < sent < 40 * 1024 * 1024


def test_a_body_under_the_cap_is_read_and_answered(sample_server: Served) -> None:
    # GIVEN a 4.5 MB request (a query padded with spaces), streamed
    query = "{ __typename" + " " * (4_500_000) + "}"
    payload = json.dumps({"query": query}).encode()
    with socket.create_connection(sample_server.address, timeout=30) as sock:
        sock.sendall(request_head(sample_server, "Transfer-Encoding: chunked\r\n"))
        for start in range(0, len(payload), len(CHUNK)):
            part = payload[start : start + len(CHUNK)]
            sock.sendall(b"%x\r\n%s\r\n" % (len(part), part))
        sock.sendall(b"0\r\n\r\n")
        status, _, body = read_response(sock)
    # THEN it reaches the GraphQL layer (which finds the document itself too long)
    assert status == 200
    assert "Source contains more than" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("body", "status"),
    [(b"{not json", 400), (b'{"query": "{ __typename }"}', 200)],
    ids=["malformed-400", "ok-200"],
)
def test_after_an_answer_the_connection_serves_the_next_request(
    sample_server: Served, body: bytes, status: int
) -> None:
    # GIVEN one keep-alive connection
    connection = http.client.HTTPConnection(*sample_server.address, timeout=10)
    headers = {"x-api-key": sample_server.api_key, "Content-Type": "application/json"}
    try:
        # WHEN a request is answered (an error or not)
        connection.request("POST", "/graphql", body=body, headers=headers)
        first = connection.getresponse()
        first.read()
        assert first.status == status
        assert not first.will_close
        sock = connection.sock
        # THEN the same connection answers the next one
        connection.request("POST", "/graphql", body=b'{"query": "{ __typename }"}', headers=headers)
        second = connection.getresponse()
        assert json.loads(second.read()) == {"data": {"__typename": "Query"}}
        assert connection.sock is sock
    finally:
        connection.close()


async def keep_alives_until_closed(ws: ClientConnection) -> None:
    while True:
        message = json.loads(await ws.recv())
        assert message["type"] == "ka", message


async def test_a_websocket_message_over_the_frame_cap_closes_the_connection(realtime_server: Served) -> None:
    async with connect(
        realtime_server.realtime_url, subprotocols=["graphql-ws"], proxy=None, max_size=None
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        # GIVEN a message over AppSync's 240 KB but under the frame cap: the protocol refuses it
        await ws.send(
            json.dumps({"type": "start", "id": "big", "payload": {"data": "x" * (MAX_PAYLOAD_BYTES + 1)}})
        )
        refused = await next_message(ws)
        assert refused["payload"]["errors"][0]["errorType"] == "LimitExceededError"
        # WHEN a message over the frame cap is sent
        await ws.send("x" * (WS_MAX_MESSAGE_BYTES + 1))
        # THEN the server closes the connection with "message too big" (1009), without reading it whole
        with pytest.raises(ConnectionClosedError) as closed:
            await keep_alives_until_closed(ws)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
