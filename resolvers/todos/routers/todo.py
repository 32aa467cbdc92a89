"""Fields of ``Todo`` served by the todos function."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import AppSyncResolverEvent

from resolvers.routing import Router
from resolvers.todos import presenters
from resolvers.todos.bootstrap import services

router = Router()


@router.batch_resolver(type_name="Todo", field_name="owner", aggregate=True)
def owner(event: list[AppSyncResolverEvent]) -> list[dict[str, Any] | None]:
    """The public profile of each todo's owner, in the batch's order: one BatchGetItem for a whole page."""
    owner_ids = [(item.source or {}).get("ownerId") for item in event]
    profiles = services().profiles.public_profiles(owner_ids)
    return [presenters.public_profile(profile) for profile in profiles]
