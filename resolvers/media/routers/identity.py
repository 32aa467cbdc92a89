"""Who is calling, from the AppSync event's identity (the only place these resolvers read it)."""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes import AppSyncResolverEvent

from resolvers.media.domain.errors import UnauthorizedError
from resolvers.media.domain.models import Caller


def current_caller(event: AppSyncResolverEvent | None) -> Caller:
    """The signed-in user pool user and their address; ``UnauthorizedError`` for API-key, IAM or anonymous
    requests. AppSync gives ``sourceIp`` as a list (the client's address first)."""
    identity = event.get("identity") if event is not None else None
    if not isinstance(identity, dict) or not identity.get("sub"):
        raise UnauthorizedError("This field needs a signed-in user (Cognito user pool authorization)")
    addresses = identity.get("sourceIp") or []
    source_ip = str(addresses[0]) if isinstance(addresses, list) and addresses else None
    return Caller(sub=str(identity["sub"]), source_ip=source_ip)
