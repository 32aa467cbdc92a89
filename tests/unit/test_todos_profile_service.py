"""ProfileService with in-memory storage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from resolvers.todos.domain.errors import ValidationError
from resolvers.todos.domain.models import Caller, PublicProfile
from resolvers.todos.domain.profile_service import ProfileService
from tests.fakes.todos import InMemoryProfileRepository

ALICE = Caller(sub="11111111-aaaa-4aaa-8aaa-111111111111", username="alice", email="alice@example.com")
BOB = Caller(sub="22222222-bbbb-4bbb-8bbb-222222222222", username="bob")


class TickingClock:
    """Moves forward one second per reading."""

    def __init__(self) -> None:
        self.now = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        current = self.now
        self.now += timedelta(seconds=1)
        return current


@pytest.fixture
def repository() -> InMemoryProfileRepository:
    return InMemoryProfileRepository()


@pytest.fixture
def service(repository: InMemoryProfileRepository) -> ProfileService:
    return ProfileService(repository, clock=TickingClock())


def test_me_creates_the_profile_once_from_the_identity(service: ProfileService) -> None:
    # GIVEN alice has never called
    # WHEN she asks for her profile twice
    first = service.me(ALICE)
    second = service.me(ALICE)

    # THEN it was created from her identity the first time and kept afterwards
    assert (first.id, first.username, first.email) == (ALICE.sub, "alice", "alice@example.com")
    assert first.created_at == "2024-05-01T09:30:00.000Z"
    assert second == first


def test_update_profile_changes_given_fields_and_clears_nulls(service: ProfileService) -> None:
    # GIVEN alice with a name and bio
    service.update_profile(ALICE, name="Alice", bio="Writes things")

    # WHEN she clears her bio and leaves the name alone
    updated = service.update_profile(ALICE, bio=None)

    # THEN
    assert (updated.name, updated.bio, updated.email) == ("Alice", None, "alice@example.com")
    assert updated.updated_at > updated.created_at


def test_update_profile_creates_a_missing_profile_first(service: ProfileService) -> None:
    # GIVEN bob has no profile WHEN he sets his name THEN the profile exists with it
    profile = service.update_profile(BOB, name="Bob")
    assert (profile.id, profile.username, profile.name) == (BOB.sub, "bob", "Bob")


@pytest.mark.parametrize(
    "changes", [{"name": "n" * 101}, {"bio": "b" * 1001}, {"email": "not-an-email"}, {"name": 5}]
)
def test_update_profile_rejects_bad_values(service: ProfileService, changes: dict[str, object]) -> None:
    # GIVEN / WHEN / THEN
    with pytest.raises(ValidationError):
        service.update_profile(ALICE, **changes)  # type: ignore[arg-type]


def test_public_profiles_come_in_order_with_one_read(
    service: ProfileService, repository: InMemoryProfileRepository
) -> None:
    # GIVEN alice and bob have profiles
    service.update_profile(ALICE, name="Alice", bio="hi")
    service.me(BOB)
    reads_before = repository.batch_reads

    # WHEN a page of todos asks for its owners (repeats, unknown and missing ids included)
    profiles = service.public_profiles([BOB.sub, ALICE.sub, "ghost", ALICE.sub, None])

    # THEN each position gets its owner's public side, in one storage read
    assert profiles == [
        PublicProfile(id=BOB.sub),
        PublicProfile(id=ALICE.sub, name="Alice", bio="hi"),
        None,
        PublicProfile(id=ALICE.sub, name="Alice", bio="hi"),
        None,
    ]
    assert repository.batch_reads == reads_before + 1


def test_get_public_profile_shows_no_private_fields(service: ProfileService) -> None:
    # GIVEN alice with an e-mail address
    service.update_profile(ALICE, name="Alice")
    # WHEN anyone reads her public profile THEN only id, name and bio are there
    assert service.get_public_profile(ALICE.sub) == PublicProfile(id=ALICE.sub, name="Alice")
    assert service.get_public_profile("nobody") is None
    assert service.get_public_profile("") is None
