"""What AppSync builds a resolver's `ctx` from, for one field resolution (shared by every resolver kind)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import AppSyncFieldError
from .wire.identity import Identity
from .wire.resolver_event import ResolverInfo


@dataclass
class ResolverInvocation:
    """One field resolution, as a JS resolver (`ctx`) or a data source sees it.

    Parameters
    ----------
    arguments
        The field's arguments, GraphQL names, coerced (AWSJSON parsed, enums by name).
    source
        The parent's resolved value (None for root fields).
    identity
        AppSync's `ctx.identity` (None for API keys).
    auth_type
        The request's auth mode: "API_KEY", "AWS_IAM", "AMAZON_COGNITO_USER_POOLS", "OPENID_CONNECT", "AWS_LAMBDA".
    request_headers
        The HTTP (or WebSocket) request's headers, lower-case names.
    info
        `fieldName`, `parentTypeName`, `variables`, `selectionSetList`, `selectionSetGraphQL`.
    request_id
        The request's id (`x-amzn-RequestId`).
    appended_errors
        Errors a resolver appended with `util.appendError`: reported at this field's path, data kept.
    extensions
        What the resolver asked of `extensions`: subscription filters and invalidation, cache eviction; and
        the response headers it added with `util.http.addResponseHeader(s)`.
    """

    arguments: dict[str, Any]
    source: Any
    identity: Identity | None
    auth_type: str
    request_headers: dict[str, str]
    info: ResolverInfo
    request_id: str
    appended_errors: list[AppSyncFieldError] = field(default_factory=list)
    extensions: dict[str, Any] = field(default_factory=dict)
