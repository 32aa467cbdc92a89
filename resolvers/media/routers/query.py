"""Fields of ``Query`` served by the media function."""

from __future__ import annotations

from typing import Any

from resolvers.media import presenters
from resolvers.media.bootstrap import services
from resolvers.media.routers.identity import current_caller
from resolvers.media.routers.refusals import refused_as_unauthorized
from resolvers.routing import Router

router = Router()


@router.resolver(type_name="Query", field_name="mediaPlaybackUrl")
def media_playback_url(id: str) -> dict[str, Any]:
    """A short-lived CloudFront signed URL for a media item the caller may play."""
    with refused_as_unauthorized(router.current_event):
        url = services().playback.playback_url(current_caller(router.current_event), id)
    return presenters.signed_url(url)
