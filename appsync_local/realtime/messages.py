"""The realtime WebSocket messages, as TypedDicts: AppSync's `graphql-ws` dialect and graphql-transport-ws.

Client messages are read from untrusted JSON (`protocol.decode_message` checks them before they are trusted);
server messages are what `protocol` builds. Devguide: real-time-websocket-client.html.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

from ..wire.response import FieldErrorEntry, RejectionEntry, ResolverErrorEntry

# -- AppSync's graphql-ws dialect ----------------------------------------------------------------------


class StartExtensions(TypedDict, total=False):
    authorization: dict[str, str]


class StartPayload(TypedDict):
    data: str  # a JSON string of {query, variables, operationName}
    extensions: NotRequired[StartExtensions]


class StartMessage(TypedDict):
    """C→S: start a subscription."""

    type: Literal["start"]
    id: str
    payload: StartPayload


class AckPayload(TypedDict):
    connectionTimeoutMs: int


class ConnectionAck(TypedDict):
    type: Literal["connection_ack"]
    payload: NotRequired[AckPayload]


class ConnectionErrorEntry(TypedDict):
    errorType: str
    message: str
    errorCode: int


class ConnectionErrorPayload(TypedDict):
    errors: list[ConnectionErrorEntry]


class ConnectionError(TypedDict):
    type: Literal["connection_error"]
    payload: ConnectionErrorPayload


class KeepAlive(TypedDict):
    type: Literal["ka"]


class StartAck(TypedDict):
    type: Literal["start_ack"]
    id: str


class DataPayload(TypedDict, total=False):
    data: dict[str, Any] | None
    errors: list[FieldErrorEntry]


class Data(TypedDict):
    type: Literal["data"]
    id: str
    payload: DataPayload


class EngineMessageEntry(TypedDict):
    """A GraphQL engine error (syntax, validation, variables) in a realtime `error`: AppSync sends the text only."""

    message: str


ErrorEntry = RejectionEntry | FieldErrorEntry | ResolverErrorEntry


class ErrorPayload(TypedDict):
    errors: list[ErrorEntry]


class Error(TypedDict):
    type: Literal["error"]
    id: NotRequired[str]
    payload: ErrorPayload


class Complete(TypedDict):
    type: Literal["complete"]
    id: str
    payload: NotRequired[DataPayload]


AppSyncServerMessage = ConnectionAck | ConnectionError | KeepAlive | StartAck | Data | Error | Complete

# -- graphql-transport-ws (GraphiQL) -------------------------------------------------------------------


class Pong(TypedDict):
    type: Literal["pong"]


class SubscribeError(TypedDict):
    type: Literal["error"]
    id: str
    payload: list[ErrorEntry]


TransportServerMessage = ConnectionAck | Pong | SubscribeError | Complete

ServerMessage = AppSyncServerMessage | TransportServerMessage
