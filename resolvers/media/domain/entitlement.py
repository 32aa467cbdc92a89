"""Who may play what, decided in one place.

A free item (``premium`` false) plays for any signed-in user. A premium item plays for a user with an active
subscription (status ACTIVE and the moment before its period's end) or with a purchase of that item.
"""

from __future__ import annotations

from datetime import datetime

from resolvers.media.domain.models import Media, Membership, PremiumSubscription, parse_aws_datetime
from resolvers.media.domain.ports import Purchases, Subscriptions

ACTIVE = "ACTIVE"
CANCELED = "CANCELED"
EXPIRED = "EXPIRED"


def is_active(subscription: PremiumSubscription | None, now: datetime) -> bool:
    """Whether ``subscription`` entitles its user at ``now``: ACTIVE, and its period not over."""
    return (
        subscription is not None
        and subscription.status == ACTIVE
        and parse_aws_datetime(subscription.current_period_start) <= now
        and now < parse_aws_datetime(subscription.current_period_end)
    )


def membership(subscription: PremiumSubscription, now: datetime) -> Membership:
    """``subscription`` as its user sees it at ``now``: an ACTIVE one whose period is over is EXPIRED."""
    active = is_active(subscription, now)
    status = EXPIRED if subscription.status == ACTIVE and not active else subscription.status
    return Membership(
        plan=subscription.plan,
        status=status,
        current_period_start=subscription.current_period_start,
        current_period_end=subscription.current_period_end,
        canceled_at=subscription.canceled_at,
        active=active,
    )


class Entitlements:
    """Answers "may this user play this item now?" from the subscriptions and purchases.

    Parameters
    ----------
    subscriptions
        The users' subscriptions.
    purchases
        The users' purchases.
    """

    def __init__(self, subscriptions: Subscriptions, purchases: Purchases) -> None:
        self._subscriptions = subscriptions
        self._purchases = purchases

    def may_play(self, user_id: str, media: Media, now: datetime) -> bool:
        """Whether ``user_id`` may play ``media`` at ``now``; a purchase is read only when no subscription
        entitles them."""
        if not media.premium:
            return True
        if is_active(self._subscriptions.get(user_id), now):
            return True
        return self._purchases.get(user_id, media.id) is not None
