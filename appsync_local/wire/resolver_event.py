"""The event AppSync sends a direct Lambda resolver (`Invoke`; `BatchInvoke` sends a list of them)."""

from __future__ import annotations

from typing import Any, TypedDict

from .identity import Identity


class ResolverInfo(TypedDict):
    """`info` / `ctx.info`: the field being resolved and the request's selection below it."""

    selectionSetList: list[str]
    selectionSetGraphQL: str
    parentTypeName: str
    fieldName: str
    variables: dict[str, Any]


class ResolverRequest(TypedDict):
    """`request`: the HTTP (or WebSocket) request's headers, lower-case names."""

    headers: dict[str, str]
    domainName: str | None


class ResolverEvent(TypedDict):
    """A direct Lambda resolver's event."""

    arguments: dict[str, Any]
    identity: Identity | None
    source: Any
    request: ResolverRequest
    prev: Any
    info: ResolverInfo
    stash: dict[str, Any]
