"""The outcome of authenticating one request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from appsync_local.wire.identity import Identity

API_KEY = "API_KEY"
AWS_IAM = "AWS_IAM"
USER_POOLS = "AMAZON_COGNITO_USER_POOLS"
OPENID_CONNECT = "OPENID_CONNECT"
AWS_LAMBDA = "AWS_LAMBDA"


@dataclass(frozen=True)
class RequestAuth:
    """Who made a request and with which auth mode.

    Parameters
    ----------
    mode
        The AppSync auth mode that accepted the request, e.g. ``"AMAZON_COGNITO_USER_POOLS"``.
    identity
        Exactly what AppSync puts in ``ctx.identity`` (and a Lambda event's ``identity``); ``None`` for API keys.
    groups
        The caller's ``cognito:groups``.
    claims
        The verified token claims (empty for API keys and IAM).
    allowed_fields
        IAM: the root fields (`Type.field`) the principal's policy lets it call; None when its policy is not
        narrowed (any field IAM may call).
    denied_fields
        AWS_LAMBDA: the fields (`Type.field`) the authorizer's `deniedFields` took away from this caller.
    """

    mode: str
    identity: Identity | None
    groups: tuple[str, ...] = ()
    claims: dict[str, Any] = field(default_factory=dict)
    allowed_fields: frozenset[str] | None = None
    denied_fields: frozenset[str] = frozenset()
