"""AppSync's realtime wire format (subprotocol ``graphql-ws``, AppSync's dialect) and graphql-transport-ws.

Only message shapes and the connection's auth header live here; the server decides what to send when.
Devguide: real-time-websocket-client.html.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..text_safety import invalid_unicode_at, invalid_unicode_message
from . import messages
from .messages import ErrorEntry
from .subscriptions import SharedPayload

APPSYNC_SUBPROTOCOL = "graphql-ws"
TRANSPORT_SUBPROTOCOL = "graphql-transport-ws"
# Amplify JS v6 sends the connection's auth header as a second subprotocol: `header-<base64url, no padding>`.
HEADER_SUBPROTOCOL_PREFIX = "header-"

CONNECTION_TIMEOUT_MS = 300_000
KEEP_ALIVE_SECONDS = 60.0
# AppSync quotas (AWS general reference): subscriptions per connection, payload per message.
MAX_SUBSCRIPTIONS = 100
MAX_PAYLOAD_BYTES = 240 * 1024

UNAUTHORIZED = "UnauthorizedException"
NOT_AUTHORIZED_MESSAGE = "You are not authorized to make this call."


class RealtimeError(Exception):
    """A message AppSync answers with an ``error`` (or, on graphql-transport-ws, a close).

    Parameters
    ----------
    error_type
        AppSync's ``errorType``.
    message
        The human-readable reason.
    subscription_id
        The ``id`` the error answers, when the offending message had one.
    """

    def __init__(self, error_type: str, message: str, subscription_id: str | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.subscription_id = subscription_id

    def errors(self) -> list[ErrorEntry]:
        return [{"errorType": self.error_type, "message": self.message}]


class ConnectionAuthError(Exception):
    """The connection's auth header is missing or cannot be read (answered with ``connection_error``)."""


def _b64decode(text: str) -> bytes:
    # Clients use standard (`?header=`) or URL-safe (`header-…`) alphabets, often without padding.
    cleaned = text.strip().replace("-", "+").replace("_", "/")
    return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)


def _decode_header_object(encoded: str, where: str) -> dict[str, str]:
    try:
        value = json.loads(_b64decode(encoded))
    except (binascii.Error, ValueError, RecursionError) as exc:
        raise ConnectionAuthError(f"The {where} is not base64-encoded JSON.") from exc
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ConnectionAuthError(f"The {where} must be a JSON object of header strings.")
    if invalid_unicode_at(value) is not None:
        raise ConnectionAuthError(f"The {where} holds invalid Unicode (a lone UTF-16 surrogate).")
    return {str(k): v for k, v in value.items()}


def connection_headers(
    query: Mapping[str, str], subprotocols: Sequence[str], http_headers: Mapping[str, str]
) -> dict[str, str]:
    """The auth headers a client sent with the WebSocket upgrade, in any of the three documented ways.

    A header object in ``?header=<base64 JSON>&payload=e30=`` comes first, then one in a ``header-<base64url>``
    subprotocol (Amplify JS v6); without either, the upgrade request's own HTTP headers (``x-api-key``,
    ``Authorization``, ``host``, IAM's ``x-amz-*``: the way AWS recommends, and AppSync's mobile clients
    use) are the header object. Raises `ConnectionAuthError` when a header object is present but unreadable.
    """
    encoded = query.get("header")
    if encoded:
        return _decode_header_object(encoded, "`header` query parameter")
    for protocol in subprotocols:
        if protocol.startswith(HEADER_SUBPROTOCOL_PREFIX):
            return _decode_header_object(protocol[len(HEADER_SUBPROTOCOL_PREFIX) :], "`header-` subprotocol")
    return {name.lower(): value for name, value in http_headers.items()}


@dataclass(frozen=True)
class StartRequest:
    """A ``start`` message, decoded.

    Parameters
    ----------
    id
        The client's subscription id.
    data
        The raw ``payload.data`` string (IAM signs it as the body of ``POST /graphql``).
    query, variables, operation_name
        The GraphQL request inside ``data``.
    authorization
        ``payload.extensions.authorization``: this subscription's own auth headers (None when absent).
    """

    id: str
    data: str
    query: str
    variables: dict[str, Any] = field(default_factory=dict)
    operation_name: str | None = None
    authorization: dict[str, str] | None = None


def _unsupported(what: str, subscription_id: str | None = None) -> RealtimeError:
    return RealtimeError(
        "UnsupportedOperation", f"{what} not supported through the realtime channel", subscription_id
    )


def message_id(message: Mapping[str, Any]) -> str | None:
    value = message.get("id")
    return value if isinstance(value, str) and value else None


def parse_start(message: Mapping[str, Any]) -> StartRequest:
    """Decode a ``start``; AppSync calls a start it cannot read an `unknown` operation."""
    subscription_id = message_id(message)
    payload = message.get("payload")
    data = payload.get("data") if isinstance(payload, dict) else None
    if subscription_id is None or not isinstance(data, str):
        raise _unsupported("unknown", subscription_id)
    try:
        request = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise RealtimeError(
            "BadRequestException", f"`payload.data` is not valid JSON: {exc}", subscription_id
        ) from exc
    if not isinstance(request, dict) or not isinstance(request.get("query"), str):
        raise _unsupported("unknown", subscription_id)
    invalid_at = invalid_unicode_at(request, "payload.data")
    if invalid_at is not None:
        raise RealtimeError("BadRequestException", invalid_unicode_message(invalid_at), subscription_id)
    variables = request.get("variables") or {}
    if not isinstance(variables, dict):
        raise RealtimeError("BadRequestException", "`variables` must be a JSON object.", subscription_id)
    operation_name = request.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RealtimeError("BadRequestException", "`operationName` must be a string.", subscription_id)
    extensions = payload.get("extensions") if isinstance(payload, dict) else None
    authorization = extensions.get("authorization") if isinstance(extensions, dict) else None
    if authorization is not None and not (
        isinstance(authorization, dict) and all(isinstance(v, str) for v in authorization.values())
    ):
        raise RealtimeError(
            UNAUTHORIZED, "`extensions.authorization` must be an object of header strings.", subscription_id
        )
    return StartRequest(
        id=subscription_id,
        data=data,
        query=request["query"],
        variables=variables,
        operation_name=operation_name,
        authorization=authorization,
    )


def decode_message(text: str | bytes) -> dict[str, Any]:
    """A client message as a JSON object; AppSync-style errors for anything else."""
    size = len(text.encode() if isinstance(text, str) else text)
    if size > MAX_PAYLOAD_BYTES:
        raise RealtimeError(
            "LimitExceededError",
            f"The message is {size} bytes; AppSync accepts at most {MAX_PAYLOAD_BYTES} (240 KB).",
        )
    try:
        message = json.loads(text)
    except ValueError as exc:
        raise RealtimeError("BadRequestException", f"The message is not valid JSON: {exc}") from exc
    except RecursionError:
        raise RealtimeError("BadRequestException", "The message nests JSON too deeply.") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise _unsupported("unknown", message_id(message) if isinstance(message, dict) else None)
    invalid_at = invalid_unicode_at(message, "message")
    if invalid_at is not None:
        raise RealtimeError("BadRequestException", invalid_unicode_message(invalid_at), message_id(message))
    return message


# -- graphql-transport-ws server messages ------------------------------------------------------------


def transport_ack() -> messages.ConnectionAck:
    return {"type": "connection_ack"}


def pong() -> messages.Pong:
    return {"type": "pong"}


def subscribe_error(subscription_id: str, errors: list[ErrorEntry]) -> messages.SubscribeError:
    return {"type": "error", "id": subscription_id, "payload": errors}


# -- AppSync (graphql-ws) server messages --------------------------------------------------------


def connection_ack() -> messages.ConnectionAck:
    return {"type": "connection_ack", "payload": {"connectionTimeoutMs": CONNECTION_TIMEOUT_MS}}


def connection_error(
    message: str = NOT_AUTHORIZED_MESSAGE, error_code: int = 401
) -> messages.ConnectionError:
    return {
        "type": "connection_error",
        "payload": {"errors": [{"errorType": UNAUTHORIZED, "message": message, "errorCode": error_code}]},
    }


def keep_alive() -> messages.KeepAlive:
    return {"type": "ka"}


def start_ack(subscription_id: str) -> messages.StartAck:
    return {"type": "start_ack", "id": subscription_id}


def data(subscription_id: str, payload: messages.DataPayload) -> messages.Data:
    return {"type": "data", "id": subscription_id, "payload": payload}


def error(subscription_id: str | None, errors: list[ErrorEntry]) -> messages.Error:
    message: messages.Error = {"type": "error", "payload": {"errors": errors}}
    if subscription_id is not None:
        message["id"] = subscription_id
    return message


def complete(subscription_id: str) -> messages.Complete:
    return {"type": "complete", "id": subscription_id}


def encode(message: messages.ServerMessage | Mapping[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"))


def encode_with_payload(message_type: str, subscription_id: str, payload: Mapping[str, Any]) -> str:
    """`{"type", "id", "payload"}` as JSON text, reusing a shared payload's encoding."""
    if isinstance(payload, SharedPayload):
        return f'{{"type":"{message_type}","id":{json.dumps(subscription_id)},"payload":{payload.encoded}}}'
    return encode({"type": message_type, "id": subscription_id, "payload": payload})
