"""TodoService with in-memory storage: the rules a client sees, without AWS."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from resolvers.todos.domain.errors import ConflictError, NotFoundError, ValidationError
from resolvers.todos.domain.models import TodoCursor
from resolvers.todos.domain.pagination import encode_next_token
from resolvers.todos.domain.todo_service import TodoService
from tests.fakes.todos import InMemoryTodoRepository

ALICE = "11111111-aaaa-4aaa-8aaa-111111111111"
BOB = "22222222-bbbb-4bbb-8bbb-222222222222"


class TickingClock:
    """A clock that moves forward one second per reading, so creation order is unambiguous."""

    def __init__(self, start: datetime = datetime(2024, 5, 1, 12, 0, 0, 123000, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        current = self.now
        self.now += timedelta(seconds=1)
        return current


@pytest.fixture
def repository() -> InMemoryTodoRepository:
    return InMemoryTodoRepository()


@pytest.fixture
def service(repository: InMemoryTodoRepository) -> TodoService:
    ids = (f"todo-{n}" for n in itertools.count(1))
    return TodoService(repository, clock=TickingClock(), new_id=lambda: next(ids))


def test_create_assigns_id_version_and_utc_millisecond_timestamps(service: TodoService) -> None:
    # GIVEN a service
    # WHEN alice creates a todo
    todo = service.create_todo(ALICE, title="  Buy milk ", description="2 litres", due_date="2024-05-02")

    # THEN it is hers, at version 1, not done, with AWSDateTime stamps
    assert todo.owner_id == ALICE
    assert todo.id == "todo-1"
    assert todo.title == "Buy milk"
    assert (todo.version, todo.done) == (1, False)
    assert todo.created_at == todo.updated_at == "2024-05-01T12:00:00.123Z"
    assert service.get_todo(ALICE, todo.id) == todo


@pytest.mark.parametrize("title", ["", "   ", None, "x" * 201])
def test_create_rejects_empty_or_long_titles(service: TodoService, title: object) -> None:
    # GIVEN a bad title
    # WHEN creating THEN the input is refused
    with pytest.raises(ValidationError, match="title"):
        service.create_todo(ALICE, title=title)


def test_create_accepts_a_title_of_exactly_200_characters(service: TodoService) -> None:
    # GIVEN / WHEN a 200-character title
    todo = service.create_todo(ALICE, title="x" * 200)
    # THEN it is kept
    assert len(todo.title) == 200


@pytest.mark.parametrize("due_date", ["tomorrow", "2024-02-30", "2024-13-01"])
def test_create_rejects_bad_due_dates(service: TodoService, due_date: str) -> None:
    # GIVEN / WHEN / THEN
    with pytest.raises(ValidationError, match="dueDate"):
        service.create_todo(ALICE, title="t", due_date=due_date)


def test_update_changes_given_fields_and_increments_version(service: TodoService) -> None:
    # GIVEN a todo with a description
    todo = service.create_todo(ALICE, title="Draft", description="first")

    # WHEN alice marks it done and clears the description
    updated = service.update_todo(ALICE, todo.id, expected_version=1, done=True, description=None)

    # THEN only those fields changed and the version went up
    assert (updated.title, updated.done, updated.description, updated.version) == ("Draft", True, None, 2)
    assert updated.updated_at > todo.updated_at
    assert updated.created_at == todo.created_at


def test_update_with_a_stale_version_is_a_conflict_naming_both_versions(service: TodoService) -> None:
    # GIVEN a todo already updated once (now at version 2)
    todo = service.create_todo(ALICE, title="Draft")
    service.update_todo(ALICE, todo.id, expected_version=1, title="Second")

    # WHEN someone updates from version 1
    with pytest.raises(ConflictError) as raised:
        service.update_todo(ALICE, todo.id, expected_version=1, title="Late")

    # THEN the conflict says what was expected and what is there, and nothing changed
    assert "expected version 1" in str(raised.value) and "version 2" in str(raised.value)
    assert service.get_todo(ALICE, todo.id).title == "Second"  # type: ignore[union-attr]


@pytest.mark.parametrize("changes", [{"title": None}, {"title": ""}, {"done": "yes"}, {"done": None}])
def test_update_rejects_bad_values(service: TodoService, changes: dict[str, object]) -> None:
    # GIVEN a todo
    todo = service.create_todo(ALICE, title="Draft")
    # WHEN / THEN
    with pytest.raises(ValidationError):
        service.update_todo(ALICE, todo.id, expected_version=1, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("version", [0, -1, "1", None, True])
def test_update_needs_a_positive_integer_version(service: TodoService, version: object) -> None:
    # GIVEN a todo
    todo = service.create_todo(ALICE, title="Draft")
    # WHEN / THEN
    with pytest.raises(ValidationError, match="expectedVersion"):
        service.update_todo(ALICE, todo.id, expected_version=version, title="x")


def test_another_user_cannot_see_update_or_delete_a_todo(service: TodoService) -> None:
    # GIVEN alice's todo
    todo = service.create_todo(ALICE, title="Private")

    # WHEN bob uses its id THEN it does not exist for him, exactly like a missing one
    assert service.get_todo(BOB, todo.id) is None
    with pytest.raises(NotFoundError) as on_update:
        service.update_todo(BOB, todo.id, expected_version=1, title="Mine now")
    with pytest.raises(NotFoundError) as on_missing:
        service.update_todo(BOB, "no-such-id", expected_version=1, title="Mine now")
    with pytest.raises(NotFoundError):
        service.delete_todo(BOB, todo.id)
    assert str(on_update.value) == str(on_missing.value).replace("no-such-id", todo.id)

    # AND alice's todo is untouched
    assert service.get_todo(ALICE, todo.id) == todo


def test_delete_returns_the_old_todo_and_then_it_is_gone(service: TodoService) -> None:
    # GIVEN a todo
    todo = service.create_todo(ALICE, title="Bye")
    # WHEN it is deleted
    deleted = service.delete_todo(ALICE, todo.id)
    # THEN the old item comes back, and a second delete finds nothing
    assert deleted == todo
    assert service.get_todo(ALICE, todo.id) is None
    with pytest.raises(NotFoundError):
        service.delete_todo(ALICE, todo.id)


@pytest.mark.parametrize("todo_id", ["", "x" * 129, "a\nb", None])
def test_ids_that_cannot_exist_are_simply_not_found(service: TodoService, todo_id: object) -> None:
    # GIVEN / WHEN / THEN
    assert service.get_todo(ALICE, todo_id) is None
    with pytest.raises(NotFoundError):
        service.delete_todo(ALICE, todo_id)


def _create_many(service: TodoService, owner: str, count: int) -> list[str]:
    return [service.create_todo(owner, title=f"{owner[:5]} #{n}").id for n in range(count)]


def test_list_pages_newest_first_until_the_end(service: TodoService) -> None:
    # GIVEN five todos
    ids = _create_many(service, ALICE, 5)

    # WHEN listing two at a time
    first = service.list_todos(ALICE, limit=2)
    second = service.list_todos(ALICE, limit=2, next_token=first.next_token)
    third = service.list_todos(ALICE, limit=2, next_token=second.next_token)

    # THEN every todo comes once, newest first, and the last page has no token
    seen = [t.id for page in (first, second, third) for t in page.items]
    assert seen == list(reversed(ids))
    assert first.next_token and second.next_token
    assert third.next_token is None


def test_list_limit_defaults_to_20_and_is_clamped_to_1_to_100(service: TodoService) -> None:
    # GIVEN 120 todos
    _create_many(service, ALICE, 120)

    # WHEN / THEN
    assert len(service.list_todos(ALICE).items) == 20
    assert len(service.list_todos(ALICE, limit=0).items) == 1
    assert len(service.list_todos(ALICE, limit=-5).items) == 1
    assert len(service.list_todos(ALICE, limit=1000).items) == 100


def test_list_filter_on_done_fills_pages_across_sparse_reads(
    service: TodoService, repository: InMemoryTodoRepository
) -> None:
    # GIVEN ten todos of which every third is done
    ids = _create_many(service, ALICE, 10)
    done_ids = ids[::3]
    for todo_id in done_ids:
        service.update_todo(ALICE, todo_id, expected_version=1, done=True)

    # WHEN listing done todos two at a time
    first = service.list_todos(ALICE, done=True, limit=2)
    rest = service.list_todos(ALICE, done=True, limit=2, next_token=first.next_token)

    # THEN pages are full (not cut short by the storage's pre-filter limit) and only done todos appear
    assert [t.id for t in first.items] == list(reversed(done_ids))[:2]
    assert [t.id for t in rest.items] == list(reversed(done_ids))[2:]
    assert all(t.done for t in first.items + rest.items)
    # AND the open todos are listed with done=False
    assert {t.id for t in service.list_todos(ALICE, done=False, limit=100).items} == set(ids) - set(done_ids)


def test_list_shows_only_the_callers_todos(service: TodoService) -> None:
    # GIVEN todos of alice and bob
    alice_ids = _create_many(service, ALICE, 3)
    _create_many(service, BOB, 2)

    # WHEN alice lists
    page = service.list_todos(ALICE, limit=100)

    # THEN she sees hers only
    assert {t.id for t in page.items} == set(alice_ids)


def test_a_token_from_another_user_is_invalid(service: TodoService) -> None:
    # GIVEN a page token of bob's
    _create_many(service, BOB, 3)
    bobs_token = service.list_todos(BOB, limit=1).next_token
    assert bobs_token

    # WHEN alice presents it THEN it is refused
    with pytest.raises(ValidationError, match="Invalid nextToken"):
        service.list_todos(ALICE, next_token=bobs_token)


@pytest.mark.parametrize(
    "token",
    [
        "not base64 at all!",
        "e30",  # {}
        "bnVsbA",  # null
        encode_next_token(ALICE, TodoCursor(created_at="", id="x")),
        "x" * 5000,
        "",
    ],
)
def test_malformed_tokens_are_invalid(service: TodoService, token: str) -> None:
    # GIVEN / WHEN / THEN
    with pytest.raises(ValidationError, match="Invalid nextToken"):
        service.list_todos(ALICE, next_token=token)


def test_limit_must_be_an_integer(service: TodoService) -> None:
    # GIVEN / WHEN / THEN
    with pytest.raises(ValidationError, match="limit"):
        service.list_todos(ALICE, limit="10")
