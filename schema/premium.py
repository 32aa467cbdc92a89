"""Premium users: a subscription of the caller's own, and purchases of single media items.

A user may play a premium media item when they have an active subscription (ACTIVE and its period not over)
or have bought that item. There is no payment provider: subscribing records the plan and one period, and
buying records the purchase. Served by the `media` Lambda (resolvers/media/); `User.purchases` is an
APPSYNC_JS pipeline on the Purchases and Media tables.
"""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.aws_directives import aws_cognito_user_pools
from schema.aws_scalars import AWSDateTime
from schema.media import Media

_USERS = [aws_cognito_user_pools()]


@strawberry.enum(description="How long one period of a subscription lasts: MONTHLY 30 days, YEARLY 365 days.")
class PremiumPlan(Enum):
    MONTHLY = "MONTHLY"
    YEARLY = "YEARLY"


@strawberry.enum(
    description="ACTIVE until its period ends (then EXPIRED), or CANCELED: cancelPremium ends it at once."
)
class PremiumStatus(Enum):
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    CANCELED = "CANCELED"


@strawberry.type(description="The caller's premium subscription.", directives=_USERS)
class PremiumSubscription:
    plan: PremiumPlan
    status: PremiumStatus
    current_period_start: AWSDateTime
    current_period_end: AWSDateTime = strawberry.field(
        description="When the period ends; subscriptions are not renewed (there is no payment provider)."
    )
    canceled_at: AWSDateTime | None
    active: bool = strawberry.field(
        description="Whether it entitles the caller to premium media now: ACTIVE and its period not over."
    )


@strawberry.type(description="A media item the caller bought: theirs to play for good.", directives=_USERS)
class Purchase:
    media_id: strawberry.ID
    purchased_at: AWSDateTime
    media: Media | None = strawberry.field(description="The item; null once it has left the catalog.")


@strawberry.type(
    description="A page of the caller's purchases; pass nextToken back for the next page (null on the last one).",
    directives=_USERS,
)
class PurchaseConnection:
    items: list[Purchase]
    next_token: str | None


@strawberry.type
class PremiumMutations:
    """The Mutation fields of premium users: each acts on the caller only."""

    @strawberry.field(
        description=(
            "Makes the caller a premium subscriber on plan for one period from now (no payment is taken). "
            "Idempotent: while a subscription is active, subscribing again on the same plan returns it "
            "unchanged (still one subscription); on another plan it is a ConflictError (cancel first). After "
            "a cancellation or the end of a period, a new period starts."
        )
    )
    def subscribe_premium(self, plan: PremiumPlan) -> PremiumSubscription: ...

    @strawberry.field(
        description=(
            "Cancels the caller's subscription: entitlement ends at once (not at the period's end), while "
            "purchased items stay playable. Idempotent; null when the caller never subscribed."
        )
    )
    def cancel_premium(self) -> PremiumSubscription | None: ...

    @strawberry.field(
        description=(
            "Buys one premium media item for the caller, to play for good; buying it again returns the first "
            "purchase. NotFoundError when the item is missing; ValidationError when it is free."
        )
    )
    def purchase_media(self, id: strawberry.ID) -> Purchase: ...
