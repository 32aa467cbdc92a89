"""Fields of ``User`` served by the media function."""

from __future__ import annotations

from typing import Any

from resolvers.media import presenters
from resolvers.media.bootstrap import services
from resolvers.media.domain.errors import UnauthorizedError
from resolvers.routing import Router

router = Router()


@router.resolver(type_name="User", field_name="premium")
def premium() -> dict[str, Any] | None:
    """The user's subscription as it stands now (whether it entitles them included)."""
    source = router.current_event.source if router.current_event is not None else None
    user_id = (source or {}).get("id")
    if not isinstance(user_id, str) or not user_id:
        raise UnauthorizedError("User.premium needs the user it belongs to")
    return presenters.premium_subscription(services().premium.subscription(user_id))
