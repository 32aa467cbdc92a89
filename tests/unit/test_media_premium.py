"""Premium users: who may play what (entitlement), and subscribing, cancelling and buying."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from resolvers.media.domain.entitlement import Entitlements, is_active, membership
from resolvers.media.domain.errors import ConflictError, NotFoundError, ValidationError
from resolvers.media.domain.models import PremiumSubscription, Purchase, aws_datetime
from resolvers.media.domain.premium_service import PremiumService
from tests.fakes.media import InMemoryCatalog, InMemoryPurchases, InMemorySubscriptions, media_item

BOB = "22222222-bbbb-4bbb-8bbb-222222222222"
NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


def subscription(
    status: str = "ACTIVE", *, start: datetime, end: datetime, plan: str = "MONTHLY"
) -> PremiumSubscription:
    return PremiumSubscription(
        user_id=BOB,
        plan=plan,
        status=status,
        current_period_start=aws_datetime(start),
        current_period_end=aws_datetime(end),
        created_at=aws_datetime(start),
        updated_at=aws_datetime(start),
    )


CURRENT = subscription(start=NOW - timedelta(days=1), end=NOW + timedelta(days=29))


# --- entitlement -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "active"),
    [
        (None, False),
        (CURRENT, True),
        (dataclasses.replace(CURRENT, status="CANCELED"), False),
        (subscription(start=NOW - timedelta(days=30), end=NOW), False),  # ends exactly now: over
        (subscription(start=NOW - timedelta(days=30), end=NOW + timedelta(milliseconds=1)), True),
    ],
    ids=["none", "active", "canceled", "period-just-over", "last-millisecond"],
)
def test_a_subscription_entitles_while_active_and_inside_its_period(
    stored: PremiumSubscription | None, active: bool
) -> None:
    assert is_active(stored, NOW) is active


def test_an_active_subscription_past_its_period_reads_as_expired() -> None:
    # GIVEN a subscription whose period ended yesterday, and a canceled one
    ended = subscription(start=NOW - timedelta(days=31), end=NOW - timedelta(days=1))
    canceled = dataclasses.replace(CURRENT, status="CANCELED", canceled_at=aws_datetime(NOW))
    # THEN the first is EXPIRED and the second CANCELED, and neither is active; a current one is ACTIVE
    assert (membership(ended, NOW).status, membership(ended, NOW).active) == ("EXPIRED", False)
    assert (membership(canceled, NOW).status, membership(canceled, NOW).active) == ("CANCELED", False)
    assert (membership(CURRENT, NOW).status, membership(CURRENT, NOW).active) == ("ACTIVE", True)


def entitlements(*stored: PremiumSubscription, purchases: tuple[Purchase, ...] = ()) -> Entitlements:
    return Entitlements(InMemorySubscriptions(*stored), InMemoryPurchases(*purchases))


def test_free_media_plays_for_any_signed_in_user() -> None:
    assert entitlements().may_play(BOB, media_item(premium=False), NOW)


def test_premium_media_plays_for_active_subscribers_and_buyers_only() -> None:
    premium = media_item("m1")
    bought = Purchase(user_id=BOB, media_id="m1", purchased_at="2024-04-01T00:00:00.000Z")
    assert not entitlements().may_play(BOB, premium, NOW)
    assert entitlements(CURRENT).may_play(BOB, premium, NOW)
    assert entitlements(purchases=(bought,)).may_play(BOB, premium, NOW)
    # a purchase of another item, or a canceled subscription, does not entitle
    assert not entitlements(purchases=(dataclasses.replace(bought, media_id="m2"),)).may_play(
        BOB, premium, NOW
    )
    assert not entitlements(dataclasses.replace(CURRENT, status="CANCELED")).may_play(BOB, premium, NOW)


def test_a_purchase_is_not_read_when_the_subscription_entitles() -> None:
    purchases = InMemoryPurchases()
    Entitlements(InMemorySubscriptions(CURRENT), purchases).may_play(BOB, media_item(), NOW)
    assert purchases.reads == 0


# --- subscribing and cancelling ----------------------------------------------------------------------------


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def subscriptions() -> InMemorySubscriptions:
    return InMemorySubscriptions()


@pytest.fixture
def service(subscriptions: InMemorySubscriptions, clock: Clock) -> PremiumService:
    catalog = InMemoryCatalog(media_item("m1"), media_item("free", premium=False))
    return PremiumService(subscriptions, InMemoryPurchases(), catalog, clock=clock)


def test_subscribing_starts_one_period_of_the_plan(service: PremiumService) -> None:
    monthly = service.subscribe(BOB, "MONTHLY")
    assert (monthly.plan, monthly.status, monthly.active) == ("MONTHLY", "ACTIVE", True)
    assert (monthly.current_period_start, monthly.current_period_end) == (
        "2024-05-01T12:00:00.000Z",
        "2024-05-31T12:00:00.000Z",
    )
    assert monthly.canceled_at is None


def test_subscribing_twice_keeps_one_subscription(
    service: PremiumService, subscriptions: InMemorySubscriptions, clock: Clock
) -> None:
    # GIVEN bob subscribed yesterday
    clock.now = NOW - timedelta(days=1)
    first = service.subscribe(BOB, "YEARLY")
    # WHEN he subscribes again today on the same plan
    clock.now = NOW
    again = service.subscribe(BOB, "YEARLY")
    # THEN he keeps the same period (no second subscription, no extension)
    assert again == first
    assert len(subscriptions.items) == 1


def test_subscribing_on_another_plan_while_active_is_a_conflict(service: PremiumService) -> None:
    service.subscribe(BOB, "MONTHLY")
    with pytest.raises(ConflictError, match="already has an active MONTHLY subscription until 2024-05-31"):
        service.subscribe(BOB, "YEARLY")
    subscription = service.subscription(BOB)
    assert subscription is not None and subscription.plan == "MONTHLY"


def test_cancelling_ends_entitlement_at_once_and_is_idempotent(service: PremiumService, clock: Clock) -> None:
    # GIVEN an active subscription
    service.subscribe(BOB, "MONTHLY")
    # WHEN bob cancels it an hour later
    clock.now = NOW + timedelta(hours=1)
    canceled = service.cancel(BOB)
    # THEN it is CANCELED now, not at the period's end
    assert canceled is not None
    assert (canceled.status, canceled.active, canceled.canceled_at) == (
        "CANCELED",
        False,
        "2024-05-01T13:00:00.000Z",
    )
    # AND cancelling again changes nothing
    clock.now = NOW + timedelta(hours=2)
    assert service.cancel(BOB) == canceled


def test_cancelling_without_a_subscription_returns_none(service: PremiumService) -> None:
    assert service.cancel(BOB) is None
    assert service.subscription(BOB) is None


def test_after_a_cancellation_or_the_end_of_a_period_subscribing_starts_a_new_period(
    service: PremiumService, clock: Clock
) -> None:
    first = service.subscribe(BOB, "MONTHLY")
    service.cancel(BOB)
    # WHEN bob subscribes again, on another plan, a day later
    clock.now = NOW + timedelta(days=1)
    renewed = service.subscribe(BOB, "YEARLY")
    # THEN a new YEARLY period starts now
    assert (renewed.plan, renewed.status, renewed.active, renewed.canceled_at) == (
        "YEARLY",
        "ACTIVE",
        True,
        None,
    )
    assert renewed.current_period_start == "2024-05-02T12:00:00.000Z"
    # AND once that period is over it reads EXPIRED, and subscribing starts yet another
    clock.now = NOW + timedelta(days=400)
    expired = service.subscription(BOB)
    assert expired is not None and (expired.status, expired.active) == ("EXPIRED", False)
    assert service.subscribe(BOB, "MONTHLY").current_period_start == aws_datetime(clock.now)
    assert first.current_period_start == "2024-05-01T12:00:00.000Z"


def test_two_concurrent_subscribes_start_one_period(
    service: PremiumService, subscriptions: InMemorySubscriptions
) -> None:
    # GIVEN another request that stores bob's subscription just before this one writes
    other = subscription(start=NOW, end=NOW + timedelta(days=30))
    subscriptions.sneak_in = other
    # WHEN bob subscribes on the same plan THEN he gets the one that was stored first
    assert service.subscribe(BOB, "MONTHLY") == membership(other, NOW)
    assert subscriptions.items[BOB] == other


@pytest.mark.parametrize("plan", ["WEEKLY", "", None, "monthly"])
def test_an_unknown_plan_is_refused(service: PremiumService, plan: object) -> None:
    with pytest.raises(ValidationError, match="plan must be one of MONTHLY, YEARLY"):
        service.subscribe(BOB, plan)


# --- buying ------------------------------------------------------------------------------------------------


def test_buying_is_idempotent_and_keeps_the_first_purchase(service: PremiumService, clock: Clock) -> None:
    first, item = service.purchase(BOB, "m1")
    clock.now = NOW + timedelta(days=3)
    again, _ = service.purchase(BOB, "m1")
    assert again == first and first.purchased_at == "2024-05-01T12:00:00.000Z"
    assert item.id == "m1"


def test_one_item_is_bought_by_many_customers(service: PremiumService) -> None:
    buyers = [f"user-{n}" for n in range(3)]
    purchases = [service.purchase(buyer, "m1")[0] for buyer in buyers]
    assert [(p.user_id, p.media_id) for p in purchases] == [(b, "m1") for b in buyers]


def test_a_missing_or_free_item_cannot_be_bought(service: PremiumService) -> None:
    with pytest.raises(NotFoundError, match="Media 'nope' not found"):
        service.purchase(BOB, "nope")
    with pytest.raises(ValidationError, match="Media 'free' is free: any signed-in user may play it"):
        service.purchase(BOB, "free")
