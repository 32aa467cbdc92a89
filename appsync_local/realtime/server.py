"""AppSync's realtime WebSocket endpoint: AppSync's ``graphql-ws`` dialect, and ``graphql-transport-ws`` for GraphiQL.

Both run on ``/graphql`` and ``/graphql/realtime`` (the same paths also serve HTTP POST). The subprotocol the
client offers picks the dialect. Every subscription goes through `SubscriptionStarter` (validation, auth
directives, the subscription resolver) and lives in the shared `SubscriptionRegistry` until it is stopped or
its connection closes.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import json
import logging
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from ..auth import AuthRules, RequestAuth, UnauthorizedError
from ..runtime import Runtime
from ..sdl import build_appsync_schema
from . import protocol
from .filters import FilterError, parse_invalidation
from .keepalive import KeepAliveClock
from .messages import ErrorEntry, ServerMessage
from .protocol import (
    APPSYNC_SUBPROTOCOL,
    MAX_PAYLOAD_BYTES,
    MAX_SUBSCRIPTIONS,
    TRANSPORT_SUBPROTOCOL,
    ConnectionAuthError,
    RealtimeError,
)
from .sockets import AsgiSocket, SocketClosed, Wire, hand_over
from .starting import PreparedSubscription, StartRefused, SubscriptionStarter
from .subscriptions import Send, Subscription, SubscriptionExistsError, SubscriptionRegistry

logger = logging.getLogger("appsync_local.realtime")

REALTIME_PATHS = ("/graphql", "/graphql/realtime")
# How long a refused connection stays open so the client can read its connection_error.
CONNECTION_ERROR_LINGER_SECONDS = 5.0
# graphql-transport-ws: how long a client may take to send connection_init.
CONNECTION_INIT_TIMEOUT_SECONDS = 10.0
# Subscription messages a client may fall behind by before its subscriptions are dropped.
OUTBOX_LIMIT = 1000

_Message = dict[str, Any]
KEEP_ALIVE_TEXT = protocol.encode(protocol.keep_alive())


class _Closed(Exception):
    """The client went away (or asked to end the connection)."""


class SubscriberTooSlow(Exception):
    """A client fell too far behind reading its subscription messages."""


class _Connection:
    """What both dialects share: one socket, its subscriptions in the registry, ordered sends.

    An idle connection holds no task and no queue of its own: its outbox and the writer task that drains it
    exist only while there is something to send (tens of thousands of idle clients are the common case).
    """

    __slots__ = (
        "_gone",
        "_outbox",
        "_writer",
        "client_ip",
        "endpoint",
        "host",
        "id",
        "socket",
    )

    def __init__(self, websocket: WebSocket, endpoint: RealtimeEndpoint) -> None:
        # Through ASGI until (and unless) the connection is handed over to a `MessageSocket`.
        self.socket: Wire = AsgiSocket(websocket)
        self.endpoint = endpoint
        self.id = str(uuid.uuid4())
        # Subscription messages wait here for this connection's writer, so a fan-out never waits on a client.
        self._outbox: collections.deque[str] | None = None
        self._writer: asyncio.Task[None] | None = None
        self._gone = False
        self.host = websocket.headers.get("host", "localhost")
        self.client_ip = websocket.client.host if websocket.client else "127.0.0.1"

    @property
    def websocket(self) -> WebSocket:
        """The ASGI WebSocket (only while the connection is served through ASGI)."""
        assert isinstance(self.socket, AsgiSocket)
        return self.socket.websocket

    @property
    def registry(self) -> SubscriptionRegistry:
        return self.endpoint.registry

    async def send(self, message: ServerMessage) -> None:
        await self.send_text(protocol.encode(message))

    async def send_text(self, text: str) -> None:
        try:
            await self.socket.send_text(text)
        except SocketClosed as exc:
            raise _Closed() from exc

    def post(self, text: str) -> None:
        """Queue a subscription message for this client without waiting; raises if it cannot take more."""
        if self._gone or not self.socket.is_open:
            raise _Closed()
        outbox = self._outbox
        if outbox is None:
            # Nothing queued ahead of it and a client that keeps up: written at once, no writer task.
            if self.socket.send_now(text):
                return
            outbox = self._outbox = collections.deque()
        elif len(outbox) >= OUTBOX_LIMIT:
            raise SubscriberTooSlow(f"the client is {OUTBOX_LIMIT} messages behind")
        outbox.append(text)
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._write_outbox(outbox))

    async def _write_outbox(self, outbox: collections.deque[str]) -> None:
        """Send what the outbox holds, then end (the next `post` starts a writer again)."""
        try:
            while outbox:
                try:
                    await self.send_text(outbox.popleft())
                except _Closed:
                    self._gone = True
                    return
        finally:
            # No await between the last emptiness check and here: a `post` meanwhile is impossible.
            self._outbox = None
            self._writer = None

    async def receive(self) -> str:
        """The next message, while served through ASGI."""
        assert isinstance(self.socket, AsgiSocket)
        try:
            return await self.socket.receive()
        except SocketClosed as exc:
            raise _Closed() from exc

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self.socket.close(code, reason)

    async def authenticate(self, headers: Mapping[str, str], path: str, body: bytes) -> RequestAuth:
        host = headers.get("host") or headers.get("Host") or self.host
        return await self.endpoint.runtime.authenticator.authenticate_async(
            "POST", f"https://{host}{path}", headers, body, self.client_ip
        )

    async def register(
        self,
        subscription_id: str,
        prepared: PreparedSubscription,
        variables: Mapping[str, Any],
        dialect_send: Send,
    ) -> None:
        self.registry.add(
            Subscription(
                id=subscription_id,
                connection_id=self.id,
                field_name=prepared.field_name,
                response_key=prepared.response_key,
                arguments=prepared.arguments,
                field_node=prepared.field_node,
                fragments=prepared.fragments,
                variables=dict(variables),
                send=dialect_send,
                filter=prepared.filter,
                invalidation_filter=prepared.invalidation_filter,
                on_invalidated=self._invalidated(subscription_id),
                schema=self.endpoint.schema,
                readable=functools.partial(_readable, self.endpoint.runtime.executor.rules, prepared.auth),
                readers=_readers(prepared.auth),
            )
        )

    def _invalidated(self, subscription_id: str) -> Send:
        """What a subscription invalidated by a mutation sends its client (each dialect says it its way)."""
        raise NotImplementedError

    def release(self) -> None:
        self.registry.remove_connection(self.id)
        self._gone = True
        if self._writer is not None:
            self._writer.cancel()


class AppSyncConnection(_Connection):
    """One client on AppSync's own ``graphql-ws`` dialect (gql's AppSyncWebsocketsTransport, Amplify, …).

    Once accepted, it is handed over to a `MessageSocket` where the server offers it: each message that
    arrives then starts one reader task, which handles it and any that follow, in order, and ends.
    """

    __slots__ = ("_inbox", "_reader")

    def __init__(self, websocket: WebSocket, endpoint: RealtimeEndpoint) -> None:
        super().__init__(websocket, endpoint)
        self._inbox: collections.deque[str] | None = None
        self._reader: asyncio.Task[None] | None = None

    async def run(self) -> None:
        websocket = self.websocket
        subprotocols = list(websocket.scope.get("subprotocols") or ())
        try:
            headers = protocol.connection_headers(websocket.query_params, subprotocols, websocket.headers)
            await self.authenticate(headers, "/graphql/connect", b"{}")
        except (ConnectionAuthError, UnauthorizedError) as exc:
            await self._refuse(exc)
            return
        handed = await hand_over(websocket, APPSYNC_SUBPROTOCOL, self)
        if handed is not None:
            self.socket = handed  # lets go of the ASGI WebSocket and its scope
            return
        await websocket.accept(subprotocol=APPSYNC_SUBPROTOCOL)
        try:
            while True:
                await self._handle(await self.receive())
        except _Closed:
            pass
        finally:
            self._end()
            await self.close()

    # -- served by a MessageSocket ---------------------------------------------------------------------

    def message_received(self, text: str) -> None:
        inbox = self._inbox
        if inbox is None:
            inbox = self._inbox = collections.deque()
        inbox.append(text)
        if self._reader is None:
            self._reader = asyncio.get_running_loop().create_task(self._read(inbox))

    def socket_closed(self) -> None:
        if self._reader is None:  # else the reader ends the connection once its message is handled
            self._end()

    async def _read(self, inbox: collections.deque[str]) -> None:
        """Handle what the inbox holds, in order, then end (the next message starts a reader again)."""
        closing = False
        try:
            while inbox and self.socket.is_open:
                try:
                    await self._handle(inbox.popleft())
                except _Closed:
                    closing = True
                    return
        finally:
            # No await between the last emptiness check and here: a message meanwhile is impossible.
            self._inbox = None
            self._reader = None
            if closing or not self.socket.is_open:
                self._end()
                await self.close()

    def _end(self) -> None:
        self.endpoint.keep_alives.forget(self)
        self.release()

    async def _refuse(self, exc: Exception) -> None:
        """AppSync accepts the socket, answers ``connection_error`` and closes; clients treat 401 as final."""
        logger.info("realtime connection refused: %s", exc)
        await self.websocket.accept(subprotocol=APPSYNC_SUBPROTOCOL)
        with contextlib.suppress(_Closed):
            await self.send(protocol.connection_error())
            # Let the client read the error before the close arrives (it usually sends connection_init first).
            with contextlib.suppress(TimeoutError, _Closed):
                await asyncio.wait_for(self.receive(), CONNECTION_ERROR_LINGER_SECONDS)
        await self.close()

    async def _handle(self, text: str) -> None:
        message: _Message = {}
        try:
            message = protocol.decode_message(text)
            kind = message["type"]
            if kind == "connection_init":
                await self.send(protocol.connection_ack())
                # AppSync sends a `ka` right after the ack. Amplify JS v6 times keep-alives from when its
                # provider was made, not from the ack, and reports the connection disrupted once 65 s pass
                # without one: a first `ka` a full interval later would come too late.
                await self.send(protocol.keep_alive())
                self._start_keep_alive()
            elif kind == "start":
                self._start_keep_alive()
                await self._start(message)
            elif kind == "stop":
                await self._stop(message)
            elif kind == "connection_terminate":
                raise _Closed()
            else:
                raise RealtimeError(
                    "UnsupportedOperation",
                    f"{kind} not supported through the realtime channel",
                    protocol.message_id(message),
                )
        except RealtimeError as exc:
            await self.send(protocol.error(exc.subscription_id, exc.errors()))
        except (_Closed, asyncio.CancelledError):
            raise
        except Exception:  # a bug must cost one message, not the client's connection
            logger.exception("realtime message handling failed")
            # The client matches errors to its subscriptions by id: answer with the message's own.
            await self.send(
                protocol.error(
                    protocol.message_id(message),
                    [
                        {
                            "errorType": "InternalFailure",
                            "message": "An internal error occurred; the server logged it.",
                        }
                    ],
                )
            )

    def _start_keep_alive(self) -> None:
        """A `ka` every keep-alive interval from now on (the endpoint's one clock sends them all)."""
        self.endpoint.keep_alives.enroll(self)

    def keep_alive(self) -> bool:
        """Send one `ka`; False once the connection is gone."""
        try:
            self.post(KEEP_ALIVE_TEXT)
        except _Closed:
            return False
        except SubscriberTooSlow:
            pass  # the client has messages enough to read; it is dropped by the next fan-out
        return True

    async def _start(self, message: _Message) -> None:
        start = protocol.parse_start(message)
        if self.registry.get(self.id, start.id) is not None:
            raise RealtimeError(
                "DuplicatedOperationError",
                f"Duplicate subscription id {start.id!r} on this connection.",
                start.id,
            )
        if self.registry.count(self.id) >= MAX_SUBSCRIPTIONS:
            raise RealtimeError(
                "MaxSubscriptionsReachedError",
                f"Max number of {MAX_SUBSCRIPTIONS} subscriptions reached",
                start.id,
            )
        if start.authorization is None:
            raise RealtimeError(
                protocol.UNAUTHORIZED,
                "The start message has no `extensions.authorization` headers.",
                start.id,
            )
        try:
            # Each start is authorized on its own: IAM signs it as POST /graphql with `data` as the body.
            auth = await self.authenticate(start.authorization, "/graphql", start.data.encode())
        except UnauthorizedError as exc:
            raise RealtimeError(protocol.UNAUTHORIZED, exc.message, start.id) from exc
        try:
            prepared = await self.endpoint.starter.prepare(
                start.query, start.variables, start.operation_name, auth, start.authorization
            )
        except StartRefused as exc:
            await self.send(protocol.error(start.id, exc.errors))
            return
        # The registry may have gained this id while the resolver ran.
        try:
            await self.register(start.id, prepared, start.variables, self._data_sender(start.id))
        except SubscriptionExistsError as exc:
            raise RealtimeError("DuplicatedOperationError", str(exc), start.id) from exc
        await self.send(protocol.start_ack(start.id))

    def _data_sender(self, subscription_id: str) -> Send:
        def send_data(payload: _Message) -> None:
            text = protocol.encode_with_payload("data", subscription_id, payload)
            size = len(text)  # JSON encoded with ensure_ascii: one byte per character
            if size > MAX_PAYLOAD_BYTES:
                # AppSync drops a subscription payload over 240 KB without telling the subscriber.
                logger.warning(
                    "subscription %s: %d-byte payload exceeds 240 KB; not delivered", subscription_id, size
                )
                return
            self.post(text)

        return send_data

    def _invalidated(self, subscription_id: str) -> Send:
        def send_complete(payload: _Message) -> None:
            self.post(protocol.encode({**protocol.complete(subscription_id), "payload": payload}))

        return send_complete

    async def _stop(self, message: _Message) -> None:
        subscription_id = protocol.message_id(message)
        if subscription_id is None:
            raise RealtimeError("UnsupportedOperation", "stop needs the subscription's `id`.")
        self.registry.remove(self.id, subscription_id)
        await self.send(protocol.complete(subscription_id))


class TransportWsConnection(_Connection):
    """One client on ``graphql-transport-ws`` (GraphiQL): auth from the ``connection_init`` payload's headers."""

    __slots__ = ("auth", "auth_headers")

    def __init__(self, websocket: WebSocket, endpoint: RealtimeEndpoint) -> None:
        super().__init__(websocket, endpoint)
        self.auth: RequestAuth | None = None
        self.auth_headers: dict[str, str] = {}

    async def run(self) -> None:
        await self.websocket.accept(subprotocol=TRANSPORT_SUBPROTOCOL)
        try:
            try:
                first = await asyncio.wait_for(self.receive(), CONNECTION_INIT_TIMEOUT_SECONDS)
            except TimeoutError:
                await self.close(4408, "Connection initialisation timeout")
                return
            if not await self._init(first):
                return
            while True:
                if not await self._handle(await self.receive()):
                    return
        except _Closed:
            pass
        finally:
            self.release()
            await self.close()

    async def _init(self, text: str) -> bool:
        message = self._decode(text)
        if message is None or message.get("type") != "connection_init":
            await self.close(4401, "Unauthorized")
            return False
        payload = message.get("payload") or {}
        headers = payload.get("headers", payload) if isinstance(payload, dict) else {}
        if not isinstance(headers, dict):
            headers = {}
        self.auth_headers = {str(k): v for k, v in headers.items() if isinstance(v, str)}
        try:
            self.auth = await self.authenticate(self.auth_headers, "/graphql/connect", b"{}")
        except UnauthorizedError:
            await self.close(4403, "Forbidden")
            return False
        await self.send(protocol.transport_ack())
        return True

    @staticmethod
    def _decode(text: str) -> _Message | None:
        try:
            return protocol.decode_message(text)
        except RealtimeError:
            return None

    async def _handle(self, text: str) -> bool:
        """Handle one message; False once the connection was closed for a protocol violation."""
        message = self._decode(text)
        if message is None:
            await self.close(4400, "Invalid message received")
            return False
        kind = message["type"]
        if kind == "ping":
            await self.send(protocol.pong())
        elif kind == "pong":
            pass
        elif kind == "connection_init":
            await self.close(4429, "Too many initialisation requests")
            return False
        elif kind == "subscribe":
            return await self._subscribe(message)
        elif kind == "complete":
            subscription_id = protocol.message_id(message)
            if subscription_id is not None:
                self.registry.remove(self.id, subscription_id)
        else:
            await self.close(4400, f"Invalid message type {kind!r}")
            return False
        return True

    async def _subscribe(self, message: _Message) -> bool:
        subscription_id = protocol.message_id(message)
        payload = message.get("payload")
        if (
            subscription_id is None
            or not isinstance(payload, dict)
            or not isinstance(payload.get("query"), str)
        ):
            await self.close(4400, "Invalid subscribe message")
            return False
        if self.registry.get(self.id, subscription_id) is not None:
            await self.close(4409, f"Subscriber for {subscription_id} already exists")
            return False
        variables = payload.get("variables") or {}
        operation_name = payload.get("operationName")
        errors: list[ErrorEntry] | None = None
        if self.registry.count(self.id) >= MAX_SUBSCRIPTIONS:
            errors = [
                {
                    "errorType": "MaxSubscriptionsReachedError",
                    "message": f"Max number of {MAX_SUBSCRIPTIONS} subscriptions reached",
                }
            ]
        elif not isinstance(variables, dict) or not (
            operation_name is None or isinstance(operation_name, str)
        ):
            errors = [
                {
                    "errorType": "BadRequestException",
                    "message": "`variables` must be an object and `operationName` a string.",
                }
            ]
        if errors is None:
            assert self.auth is not None
            try:
                prepared = await self.endpoint.starter.prepare(
                    payload["query"], variables, operation_name, self.auth, self.auth_headers
                )
                await self.register(subscription_id, prepared, variables, self._next_sender(subscription_id))
            except StartRefused as exc:
                errors = exc.errors
            except SubscriptionExistsError:
                await self.close(4409, f"Subscriber for {subscription_id} already exists")
                return False
        if errors is not None:
            await self.send(protocol.subscribe_error(subscription_id, errors))
        return True

    def _next_sender(self, subscription_id: str) -> Send:
        def send_next(payload: _Message) -> None:
            self.post(protocol.encode_with_payload("next", subscription_id, payload))

        return send_next

    def _invalidated(self, subscription_id: str) -> Send:
        def send_complete(payload: _Message) -> None:
            self.post(protocol.encode(protocol.complete(subscription_id)))

        return send_complete


def _readable(rules: AuthRules, auth: RequestAuth, type_name: str, field_name: str) -> bool:
    """Whether the subscriber (`auth`) may read `type_name.field_name` in what it is delivered."""
    return rules.allows(type_name, field_name, auth)


def _readers(auth: RequestAuth) -> str:
    """What `AuthRules.allows` reads of a caller: subscribers alike in it read the same fields."""
    allowed = sorted(auth.allowed_fields) if auth.allowed_fields is not None else None
    return json.dumps([auth.mode, sorted(auth.groups), sorted(auth.denied_fields), allowed])


class RealtimeEndpoint:
    """The ASGI WebSocket endpoint for one runtime, and the routes that serve it.

    Parameters
    ----------
    runtime
        The runtime whose schema, authenticator, auth rules and bindings apply.
    registry
        Where subscriptions live; its `listener()` must be among ``runtime.executor.mutation_listeners``
        (`attach_realtime` does both).
    keep_alive_seconds
        Interval of AppSync's ``ka`` messages (60 s on AppSync; tests use a fraction of a second).
    """

    def __init__(
        self,
        runtime: Runtime,
        registry: SubscriptionRegistry,
        *,
        keep_alive_seconds: float = protocol.KEEP_ALIVE_SECONDS,
    ) -> None:
        self.runtime = runtime
        self.registry = registry
        self.keep_alive_seconds = keep_alive_seconds
        self.keep_alives = KeepAliveClock(keep_alive_seconds, _beat)
        self.starter = SubscriptionStarter(runtime)
        self.schema = runtime.executor.graphql_schema

    async def handle(self, websocket: WebSocket) -> None:
        """Serve one WebSocket connection in the dialect its subprotocol names.

        AppSync speaks ``graphql-ws`` only, so a client offering it gets it, whatever else it offers (the
        dialect it will get on AWS). ``graphql-transport-ws`` is served to this runtime's own pages only
        (GraphiQL): any other client offering nothing but it would work here and fail on AppSync, so its
        upgrade is refused as AppSync refuses it.
        """
        offered = list(websocket.scope.get("subprotocols") or ())
        if APPSYNC_SUBPROTOCOL in offered:
            await AppSyncConnection(websocket, self).run()
        elif (
            TRANSPORT_SUBPROTOCOL in offered
            and self.runtime.config.local.graphiql
            and is_own_page(websocket.headers)
        ):  # GraphiQL's dialect, from the server's own page only
            await TransportWsConnection(websocket, self).run()
        else:
            if TRANSPORT_SUBPROTOCOL in offered:
                logger.info(
                    "refused a graphql-transport-ws connection from %s: AppSync speaks graphql-ws only "
                    "(graphql-transport-ws is served to this runtime's GraphiQL page)",
                    websocket.headers.get("origin") or "a client with no Origin",
                )
            # No subprotocol both sides speak: refuse the upgrade (HTTP 403).
            await websocket.close(code=1002)

    def routes(self) -> list[WebSocketRoute]:
        return [WebSocketRoute(path, self.handle) for path in REALTIME_PATHS]


def _beat(connection: object) -> bool:
    assert isinstance(connection, AppSyncConnection)
    return connection.keep_alive()


def is_own_page(headers: Mapping[str, str]) -> bool:
    """Whether the upgrade comes from a page this server served: a browser's Origin naming this host."""
    origin = headers.get("origin")
    host = headers.get("host")
    return bool(origin and host) and urlsplit(origin).netloc.lower() == str(host).lower()


def attach_realtime(
    runtime: Runtime, *, keep_alive_seconds: float = protocol.KEEP_ALIVE_SECONDS
) -> RealtimeEndpoint:
    """A realtime endpoint for `runtime`, its registry publishing every mutation the executor runs."""
    # The exported SDL carries @aws_subscribe on each field's AST, as AppSync reads it.
    registry = SubscriptionRegistry.for_schema(build_appsync_schema(runtime.sdl))
    runtime.executor.mutation_listeners.append(registry.listener())

    async def invalidate(request: Any) -> None:
        # extensions.invalidateSubscriptions({subscriptionField, payload}) from a mutation's resolver
        try:
            invalidation = parse_invalidation(request)
        except FilterError as exc:
            logger.warning("ignoring invalidateSubscriptions(%r): %s", request, exc.message)
            return
        await registry.invalidate(invalidation.subscription_field, invalidation.payload)

    runtime.executor.invalidation_listeners.append(invalidate)
    return RealtimeEndpoint(runtime, registry, keep_alive_seconds=keep_alive_seconds)
