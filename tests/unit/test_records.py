"""Records declared once: their contract form, stored form and checked input all follow from the fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from resolvers.records import (
    camel,
    checked_fields,
    contract_form,
    editable,
    from_contract_input,
    from_stored,
    snake,
    stored_form,
)


def _positive(value: object) -> int:
    if not isinstance(value, int) or value < 1:
        raise ValueError("priority must be a positive integer")
    return value


def _text(value: object) -> str | None:
    return None if value is None else str(value).strip()


@dataclass(frozen=True)
class Task:
    id: str
    owner_id: str
    title: str | None = field(default=None, metadata=editable(_text))
    priority: int = field(default=1, metadata=editable(_positive, on_create=False, nullable=False))


def test_names_convert_both_ways() -> None:
    assert camel("due_date") == "dueDate" and camel("id") == "id"
    assert snake("dueDate") == "due_date" and snake("expectedVersion") == "expected_version"


def test_a_new_field_appears_in_every_form_without_more_code() -> None:
    task = Task(id="t1", owner_id="u1", title=None, priority=3)
    assert contract_form(task) == {"id": "t1", "ownerId": "u1", "title": None, "priority": 3}
    assert stored_form(task) == {"id": "t1", "ownerId": "u1", "priority": 3}
    assert from_stored(Task, {"id": "t1", "ownerId": "u1", "priority": Decimal(3)}) == task


def test_create_checks_every_create_field_and_update_only_those_given() -> None:
    assert checked_fields(Task, {"title": " a "}, creating=True) == {"title": "a"}
    assert checked_fields(Task, {"priority": 2}, creating=False) == {"priority": 2}
    assert checked_fields(Task, {}, creating=False) == {}


@pytest.mark.parametrize(
    ("given", "creating", "message"),
    [
        ({"priority": 2}, True, "priority cannot be set here"),
        ({"owner_id": "someone"}, False, "ownerId cannot be set here"),
        ({"priority": None}, False, "priority cannot be null"),
        ({"priority": 0}, False, "priority must be a positive integer"),
    ],
)
def test_what_a_client_may_not_send_is_refused(
    given: dict[str, object], creating: bool, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        checked_fields(Task, given, creating=creating)


def test_contract_input_maps_to_record_names() -> None:
    assert from_contract_input(
        {"id": "x", "expectedVersion": 1, "dueDate": "2024-01-01"}, exclude=("id",)
    ) == {
        "expected_version": 1,
        "due_date": "2024-01-01",
    }
