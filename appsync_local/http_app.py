"""AppSync's HTTP endpoint: POST /graphql with AppSync's auth and response shapes, GraphiQL for browsers."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import URL
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from .auth import UnauthorizedError
from .auth.cognito_endpoint import cognito_routes
from .auth.oidc_issuer import oidc_routes
from .body_limit import BodyLimit
from .errors import RequestError
from .forwarded_headers import forwarded_headers
from .graphiql import graphiql_page, graphiql_routes
from .realtime.protocol import KEEP_ALIVE_SECONDS
from .realtime.server import attach_realtime
from .runtime import Runtime
from .text_safety import encode_json, invalid_unicode_at, invalid_unicode_message

logger = logging.getLogger("appsync_local")

# AppSync's request payload quota is 5 MB (AWS general reference, AppSync quotas).
MAX_REQUEST_BYTES = 5 * 1024 * 1024
# Young-generation collections between full ones (CPython's default is 10); see `lifespan`.
FULL_COLLECTION_EVERY = 100
GIL_SWITCH_SECONDS = 0.001
PAYLOAD_TOO_LARGE = RequestError(413, "PayloadTooLargeException", "The request payload exceeds 5 MB.")


class AppSyncJSONResponse(JSONResponse):
    """A JSON response that can always be written, whatever strings a resolver read back from storage."""

    def render(self, content: Any) -> bytes:
        return encode_json(content)


def _error(status: int, error_type: str, message: str) -> JSONResponse:
    return _rejection(RequestError(status, error_type, message))


def _rejection(error: RequestError) -> JSONResponse:
    # x-amzn-ErrorType names the error as AWS services do; Amplify JS reads it for the error's name
    return AppSyncJSONResponse(
        error.body(), status_code=error.status, headers={"x-amzn-ErrorType": error.error_type}
    )


# AppSync's texts for a body it cannot read (graphql/graphql-over-http#81, where AppSync's team listed them).
EMPTY_BODY = "Request body is empty."
UNPARSABLE_BODY = "Unable to parse GraphQL query."


def _malformed(message: str) -> RequestError:
    return RequestError(400, "MalformedHttpRequestException", message)


def _parse_body(body: bytes) -> tuple[str, dict[str, Any] | None, str | None]:
    if len(body) > MAX_REQUEST_BYTES:  # BodyLimit stops reading before this; kept for direct callers
        raise RequestError(PAYLOAD_TOO_LARGE.status, PAYLOAD_TOO_LARGE.error_type, PAYLOAD_TOO_LARGE.message)
    if not body.strip():
        raise _malformed(EMPTY_BODY)
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise _malformed(UNPARSABLE_BODY) from None
    # Not an object (a batch array too), or no query in it: AppSync answers these alike.
    if not isinstance(payload, dict):
        raise _malformed(UNPARSABLE_BODY)
    # Refused here, before auth or any resolver: a lone surrogate stored once would break every later read.
    invalid_at = invalid_unicode_at(payload)
    if invalid_at is not None:
        raise _malformed(invalid_unicode_message(invalid_at))
    query = payload.get("query")
    if not isinstance(query, str) or not query.strip():
        raise _malformed(UNPARSABLE_BODY)
    variables = payload.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise _malformed("`variables` must be a JSON object.")
    operation_name = payload.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise _malformed("`operationName` must be a string.")
    # An empty name names no operation, as graphql-java (AppSync's engine) reads it: the document's only one runs.
    return query, variables, operation_name or None


def _as_forwarded(url: URL, scope: Scope, headers: dict[str, str], client_ip: str) -> dict[str, str]:
    """The request's headers as resolvers see them on AppSync, with those its front adds."""
    server = scope.get("server") or (None, None)
    port = server[1] or url.port or (443 if url.scheme == "https" else 80)
    return forwarded_headers(headers, client_ip=client_ip, scheme=url.scheme, port=int(port), host=url.netloc)


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _send_json(send: Send, body: bytes, status: int, headers: list[tuple[bytes, bytes]]) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-length", str(len(body)).encode()),
                (b"content-type", b"application/json"),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class _AsgiEndpoint:
    """A route's endpoint that is an ASGI app (Starlette takes a plain function for a Request handler)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


def create_app(
    runtime: Runtime,
    *,
    node_modules: Path | None = None,
    keep_alive_seconds: float = KEEP_ALIVE_SECONDS,
    local_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """The ASGI app serving `runtime` (HTTP POST and the realtime WebSocket share `/graphql`).

    `local_routes` are the local stand-ins for other AWS endpoints (the CDN, the inbox), served alongside.
    """
    node_modules = node_modules or runtime.config.root / "node_modules"
    executor = runtime.executor
    authenticator = runtime.authenticator

    async def graphql_post(scope: Scope, receive: Receive, send: Send) -> None:
        # Plain ASGI: the cheapest path to a response, as every read of the API takes it.
        try:
            body = await _read_body(receive)
        except ClientDisconnect:
            return  # the client hung up before its request was whole: no one to answer, nothing went wrong here
        try:
            query, variables, operation_name = _parse_body(body)
            # ASGI names headers in lower case; of a repeated header the last is kept.
            headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
            client = scope.get("client")
            client_ip = client[0] if client else "127.0.0.1"
            url = URL(scope=scope)
            try:
                auth = await authenticator.authenticate_async("POST", str(url), headers, body, client_ip)
            except UnauthorizedError as exc:
                raise RequestError(401, "UnauthorizedException", exc.message) from exc
        except RequestError as exc:
            await _rejection(exc)(scope, receive, send)
            return
        context = executor.new_context(auth, _as_forwarded(url, scope, headers, client_ip))
        result = await executor.execute(query, variables, operation_name, context)
        response_headers = [
            (b"x-amzn-requestid", context.request_id.encode()),
            *context.response_headers.encoded(),
        ]
        await _send_json(send, encode_json(result), 200, response_headers)

    serves_graphiql = runtime.config.local.graphiql

    async def graphql_get(request: Request) -> Response:
        # `[local] graphiql = false`: no IDE, every GET answered as AppSync answers it.
        if serves_graphiql and "text/html" in request.headers.get("accept", ""):
            return graphiql_page(
                endpoint="/graphql",
                api_key=runtime.api_keys.current().id if runtime.api_keys else None,
                users=[u.username for u in runtime.config.local_users],
                sign_in_url="/auth/signin",
            )
        return _error(405, "MethodNotAllowedException", "GraphQL operations must be sent with POST.")

    async def graphql(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] == "POST":
            await graphql_post(scope, receive, send)
        elif scope["method"] in ("GET", "HEAD"):
            await (await graphql_get(Request(scope, receive)))(scope, receive, send)
        else:  # PUT, PATCH, DELETE: refused as a GET is, in AppSync's shape rather than a plain-text 405
            await _error(405, "MethodNotAllowedException", "GraphQL operations must be sent with POST.")(
                scope, receive, send
            )

    async def sign_in(request: Request) -> Response:
        """Local stand-in for Cognito's USER_PASSWORD_AUTH: username + password -> tokens."""
        if runtime.user_pool is None:
            return _error(404, "NotFoundException", "This API has no user pool.")
        try:
            payload = json.loads(await request.body())
            username, password = str(payload["username"]), str(payload["password"])
        except (ValueError, KeyError, TypeError, RecursionError):
            return _error(
                400, "InvalidParameterException", "Send a JSON object with `username` and `password`."
            )
        try:
            return JSONResponse(runtime.user_pool.sign_in(username, password))
        except UnauthorizedError as exc:
            # Cognito's own error shape for InitiateAuth.
            return JSONResponse({"__type": "NotAuthorizedException", "message": exc.message}, status_code=400)

    async def jwks(request: Request) -> Response:
        assert runtime.user_pool is not None
        return JSONResponse(runtime.user_pool.jwks())

    # WebSocket upgrades on /graphql and /graphql/realtime; mutations over HTTP publish to them.
    realtime = attach_realtime(runtime, keep_alive_seconds=keep_alive_seconds)
    routes: list[Any] = [
        Route("/graphql", _AsgiEndpoint(graphql), methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        Route("/auth/signin", sign_in, methods=["POST"]),
        *(graphiql_routes(node_modules) if serves_graphiql else ()),
        *realtime.routes(),
        *local_routes,
    ]
    if runtime.config.cognito is not None and runtime.user_pool is not None:
        routes.append(Route(f"/{runtime.config.cognito.user_pool_id}/.well-known/jwks.json", jwks))
        routes += cognito_routes(runtime.user_pool, runtime.config.cognito.app_client_ids)
    if runtime.oidc_issuer is not None:
        routes += oidc_routes(runtime.oidc_issuer)

    async def internal_error(request: Request, exc: Exception) -> Response:
        logger.exception("internal error serving %s", request.url.path)
        return _error(500, "InternalFailure", "An internal error occurred; the server logged the details.")

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # Everything built so far (schema, bindings, modules) lives as long as the server: keep it out of the
        # garbage collector's scans, which otherwise stall fan-outs to many subscribers (bench/README.md).
        gc.collect()
        gc.freeze()
        # Ordinary documents run on this loop; their resolvers' blocking calls need threads for every request.
        executor.threads.serve_blocking_calls(asyncio.get_running_loop())
        # With the long-lived objects frozen, the collector's own rule ("a full collection once a quarter as
        # many objects as survived the last one have been promoted") fires every 10 young collections while a
        # large request is in flight: 4-5 full scans of its objects per 10,000-resolver request, 0.6-1 s in
        # all and up to 450 ms each, with every thread stopped. Every 100 keeps it to at most one.
        previous = gc.get_threshold()
        gc.set_threshold(previous[0], previous[1], FULL_COLLECTION_EVERY)
        # Heavy documents run on worker threads (executor.py); the loop thread, woken by a small request,
        # waits for the GIL up to the switch interval at each step. 1 ms instead of 5 ms halves a small
        # request's p99 while a heavy one runs (tests/security/test_request_limits.py).
        switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(switch_interval, GIL_SWITCH_SECONDS))
        try:
            yield
        finally:
            gc.set_threshold(*previous)
            sys.setswitchinterval(switch_interval)

    app = Starlette(
        lifespan=lifespan,
        routes=routes,
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
                allow_headers=["*"],
                expose_headers=["x-amzn-RequestId"],
            ),
            # Inside CORS, so a browser can read the 413 too.
            Middleware(BodyLimit, max_bytes=MAX_REQUEST_BYTES, error=PAYLOAD_TOO_LARGE),
        ],
        exception_handlers={Exception: internal_error},
    )
    app.state.realtime = realtime
    return app
