"""Use cases for user profiles: the caller's own profile and everyone's public side."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from resolvers.records import checked_fields
from resolvers.todos.domain import validation
from resolvers.todos.domain.errors import ValidationError
from resolvers.todos.domain.models import Caller, PublicProfile, UserProfile, aws_datetime
from resolvers.todos.domain.ports import ProfileRepository


class ProfileService:
    """Profiles keyed by Cognito sub; created on a user's first authenticated call.

    Parameters
    ----------
    repository
        Where profiles are stored.
    clock
        Returns the current time (timezone-aware).
    """

    def __init__(self, repository: ProfileRepository, *, clock: Callable[[], datetime]):
        self._repository = repository
        self._clock = clock

    def me(self, caller: Caller) -> UserProfile:
        """The caller's profile, created from the identity on first use.

        A conditional put, then a read: two racing first calls both end with the same profile.
        """
        now = aws_datetime(self._clock())
        self._repository.add_if_absent(
            UserProfile(
                id=caller.sub, username=caller.username, email=caller.email, created_at=now, updated_at=now
            )
        )
        profile = self._repository.get(caller.sub)
        if profile is None:  # deleted between the two calls; the next call recreates it
            return UserProfile(
                id=caller.sub, username=caller.username, email=caller.email, created_at=now, updated_at=now
            )
        return profile

    def update_profile(self, caller: Caller, **fields: object) -> UserProfile:
        """Change the given fields of the caller's profile (null clears one); creates it if needed."""
        changes = checked_fields(UserProfile, fields, creating=False, error=ValidationError)
        current = self.me(caller)
        if not changes:
            return current
        return self._repository.update(caller.sub, changes=changes, updated_at=aws_datetime(self._clock()))

    def get_public_profile(self, user_id: object) -> PublicProfile | None:
        """Anyone's public profile, or None."""
        if not validation.looks_like_id(user_id):
            return None
        assert isinstance(user_id, str)
        return self._repository.get_public_profiles([user_id]).get(user_id)

    def public_profiles(self, user_ids: Sequence[str | None]) -> list[PublicProfile | None]:
        """The public profile for each id, in the same order (None where there is none), in one read."""
        wanted = list(dict.fromkeys(i for i in user_ids if i is not None and validation.looks_like_id(i)))
        found = self._repository.get_public_profiles(wanted) if wanted else {}
        return [found.get(i) if i is not None else None for i in user_ids]
