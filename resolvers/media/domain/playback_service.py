"""Use case: a short-lived signed URL that plays one media item's file through the CDN."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import quote

from resolvers.media.domain.entitlement import Entitlements
from resolvers.media.domain.errors import MediaNotReadyError, NotEntitledError, NotFoundError, ValidationError
from resolvers.media.domain.models import Caller, SignedUrl, aws_datetime
from resolvers.media.domain.ports import MediaCatalog, PlaybackSigner

READY = "READY"


class PlaybackService:
    """Signed playback URLs for entitled callers, never for anyone else.

    Parameters
    ----------
    catalog
        The media items.
    entitlements
        Who may play what.
    signer
        Signs CDN URLs with a custom policy.
    clock
        Returns the current time (timezone-aware).
    cdn_base_url
        The media distribution's base URL (``https://<domain>``; locally the local CDN's).
    url_ttl_seconds
        How long a playback URL works.
    bind_source_ip
        Whether a URL works only from the address that asked for it (off where clients share an address, as
        locally, or move between networks mid-play).
    """

    def __init__(
        self,
        catalog: MediaCatalog,
        entitlements: Entitlements,
        signer: PlaybackSigner,
        *,
        clock: Callable[[], datetime],
        cdn_base_url: str,
        url_ttl_seconds: int,
        bind_source_ip: bool = False,
    ) -> None:
        self._catalog = catalog
        self._entitlements = entitlements
        self._signer = signer
        self._clock = clock
        self._cdn_base_url = cdn_base_url.rstrip("/")
        self._ttl = url_ttl_seconds
        self._bind_source_ip = bind_source_ip

    def playback_url(self, caller: Caller, media_id: object) -> SignedUrl:
        """A URL that plays ``media_id``'s file until now + the TTL.

        ``NotFoundError`` when the item is missing, ``NotEntitledError`` when the caller may not play it, and
        ``MediaNotReadyError`` when it has no playable file (in that order: a refusal says nothing of the file).
        """
        if not isinstance(media_id, str) or not media_id:
            raise ValidationError("id is not a media id")
        media = self._catalog.get(media_id)
        if media is None:
            raise NotFoundError(f"Media '{media_id}' not found")
        now = self._clock()
        if not self._entitlements.may_play(caller.sub, media, now):
            raise NotEntitledError(f"The caller may not play media '{media_id}'")
        if media.status != READY or not media.object_key:
            raise MediaNotReadyError(
                f"Media '{media_id}' is not ready to play (its status is {media.status})"
            )
        # Whole seconds: the policy's DateLessThan is epoch seconds, and expiresAt says the same moment.
        expires_at = (now + timedelta(seconds=self._ttl)).replace(microsecond=0)
        url = self._signer.sign(
            f"{self._cdn_base_url}/{quote(media.object_key, safe='/')}",
            expires_at=expires_at,
            source_ip=caller.source_ip if self._bind_source_ip else None,
        )
        return SignedUrl(url=url, expires_at=aws_datetime(expires_at))
