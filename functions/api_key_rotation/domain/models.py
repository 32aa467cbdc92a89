"""The API keys and the rotation's settings, as the rotation sees them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from functions.api_key_rotation.domain.errors import ConfigurationError

DAY = 86_400
# AppSync: an API key lasts 1 to 365 days from its creation.
MAX_EXPIRY_DAYS = 365
# Marks the keys this function made (their description), the only ones it ever deletes: the stack's own key
# belongs to CloudFormation, which renews it at each deploy.
ROTATION_MARK = "api-key-rotation"


@dataclass(frozen=True)
class ApiKey:
    """An AppSync API key: its value (AppSync's `id`), its expiry in epoch seconds, its description."""

    id: str
    expires: int
    description: str = ""

    def valid_at(self, now: float) -> bool:
        return now < self.expires

    @property
    def made_by_rotation(self) -> bool:
        return self.description.startswith(ROTATION_MARK)


def rotation_description(now: float) -> str:
    """The description of a key made now: the mark, and when (UTC)."""
    return f"{ROTATION_MARK} {datetime.fromtimestamp(now, UTC):%Y-%m-%dT%H:%M:%SZ}"


@dataclass(frozen=True)
class PublishedKey:
    """What the site's config file carries, and since when (epoch seconds; None when it has no key yet)."""

    api_key: str | None
    since: float | None


@dataclass(frozen=True)
class RotationPolicy:
    """When keys are made and removed.

    Parameters
    ----------
    expiry_days
        How long a new key lasts (`[api] api_key_expiry_days`, 1-365 as AppSync allows).
    renew_days
        A new key is made once the newest valid key has fewer days left than this.
    grace_days
        Keys this function made, once superseded, are deleted when the site has carried their successor this
        long (clients that read the old config have long since read it again).
    """

    expiry_days: int
    renew_days: int
    grace_days: int

    def __post_init__(self) -> None:
        if not 1 <= self.expiry_days <= MAX_EXPIRY_DAYS:
            raise ConfigurationError(
                f"API keys last 1-{MAX_EXPIRY_DAYS} days (AppSync), not {self.expiry_days}"
            )
        if not 0 < self.renew_days < self.expiry_days:
            raise ConfigurationError(
                f"the renewal ({self.renew_days} days before expiry) must fall within a key's "
                f"{self.expiry_days} days"
            )
        if self.grace_days < 1:
            raise ConfigurationError("the grace period is at least a day")

    def needs_new_key(self, newest: ApiKey | None, now: float) -> bool:
        return newest is None or newest.expires - now < self.renew_days * DAY

    def new_expiry(self, now: float) -> int:
        return int(now) + self.expiry_days * DAY

    def past_grace(self, published: PublishedKey, now: float) -> bool:
        return published.since is not None and now - published.since >= self.grace_days * DAY


@dataclass(frozen=True)
class RotationOutcome:
    """What a run did: the key the site carries, whether it was made or published now, what was deleted."""

    api_key: ApiKey
    created: bool
    published: bool
    deleted: tuple[str, ...]
