"""Fields of ``Mutation`` served by the media function."""

from __future__ import annotations

from typing import Any

from resolvers.media import presenters
from resolvers.media.bootstrap import services
from resolvers.media.routers.identity import current_caller
from resolvers.routing import Router

router = Router()


@router.resolver(type_name="Mutation", field_name="createMediaUploadUrl")
def create_media_upload_url(id: str, contentType: str, size: int) -> dict[str, Any]:
    """A presigned PUT for a media item's file (members of `admins`: AppSync checks the group)."""
    return presenters.media_upload_url(services().uploads.create_upload_url(id, contentType, size))


@router.resolver(type_name="Mutation", field_name="subscribePremium")
def subscribe_premium(plan: str) -> dict[str, Any] | None:
    """Start (or keep) the caller's premium subscription."""
    membership = services().premium.subscribe(current_caller(router.current_event).sub, plan)
    return presenters.premium_subscription(membership)


@router.resolver(type_name="Mutation", field_name="cancelPremium")
def cancel_premium() -> dict[str, Any] | None:
    """End the caller's premium subscription now."""
    return presenters.premium_subscription(
        services().premium.cancel(current_caller(router.current_event).sub)
    )


@router.resolver(type_name="Mutation", field_name="purchaseMedia")
def purchase_media(id: str) -> dict[str, Any]:
    """Buy one premium media item for the caller."""
    running = services()
    bought, item = running.premium.purchase(current_caller(router.current_event).sub, id)
    return presenters.purchase(bought, item, running.settings.cdn_base_url)
