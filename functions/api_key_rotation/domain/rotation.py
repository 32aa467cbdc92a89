"""The rotation: keep a valid key published well before it expires, and remove superseded keys it made."""

from __future__ import annotations

import time
from collections.abc import Callable

from functions.api_key_rotation.domain.models import (
    ApiKey,
    RotationOutcome,
    RotationPolicy,
    rotation_description,
)
from functions.api_key_rotation.domain.ports import ApiKeys, KeyPublication


class KeyRotation:
    """Makes, publishes and deletes the API's keys by `policy`.

    Parameters
    ----------
    keys
        The API's keys.
    publication
        Where clients read the key.
    policy
        When keys are made and deleted.
    clock
        The time now, in epoch seconds.
    """

    def __init__(
        self,
        keys: ApiKeys,
        publication: KeyPublication,
        policy: RotationPolicy,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._keys = keys
        self._publication = publication
        self._policy = policy
        self._clock = clock

    def run(self) -> RotationOutcome:
        """One scheduled run: a new key when the newest runs short, published; superseded keys deleted after the
        grace period. Nothing is deleted in a run that publishes, so the old key works while the new spreads."""
        now = self._clock()
        existing = self._keys.list()
        newest = newest_valid(existing, now)
        created = self._policy.needs_new_key(newest, now)
        if created or newest is None:
            newest = self._keys.create(self._policy.new_expiry(now), rotation_description(now))
        published = self._publication.read()
        if published.api_key != newest.id:
            self._publication.publish(newest.id)
            return RotationOutcome(newest, created, published=True, deleted=())
        deleted: tuple[str, ...] = ()
        if self._policy.past_grace(published, now):
            deleted = tuple(k.id for k in existing if k.made_by_rotation and k.id != newest.id)
            for key_id in deleted:
                self._keys.delete(key_id)
        return RotationOutcome(newest, created, published=False, deleted=deleted)


def newest_valid(keys: list[ApiKey], now: float) -> ApiKey | None:
    """The valid key that expires last."""
    return max((k for k in keys if k.valid_at(now)), key=lambda k: k.expires, default=None)
