"""The event AppSync sends a direct Lambda resolver (`Invoke`; `BatchInvoke` sends a list of them)."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from .identity import Identity


class ResolverInfo(TypedDict):
    """`info` / `ctx.info`: the field being resolved and the request's selection below it."""

    selectionSetList: list[str]
    selectionSetGraphQL: str
    parentTypeName: str
    fieldName: str
    variables: dict[str, Any]


class ResolverRequest(TypedDict):
    """`request`: the HTTP (or WebSocket) request's headers, lower-case names, with those AppSync's front
    adds (`forwarded_headers`); `domainName` is the custom domain the request came through (null for the
    API's own domain)."""

    headers: dict[str, str]
    domainName: str | None


class DataSourceFailure(TypedDict):
    """`ctx.error`: a data source's failure, as an APPSYNC_JS response handler sees it."""

    message: str
    type: str


class PrevResult(TypedDict):
    result: Any


class JsContext(TypedDict):
    """An APPSYNC_JS handler's `ctx` (`ctx.args` is the same object as `ctx.arguments`).

    On its way to the engine `stash`, `prev` and `result` are None: they cross as JSON text of their own, which
    a pipeline passes from handler to handler without reading it (`appsync_local.js.engine.Kept`).
    """

    arguments: dict[str, Any]
    identity: Identity | None
    source: Any
    stash: dict[str, Any] | None
    prev: PrevResult | None
    result: Any
    error: DataSourceFailure | None
    request: ResolverRequest
    info: ResolverInfo
    env: NotRequired[dict[str, str]]


class ResolverEvent(TypedDict):
    """A direct Lambda resolver's event."""

    arguments: dict[str, Any]
    identity: Identity | None
    source: Any
    request: ResolverRequest
    prev: Any
    info: ResolverInfo
    stash: dict[str, Any]
