"""AppSync's enhanced subscription filters and subscription invalidation, as pure data and predicates.

A subscription resolver sets a filter with ``extensions.setSubscriptionFilter(obj)`` (and an invalidation
filter with ``extensions.setSubscriptionInvalidationFilter(obj)``); both take the same JSON::

    {"filterGroup": [{"filters": [{"fieldName": "group", "operator": "in", "value": ["a", "b"]}]}]}

The groups are OR'd, the conditions inside a group AND'd. ``fieldName`` may name a nested field with dots
(``"author.address.city"``). AppSync rejects a bad filter when the client subscribes; `parse_filter` raises
`FilterError` with AppSync's message where AppSync's wording is known (in/notIn value limit, attribute limit,
invalid value), and a message in the same style elsewhere.

A mutation starts an invalidation with ``extensions.invalidateSubscriptions({subscriptionField, payload})``
(`parse_invalidation`); every subscription of that field whose invalidation filter matches ``payload`` is
closed, and its client is told ``{"message": "Subscription complete."}`` (`INVALIDATION_MESSAGE`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

MAX_FILTER_GROUPS: Final = 10
MAX_ATTRIBUTES_PER_FILTER: Final = 5
MAX_IN_VALUES: Final = 5
MAX_CONTAINS_ANY_VALUES: Final = 20
MAX_FIELD_DEPTH: Final = 5
MAX_FIELD_NAME_LENGTH: Final = 256

# What the client of an invalidated subscription is told (devguide: aws-appsync-real-time-invalidation).
INVALIDATION_MESSAGE: Final[Mapping[str, str]] = {"message": "Subscription complete."}

OPERATORS: Final = frozenset(
    {
        "eq",
        "ne",
        "le",
        "lt",
        "ge",
        "gt",
        "contains",
        "notContains",
        "beginsWith",
        "in",
        "notIn",
        "between",
        "containsAny",
    }
)

# A field the payload does not have compares like null.
_MISSING: Final = None


class FilterError(ValueError):
    """A subscription or invalidation filter AppSync would reject (reported to the client as a 400)."""

    error_code: Final = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_error(self) -> dict[str, Any]:
        """The error as AppSync reports it on the realtime connection."""
        return {"message": self.message, "errorCode": self.error_code}


# -- value kinds ------------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    # JSON booleans are not numbers, though Python's bool is an int.
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and not (isinstance(value, float) and math.isnan(value))
    )


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | bool) or _is_number(value)


def _same_kind(a: Any, b: Any) -> bool:
    return (_is_number(a) and _is_number(b)) or (isinstance(a, str) and isinstance(b, str))


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON sees it: 1 == 1.0, but true != 1 and "1" != 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and bool(a == b)


# -- operators --------------------------------------------------------------------------------------


def _compare(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    # Ordering only holds between two numbers or two strings; anything else does not match.
    return lambda actual, expected: _same_kind(actual, expected) and test(actual, expected)


def _contains(actual: Any, expected: Any) -> bool:
    if isinstance(actual, str):
        return isinstance(expected, str) and expected in actual
    if isinstance(actual, list | tuple):
        return any(json_equal(item, expected) for item in actual)
    return False


def _in(actual: Any, expected: Sequence[Any]) -> bool:
    return any(json_equal(actual, value) for value in expected)


def _between(actual: Any, expected: Sequence[Any]) -> bool:
    low, high = expected
    return _same_kind(actual, low) and bool(low <= actual <= high)


def _contains_any(actual: Any, expected: Sequence[Any]) -> bool:
    # A single value behaves as a one-item set, as Amplify's group filters rely on.
    items = actual if isinstance(actual, list | tuple) else [actual]
    return any(json_equal(item, value) for item in items for value in expected)


def _begins_with(actual: Any, expected: Any) -> bool:
    return isinstance(actual, str) and actual.startswith(expected)


_TESTS: Final[Mapping[str, Callable[[Any, Any], bool]]] = {
    "eq": json_equal,
    "ne": lambda actual, expected: not json_equal(actual, expected),
    "le": _compare(lambda a, b: a <= b),
    "lt": _compare(lambda a, b: a < b),
    "ge": _compare(lambda a, b: a >= b),
    "gt": _compare(lambda a, b: a > b),
    "contains": _contains,
    "notContains": lambda actual, expected: not _contains(actual, expected),
    "beginsWith": _begins_with,
    "in": _in,
    "notIn": lambda actual, expected: not _in(actual, expected),
    "between": _between,
    "containsAny": _contains_any,
}


# -- parsed filters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """One ``{fieldName, operator, value}``; `path` is ``fieldName`` split on dots."""

    field_name: str
    path: tuple[str, ...]
    operator: str
    value: Any

    def matches(self, payload: Mapping[str, Any]) -> bool:
        """Whether the payload's field satisfies the condition (a missing field reads as null)."""
        return _TESTS[self.operator](_lookup(payload, self.path), self.value)


@dataclass(frozen=True)
class FilterGroupEntry:
    """One entry of ``filterGroup``: its conditions must all hold."""

    conditions: tuple[Condition, ...]

    def matches(self, payload: Mapping[str, Any]) -> bool:
        return all(condition.matches(payload) for condition in self.conditions)


@dataclass(frozen=True)
class Filter:
    """A parsed ``{filterGroup: [...]}``: matches when any of its entries matches.

    Parameters
    ----------
    groups
        The entries of ``filterGroup``, OR'd; each one's conditions are AND'd.
    """

    groups: tuple[FilterGroupEntry, ...]

    def matches(self, payload: Mapping[str, Any]) -> bool:
        """Whether a notification (or invalidation) payload passes the filter."""
        return any(group.matches(payload) for group in self.groups)


def _lookup(payload: Any, path: tuple[str, ...]) -> Any:
    value = payload
    for name in path:
        if not isinstance(value, Mapping):
            return _MISSING
        value = value.get(name, _MISSING)
    return value


# -- parsing ----------------------------------------------------------------------------------------


def _check_field_name(field_name: Any) -> tuple[str, ...]:
    if not isinstance(field_name, str) or not field_name:
        raise FilterError("subscription filter has a filter without a `fieldName` string.")
    if len(field_name) > MAX_FIELD_NAME_LENGTH:
        raise FilterError(
            f"subscription filter field `{field_name[:40]}...` exceeds maximum length {MAX_FIELD_NAME_LENGTH}."
        )
    path = tuple(field_name.split("."))
    if any(not part for part in path):
        raise FilterError(f"subscription filter field `{field_name}` is not a valid field path.")
    if len(path) > MAX_FIELD_DEPTH:
        raise FilterError(
            f"subscription filter field `{field_name}` exceeds maximum nesting level {MAX_FIELD_DEPTH}."
        )
    return path


def _invalid_value(operator: str) -> FilterError:
    return FilterError(f"subscription filter has invalid filter value for operator `{operator}`.")


def _check_value(operator: str, value: Any) -> Any:
    """The value in the form the operator uses, or FilterError when AppSync would reject it."""
    if operator in ("eq", "ne"):
        if not _is_scalar(value):
            raise _invalid_value(operator)
        return value
    if operator in ("le", "lt", "ge", "gt", "contains", "notContains"):
        if not (_is_number(value) or isinstance(value, str)):
            raise _invalid_value(operator)
        return value
    if operator == "beginsWith":
        if not isinstance(value, str):
            raise _invalid_value(operator)
        return value
    if not isinstance(value, list | tuple) or not value:
        raise _invalid_value(operator)
    if not all(_is_number(item) or isinstance(item, str) for item in value):
        raise _invalid_value(operator)
    if operator == "between":
        if len(value) != 2 or not _same_kind(value[0], value[1]):
            raise _invalid_value(operator)
        return tuple(value)
    limit = MAX_CONTAINS_ANY_VALUES if operator == "containsAny" else MAX_IN_VALUES
    if len(value) > limit:
        raise FilterError(f"subscription exceeds maximum value limit {limit} for operator `{operator}`.")
    return tuple(value)


def _parse_condition(raw: Any) -> Condition:
    if not isinstance(raw, Mapping):
        raise FilterError(
            "subscription filter has a filter that is not an object of fieldName, operator, value."
        )
    path = _check_field_name(raw.get("fieldName"))
    operator = raw.get("operator")
    if not isinstance(operator, str) or operator not in OPERATORS:
        raise FilterError(
            f"subscription filter has invalid operator `{operator}`; "
            f"use one of {', '.join(sorted(OPERATORS))}."
        )
    if "value" not in raw:
        raise _invalid_value(operator)
    return Condition(raw["fieldName"], path, operator, _check_value(operator, raw["value"]))


def _parse_group(raw: Any) -> FilterGroupEntry:
    filters = raw.get("filters") if isinstance(raw, Mapping) else None
    if not isinstance(filters, list) or not filters:
        raise FilterError("subscription filter has a filterGroup entry without a non-empty `filters` list.")
    conditions = tuple(_parse_condition(item) for item in filters)
    attributes = {condition.field_name for condition in conditions}
    if len(attributes) > MAX_ATTRIBUTES_PER_FILTER:
        raise FilterError(
            f"Filters exceed maximum attributes limit {MAX_ATTRIBUTES_PER_FILTER} for subscription."
        )
    return FilterGroupEntry(conditions)


def parse_filter(obj: Any) -> Filter:
    """Parse ``{filterGroup: [{filters: [{fieldName, operator, value}]}]}`` (a mapping or its JSON text).

    Raises
    ------
    FilterError
        When AppSync would reject the filter: unknown operator, a value the operator does not take, too
        many groups, attributes or values, or a field path that is empty or nested too deep.
    """
    if isinstance(obj, str | bytes):
        try:
            obj = json.loads(obj)
        except ValueError:
            raise FilterError("subscription filter is not valid JSON.") from None
    groups = obj.get("filterGroup") if isinstance(obj, Mapping) else None
    if not isinstance(groups, list) or not groups:
        raise FilterError("subscription filter must be an object with a non-empty `filterGroup` list.")
    if len(groups) > MAX_FILTER_GROUPS:
        raise FilterError(f"Filters exceed maximum filter groups limit {MAX_FILTER_GROUPS} for subscription.")
    return Filter(tuple(_parse_group(group) for group in groups))


@dataclass(frozen=True)
class Invalidation:
    """One ``extensions.invalidateSubscriptions({subscriptionField, payload})`` call of a mutation."""

    subscription_field: str
    payload: Mapping[str, Any]


def parse_invalidation(obj: Any) -> Invalidation:
    """Check an ``invalidateSubscriptions`` argument; raises FilterError when it is malformed."""
    if not isinstance(obj, Mapping):
        raise FilterError("invalidateSubscriptions takes an object with subscriptionField and payload.")
    field = obj.get("subscriptionField")
    payload = obj.get("payload")
    if not isinstance(field, str) or not field:
        raise FilterError("invalidateSubscriptions needs `subscriptionField`, the subscription field's name.")
    if not isinstance(payload, Mapping):
        raise FilterError("invalidateSubscriptions needs `payload`, an object of key-value pairs.")
    return Invalidation(field, payload)
