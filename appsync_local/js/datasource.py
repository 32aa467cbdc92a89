"""The data-source port of APPSYNC_JS resolvers: what a resolver's request object is sent to.

A resolver's `request(ctx)` returns a request object (for DynamoDB `{operation: 'GetItem', key: …}`, for a
NONE data source `{payload: …}`); the runner hands it to the resolver's data source and gives the result to
`response(ctx)` as `ctx.result`, or the failure as `ctx.error`.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from ..resolver_context import ResolverInvocation


class DataSourceError(Exception):
    """A data source failed; the response handler sees it as `ctx.error = {message, type}`.

    Parameters
    ----------
    message
        What went wrong, as AppSync reports it (e.g. "The conditional request failed").
    error_type
        AppSync's error type, e.g. "DynamoDB:ConditionalCheckFailedException".
    data
        Extra data some errors carry (e.g. `cancellationReasons` of a transaction), or None.
    """

    def __init__(self, message: str, error_type: str, data: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type
        self.data = data


@runtime_checkable
class DataSource(Protocol):
    """An AppSync data source as APPSYNC_JS resolvers use it.

    Attributes
    ----------
    name
        The data source's name in appsync.toml `[data_sources]`.

    Methods
    -------
    invoke(request, invocation)
        Run the request object the resolver's `request(ctx)` returned; return what AppSync would hand to
        `response(ctx)` as `ctx.result` (plain JSON values). Raise `DataSourceError` on failure.
    """

    name: str

    async def invoke(self, request: dict[str, Any], invocation: ResolverInvocation) -> Any: ...


class NoneDataSource:
    """AppSync's NONE data source: the request's `payload` comes back as the result (local publish, glue)."""

    def __init__(self, name: str = "none") -> None:
        self.name = name

    async def invoke(self, request: dict[str, Any], invocation: ResolverInvocation) -> Any:
        if not isinstance(request, dict):
            return None
        return request.get("payload")
