"""AppSync's enhanced subscription filters: operators, groups, nested fields, limits and invalidation payloads."""

from __future__ import annotations

from typing import Any

import pytest

from appsync_local.realtime.filters import (
    INVALIDATION_MESSAGE,
    FilterError,
    parse_filter,
    parse_invalidation,
)

TICKET: dict[str, Any] = {
    "id": "t-1",
    "severity": 7,
    "ratio": 0.5,
    "priority": "high",
    "group": "Developer",
    "content": "disk full on host-3",
    "tags": ["disk", "ops", 3],
    "closed": False,
    "owner": None,
    "author": {"name": "ana", "address": {"city": "Porto", "geo": {"zone": {"code": "PT-13"}}}},
}


def one(field_name: str, operator: str, value: Any) -> dict[str, Any]:
    return {"filterGroup": [{"filters": [{"fieldName": field_name, "operator": operator, "value": value}]}]}


def matches(field_name: str, operator: str, value: Any, payload: dict[str, Any] = TICKET) -> bool:
    return parse_filter(one(field_name, operator, value)).matches(payload)


@pytest.mark.parametrize(
    ("field_name", "operator", "value", "expected"),
    [
        ("priority", "eq", "high", True),
        ("priority", "eq", "low", False),
        ("severity", "eq", 7.0, True),
        ("closed", "eq", False, True),
        ("closed", "eq", 0, False),  # a boolean is not a number
        ("severity", "eq", "7", False),  # nor is a string
        ("owner", "eq", None, True),
        ("missing", "eq", None, True),  # an absent field reads as null
        ("priority", "ne", "low", True),
        ("priority", "ne", "high", False),
        ("severity", "le", 7, True),
        ("severity", "le", 6, False),
        ("severity", "lt", 8, True),
        ("severity", "lt", 7, False),
        ("severity", "ge", 7, True),
        ("severity", "ge", 7.5, False),
        ("severity", "gt", 6, True),
        ("severity", "gt", 7, False),
        ("priority", "gt", "a", True),  # strings compare with strings
        ("priority", "gt", 1, False),  # but never with numbers
        ("missing", "lt", 100, False),
        ("content", "contains", "full", True),
        ("content", "contains", "empty", False),
        ("tags", "contains", "ops", True),
        ("tags", "contains", 3, True),
        ("tags", "contains", "dev", False),
        ("content", "notContains", "empty", True),
        ("content", "notContains", "full", False),
        ("tags", "notContains", "ops", False),
        ("tags", "notContains", "dev", True),
        ("content", "beginsWith", "disk", True),
        ("content", "beginsWith", "full", False),
        ("severity", "beginsWith", "7", False),
        ("group", "in", ["Admin", "Developer"], True),
        ("group", "in", ["Admin", "Guest"], False),
        ("group", "notIn", ["Admin", "Guest"], True),
        ("group", "notIn", ["Admin", "Developer"], False),
        ("severity", "between", [1, 7], True),  # inclusive
        ("severity", "between", [7, 10], True),
        ("severity", "between", [8, 10], False),
        ("ratio", "between", [0, 1], True),
        ("priority", "between", ["a", "i"], True),
        ("priority", "between", [0, 9], False),
        ("tags", "containsAny", ["x", "ops"], True),
        ("tags", "containsAny", ["x", "y"], False),
        ("group", "containsAny", ["Developer"], True),  # a single value is a one-item set
    ],
)
def test_each_operator(field_name: str, operator: str, value: Any, expected: bool) -> None:
    # GIVEN a filter of one condition WHEN a ticket is evaluated THEN it matches as AppSync documents
    assert matches(field_name, operator, value) is expected


def test_nested_fields_use_dots_up_to_five_levels() -> None:
    # GIVEN conditions on nested fields
    # THEN they read through objects, and a path through a missing or non-object field reads as null
    assert matches("author.name", "eq", "ana")
    assert matches("author.address.city", "beginsWith", "Por")
    assert matches("author.address.geo.zone.code", "eq", "PT-13")
    assert not matches("author.address.town", "eq", "Porto")
    assert matches("author.name.first", "eq", None)

    # WHEN the path is six levels deep THEN AppSync rejects the filter
    with pytest.raises(FilterError, match="exceeds maximum nesting level 5"):
        parse_filter(one("a.b.c.d.e.f", "eq", 1))


def test_groups_are_ored_and_filters_inside_a_group_anded() -> None:
    # GIVEN two groups: (priority = high AND severity > 8) OR (group in [Developer])
    rule = parse_filter(
        {
            "filterGroup": [
                {
                    "filters": [
                        {"fieldName": "priority", "operator": "eq", "value": "high"},
                        {"fieldName": "severity", "operator": "gt", "value": 8},
                    ]
                },
                {"filters": [{"fieldName": "group", "operator": "in", "value": ["Developer"]}]},
            ]
        }
    )
    # THEN the first group fails on severity, the second passes, so the ticket matches
    assert rule.matches(TICKET)
    # AND with neither group satisfied it does not
    assert not rule.matches({**TICKET, "group": "Admin"})
    # AND with the first group fully satisfied it does
    assert rule.matches({**TICKET, "group": "Admin", "severity": 9})


def test_a_filter_may_be_given_as_json_text() -> None:
    rule = parse_filter('{"filterGroup":[{"filters":[{"fieldName":"id","operator":"eq","value":"t-1"}]}]}')
    assert rule.matches(TICKET)


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        (
            one("group", "in", ["a", "b", "c", "d", "e", "f"]),
            "subscription exceeds maximum value limit 5 for operator `in`.",
        ),
        (
            one("group", "notIn", list("abcdef")),
            "subscription exceeds maximum value limit 5 for operator `notIn`.",
        ),
        (
            one("tags", "containsAny", [str(i) for i in range(21)]),
            "subscription exceeds maximum value limit 20 for operator `containsAny`.",
        ),
        (
            {
                "filterGroup": [
                    {"filters": [{"fieldName": f"f{i}", "operator": "eq", "value": i} for i in range(6)]}
                ]
            },
            "Filters exceed maximum attributes limit 5 for subscription.",
        ),
        (
            {"filterGroup": [one("id", "eq", str(i))["filterGroup"][0] for i in range(11)]},
            "Filters exceed maximum filter groups limit 10 for subscription.",
        ),
        (one("id", "like", "x"), "subscription filter has invalid operator `like`"),
        (one("id", "in", "x"), "subscription filter has invalid filter value for operator `in`."),
        (one("id", "in", []), "subscription filter has invalid filter value for operator `in`."),
        (one("n", "between", [1]), "subscription filter has invalid filter value for operator `between`."),
        (
            one("n", "between", [1, "z"]),
            "subscription filter has invalid filter value for operator `between`.",
        ),
        (one("n", "gt", True), "subscription filter has invalid filter value for operator `gt`."),
        (one("n", "eq", {"a": 1}), "subscription filter has invalid filter value for operator `eq`."),
        (
            one("n", "beginsWith", 1),
            "subscription filter has invalid filter value for operator `beginsWith`.",
        ),
        (one("a..b", "eq", 1), "subscription filter field `a..b` is not a valid field path."),
        (one("", "eq", 1), "without a `fieldName` string"),
        ({"filterGroup": []}, "non-empty `filterGroup` list"),
        ({"filterGroup": [{"filters": []}]}, "non-empty `filters` list"),
        ({"filters": []}, "non-empty `filterGroup` list"),
        ("{not json", "subscription filter is not valid JSON."),
    ],
)
def test_bad_filters_are_rejected_with_appsyncs_messages(obj: Any, message: str) -> None:
    # WHEN a filter AppSync would reject is parsed THEN the error says why, as a 400 for the client
    with pytest.raises(FilterError) as caught:
        parse_filter(obj)
    assert message in caught.value.message
    assert caught.value.to_error() == {"message": caught.value.message, "errorCode": 400}


def test_limits_are_inclusive() -> None:
    # GIVEN exactly the maximum of each limit THEN the filter is accepted
    parse_filter(one("group", "in", list("abcde")))
    parse_filter(one("tags", "containsAny", [str(i) for i in range(20)]))
    parse_filter(
        {
            "filterGroup": [
                {"filters": [{"fieldName": f"f{i}", "operator": "eq", "value": i} for i in range(5)]}
            ]
        }
    )
    parse_filter({"filterGroup": [one("id", "eq", str(i))["filterGroup"][0] for i in range(10)]})
    parse_filter(one("a.b.c.d.e", "eq", 1))


def test_a_range_on_one_attribute_counts_once() -> None:
    # GIVEN five attributes, one of them bounded twice THEN the attribute limit still holds
    conditions = [{"fieldName": f"f{i}", "operator": "eq", "value": i} for i in range(4)]
    conditions += [
        {"fieldName": "n", "operator": "ge", "value": 1},
        {"fieldName": "n", "operator": "le", "value": 9},
    ]
    rule = parse_filter({"filterGroup": [{"filters": conditions}]})
    assert rule.matches({"f0": 0, "f1": 1, "f2": 2, "f3": 3, "n": 5})
    assert not rule.matches({"f0": 0, "f1": 1, "f2": 2, "f3": 3, "n": 10})


def test_invalidation_payloads() -> None:
    # GIVEN a mutation's invalidateSubscriptions argument
    invalidation = parse_invalidation(
        {"subscriptionField": "onGroupMessageCreated", "payload": {"userId": "u1"}}
    )
    # THEN it names the field and payload, and an invalidation filter is evaluated against that payload
    assert invalidation.subscription_field == "onGroupMessageCreated"
    assert parse_filter(one("userId", "eq", "u1")).matches(invalidation.payload)
    assert INVALIDATION_MESSAGE == {"message": "Subscription complete."}
    # AND malformed arguments are rejected clearly
    with pytest.raises(FilterError, match="subscriptionField"):
        parse_invalidation({"payload": {}})
    with pytest.raises(FilterError, match="payload"):
        parse_invalidation({"subscriptionField": "onX", "payload": [1]})
    with pytest.raises(FilterError, match="takes an object"):
        parse_invalidation("onX")
