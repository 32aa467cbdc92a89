"""Use cases of premium users: subscribing, cancelling, buying one item, and reading one's subscription.

There is no payment provider: a subscription is one period from the moment it starts (no renewal), and a
purchase is recorded as made. Both writes are idempotent, so a client may safely send them again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from resolvers.media.domain.entitlement import ACTIVE, is_active, membership
from resolvers.media.domain.errors import ConflictError, NotFoundError, ValidationError
from resolvers.media.domain.models import Media, Membership, PremiumSubscription, Purchase, aws_datetime
from resolvers.media.domain.ports import MediaCatalog, Purchases, Subscriptions

# How long one period of each plan lasts.
PLAN_PERIODS = {"MONTHLY": timedelta(days=30), "YEARLY": timedelta(days=365)}


class PremiumService:
    """Subscriptions and purchases of the calling user.

    Parameters
    ----------
    subscriptions
        The users' subscriptions (one per user).
    purchases
        The users' purchases (one per user and item).
    catalog
        The media items.
    clock
        Returns the current time (timezone-aware).
    """

    def __init__(
        self,
        subscriptions: Subscriptions,
        purchases: Purchases,
        catalog: MediaCatalog,
        *,
        clock: Callable[[], datetime],
    ) -> None:
        self._subscriptions = subscriptions
        self._purchases = purchases
        self._catalog = catalog
        self._clock = clock

    def subscription(self, user_id: str) -> Membership | None:
        """The user's subscription as it stands now, or None when they never subscribed."""
        stored = self._subscriptions.get(user_id)
        return None if stored is None else membership(stored, self._clock())

    def subscribe(self, user_id: str, plan: object) -> Membership:
        """Start a period of ``plan`` for the user, unless one is active (then it is returned unchanged).

        ``ConflictError`` when the active one is on another plan. Two concurrent calls start one period: the
        write is conditional on the user having no active subscription.
        """
        period = PLAN_PERIODS.get(plan) if isinstance(plan, str) else None
        if period is None:
            raise ValidationError(f"plan must be one of {', '.join(PLAN_PERIODS)}")
        now = self._clock()
        current = self._subscriptions.get(user_id)
        if current is None or not is_active(current, now):
            started = PremiumSubscription(
                user_id=user_id,
                plan=str(plan),
                status=ACTIVE,
                current_period_start=aws_datetime(now),
                current_period_end=aws_datetime(now + period),
                created_at=current.created_at if current is not None else aws_datetime(now),
                updated_at=aws_datetime(now),
            )
            if self._subscriptions.start(started):
                return membership(started, now)
            current = self._subscriptions.get(user_id)  # another call started one first: that one counts
            if current is None:
                raise ConflictError("The subscription changed while subscribing; try again")
        if current.plan != plan:
            raise ConflictError(
                f"The caller already has an active {current.plan} subscription until "
                f"{current.current_period_end}; cancel it before subscribing on another plan"
            )
        return membership(current, now)

    def cancel(self, user_id: str) -> Membership | None:
        """End the user's subscription now; None when they never subscribed. Cancelling again changes nothing."""
        now = self._clock()
        canceled = self._subscriptions.cancel(user_id, canceled_at=aws_datetime(now))
        return None if canceled is None else membership(canceled, now)

    def purchase(self, user_id: str, media_id: object) -> tuple[Purchase, Media]:
        """Record that the user bought the premium item ``media_id``; buying it again returns the first purchase.

        ``NotFoundError`` when the item is missing, ``ValidationError`` when it is free.
        """
        if not isinstance(media_id, str) or not media_id:
            raise ValidationError("id is not a media id")
        media = self._catalog.get(media_id)
        if media is None:
            raise NotFoundError(f"Media '{media_id}' not found")
        if not media.premium:
            raise ValidationError(f"Media '{media_id}' is free: any signed-in user may play it")
        bought = Purchase(user_id=user_id, media_id=media_id, purchased_at=aws_datetime(self._clock()))
        return self._purchases.add(bought), media
