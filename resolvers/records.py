"""Domain records declared once: frozen dataclasses whose other forms are derived from their fields.

A record names its fields in snake_case; the GraphQL contract and the DynamoDB items name the same fields in
camelCase. `field(metadata=editable(check))` marks a field a client may set and the rule that checks it, so a new
field is one line in the record (plus its place in `schema/`): presenters, stored items, reads and the
create/update paths all follow from it.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, ClassVar, Protocol, TypeVar

EDITABLE = "editable"


@dataclasses.dataclass(frozen=True)
class Editable:
    """How a client may set a field: the check (returns the value to store), when, and whether null clears it."""

    check: Callable[[Any], Any]
    on_create: bool = True
    on_update: bool = True
    nullable: bool = True


def editable(
    check: Callable[[Any], Any], *, on_create: bool = True, on_update: bool = True, nullable: bool = True
) -> dict[str, Editable]:
    """The metadata of a field a client may set: `field(metadata=editable(rule))`. `check` returns the value
    to store or raises the domain's validation error."""
    return {EDITABLE: Editable(check, on_create, on_update, nullable)}


class Record(Protocol):
    """Any dataclass (instance or class)."""

    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]


R = TypeVar("R", bound=Record)


@functools.cache  # field names are few and fixed: each is converted once per process
def camel(name: str) -> str:
    """`due_date` -> `dueDate`."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def snake(name: str) -> str:
    """`dueDate` -> `due_date`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def contract_form(record: Record) -> dict[str, Any]:
    """Every field under its contract (camelCase) name: the GraphQL type's shape."""
    return {camel(f.name): getattr(record, f.name) for f in dataclasses.fields(record)}


def stored_form(record: Record) -> dict[str, Any]:
    """The DynamoDB item: the contract's names, absent (None) optional fields left out rather than null."""
    return {key: value for key, value in contract_form(record).items() if value is not None}


def plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; records hold int (or float)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


@functools.cache
def _stored_names(cls: type[Record]) -> tuple[tuple[str, str], ...]:
    """Each field's (record name, item name), computed once per record class."""
    return tuple((f.name, camel(f.name)) for f in dataclasses.fields(cls))


def from_stored(cls: type[R], item: Mapping[str, Any]) -> R:
    """The record an item stores; a field the item lacks takes the record's default."""
    values = {name: plain(item[key]) for name, key in _stored_names(cls) if key in item}
    return cls(**values)


def from_contract_input(values: Mapping[str, Any], *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """A GraphQL input object's fields under the record's (snake_case) names, minus `exclude` (contract names)."""
    return {snake(key): value for key, value in values.items() if key not in exclude}


def checked_fields(
    cls: type[Record], given: Mapping[str, Any], *, creating: bool, error: type[Exception] = ValueError
) -> dict[str, Any]:
    """The values a client gave for `cls`'s editable fields, each checked by its rule.

    Creating, every field editable on create is checked (a missing one as None, so required fields fail);
    updating, only the fields given are, and null clears a nullable one. A field the client may not set, or
    null for one that cannot be cleared, raises `error` (the domain's validation error).
    """
    rules = {
        f.name: f.metadata[EDITABLE]
        for f in dataclasses.fields(cls)
        if EDITABLE in f.metadata
        and (f.metadata[EDITABLE].on_create if creating else f.metadata[EDITABLE].on_update)
    }
    unknown = sorted(set(given) - set(rules))
    if unknown:
        raise error(f"{', '.join(camel(n) for n in unknown)} cannot be set here")
    checked: dict[str, Any] = {}
    for name, rule in rules.items():
        if name not in given and not creating:
            continue
        value = given.get(name)
        if value is None and not creating and not rule.nullable:
            raise error(f"{camel(name)} cannot be null")
        checked[name] = rule.check(value)
    return checked
