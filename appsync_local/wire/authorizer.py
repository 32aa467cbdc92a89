"""The AWS_LAMBDA auth mode's wire: the event AppSync sends the authorizer function, and what it answers."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict


class AuthorizerRequestContext(TypedDict):
    """`requestContext`: which API, and the GraphQL request being authorized."""

    apiId: str
    accountId: str
    requestId: str
    queryString: str
    operationName: NotRequired[str]
    variables: dict[str, Any]


class AuthorizerEvent(TypedDict):
    """The authorizer's event: the caller's `Authorization` value, the request and its headers."""

    authorizationToken: str
    requestContext: AuthorizerRequestContext
    requestHeaders: dict[str, str]


class AuthorizerResponse(TypedDict):
    """What the function returns; only `isAuthorized` is required."""

    isAuthorized: bool
    resolverContext: NotRequired[dict[str, Any]]
    deniedFields: NotRequired[list[str]]
    ttlOverride: NotRequired[int]
