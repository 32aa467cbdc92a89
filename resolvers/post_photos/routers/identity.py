"""Who is calling, from the AppSync event's identity (the only place these resolvers read it)."""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes import AppSyncResolverEvent

from resolvers.post_photos.domain.errors import UnauthorizedError


def caller_sub(event: AppSyncResolverEvent | None) -> str:
    """The signed-in user pool user's sub; ``UnauthorizedError`` for API-key, IAM or anonymous requests."""
    identity = event.get("identity") if event is not None else None
    if not isinstance(identity, dict) or not identity.get("sub"):
        raise UnauthorizedError("This field needs a signed-in user (Cognito user pool authorization)")
    return str(identity["sub"])
