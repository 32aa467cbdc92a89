"""AppSync's `util` as APPSYNC_JS code sees it (built-in-util-js), run in the engine."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest

from appsync_local.js.engine import JsEngine
from appsync_local.realtime.filters import parse_filter

_counter = itertools.count()


@pytest.fixture(scope="module")
def evaluate(tmp_path_factory: pytest.TempPathFactory) -> Any:
    engine = JsEngine()
    folder = tmp_path_factory.mktemp("util")

    def run(expression: str, auth_type: str = "API_KEY") -> Any:
        path = folder / f"Query.e{next(_counter)}.js"
        path.write_text(
            "import { util } from '@aws-appsync/utils';\n"
            f"export function request(ctx) {{ return {{ v: {expression} }}; }}\n"
            "export function response(ctx) { return ctx.result; }\n"
        )
        ctx = {
            "arguments": {},
            "stash": {},
            "identity": None,
            "source": None,
            "prev": {"result": None},
            "result": None,
            "error": None,
            "request": {"headers": {}},
            "info": {},
        }
        outcome = engine.call(
            path, "request", ctx, {"authType": auth_type, "typeName": "Query", "fieldName": "f"}
        )
        assert outcome.status == "ok", outcome
        return outcome.value["v"]

    return run


EXACT = [
    ("util.dynamodb.toDynamoDB('foo')", {"S": "foo"}),
    ("util.dynamodb.toDynamoDB(12345)", {"N": 12345}),
    ("util.dynamodb.toDynamoDB(true)", {"BOOL": True}),
    ("util.dynamodb.toDynamoDB(null)", {"NULL": None}),
    ("util.dynamodb.toDynamoDB(['foo', 1, true])", {"L": [{"S": "foo"}, {"N": 1}, {"BOOL": True}]}),
    (
        "util.dynamodb.toDynamoDB({ a: 'x', b: { c: 1 } })",
        {"M": {"a": {"S": "x"}, "b": {"M": {"c": {"N": 1}}}}},
    ),
    ("util.dynamodb.toMapValues({ id: 'x', n: 2 })", {"id": {"S": "x"}, "n": {"N": 2}}),
    ("util.dynamodb.toString('x')", {"S": "x"}),
    ("util.dynamodb.toNumber(3)", {"N": 3}),
    ("util.dynamodb.toStringSet(['a', 'b'])", {"SS": ["a", "b"]}),
    ("util.dynamodb.toNumberSet([1, 2])", {"NS": [1, 2]}),
    ("util.dynamodb.toBinary('AAE=')", {"B": "AAE="}),
    ("util.dynamodb.toBinarySet(['AAE='])", {"BS": ["AAE="]}),
    ("util.dynamodb.toBoolean(false)", {"BOOL": False}),
    ("util.dynamodb.toNull()", {"NULL": None}),
    ("util.dynamodb.toList(['a'])", {"L": [{"S": "a"}]}),
    ("util.dynamodb.toMap({ a: 1 })", {"M": {"a": {"N": 1}}}),
    (
        "util.dynamodb.toS3Object('k', 'b', 'us-east-1')",
        {"S": json.dumps({"s3": {"key": "k", "bucket": "b", "region": "us-east-1"}}, separators=(",", ":"))},
    ),
    ("util.time.epochMilliSecondsToSeconds(1517943695750)", 1517943695),
    ("util.time.epochMilliSecondsToISO8601(1517943695750)", "2018-02-06T19:01:35.750Z"),
    (
        "util.time.epochMilliSecondsToFormatted(1517943695750, 'yyyy-MM-dd HH:mm:ssZ')",
        "2018-02-06 19:01:35+0000",
    ),
    (
        "util.time.epochMilliSecondsToFormatted(1517943695750, 'yyyy-MM-dd HH:mm:ss', 'Europe/Paris')",
        "2018-02-06 20:01:35",
    ),
    (
        "util.time.parseFormattedToEpochMilliSeconds('2018-02-01 17:21:05.000+0000', 'yyyy-MM-dd HH:mm:ss.SSSZ')",
        1517505665000,
    ),
    (
        "util.time.parseFormattedToEpochMilliSeconds('2018-02-01 18:21:05', 'yyyy-MM-dd HH:mm:ss', 'Europe/Paris')",
        1517505665000,
    ),
    ("util.time.parseISO8601ToEpochMilliSeconds('2018-02-01T17:21:05.180+08:00')", 1517476865180),
    # Java's optional sections ([...]: printed when formatting, may be absent when parsing) and offsets with seconds
    (
        "util.time.epochMilliSecondsToFormatted(1531322055000, 'yyyy-MM-dd[XXX]', '-07:00:30')",
        "2018-07-11-07:00",
    ),
    (
        "util.time.epochMilliSecondsToFormatted(1531322055000, \"yyyy-MM-dd'T'HH:mm:ss[XXXXX]\", '-07:00:30')",
        "2018-07-11T08:13:45-07:00:30",
    ),
    ("util.time.epochMilliSecondsToFormatted(1531322055000, 'HH:mmX', '+05:30')", "20:44+0530"),
    ("util.time.parseFormattedToEpochMilliSeconds('2018-07-11', 'yyyy-MM-dd[XXX]', 'UTC')", 1531267200000),
    (
        "util.time.parseFormattedToEpochMilliSeconds('2018-07-11-07:00', 'yyyy-MM-dd[XXX]', 'UTC')",
        1531292400000,
    ),
    # a fixed offset as the zone, as in AppSync's util.time examples
    (
        "util.time.epochMilliSecondsToFormatted(1517943695758, 'yyyy-MM-dd HH:mm:ssZ', '+08:00')",
        "2018-02-07 03:01:35+0800",
    ),
    (
        "util.time.parseFormattedToEpochMilliSeconds('2018-02-02 01:19:22', 'yyyy-MM-dd HH:mm:ss', '+08:00')",
        1517505562000,
    ),
    # the request's headers to pass on, without the hop-by-hop ones (any case)
    (
        "util.http.copyHeaders({ Host: 'api', 'x-trace': '1', 'Content-Length': '3', TE: 'x' })",
        {"x-trace": "1"},
    ),
    ("util.str.normalize('e\\u0301', 'NFC')", "\u00e9"),
    ("util.str.normalize('e\\u0301', 'nfc')", "\u00e9"),  # the form as AppSync's reference writes it
    ("util.str.normalize('\\u00e9', 'nfd')", "e\u0301"),
    ("util.math.roundNum(1.6)", 2),
    ("util.math.minVal(3, 1)", 1),
    ("util.math.maxVal(3, 1)", 3),
    ("util.base64Encode('hello')", "aGVsbG8="),
    ("util.base64Decode('aGVsbG8=')", "hello"),
    ("util.urlEncode('a b&c=d/é')", "a+b%26c%3Dd%2F%C3%A9"),
    ("util.urlDecode('a+b%26c')", "a b&c"),
    ("util.matches('a-\\\\d+', 'a-12')", True),
    ("util.matches('a-\\\\d+', 'xa-12')", False),
    ('util.escapeJavaScript("it\'s \\"q\\"\\n")', 'it\\\'s \\"q\\"\\n'),
    ("util.isNull(null)", True),
    ("util.isNull('')", False),
    ("util.isNullOrEmpty('')", True),
    ("util.isNullOrBlank('  ')", True),
    ("util.isNullOrBlank(' x ')", False),
    ("util.defaultIfNull(null, 'd')", "d"),
    ("util.defaultIfNullOrEmpty('', 'd')", "d"),
    ("util.defaultIfNullOrBlank(' ', 'd')", "d"),
    (
        "JSON.parse(util.transform.toDynamoDBFilterExpression({ title: { contains: 'Hello World' } }))",
        {
            "expression": "(contains(#title,:title_contains))",
            "expressionNames": {"#title": "title"},
            "expressionValues": {":title_contains": {"S": "Hello World"}},
        },
    ),
    (
        "JSON.parse(util.transform.toDynamoDBConditionExpression({ version: { eq: 2 }, id: { attributeExists: true } }))",
        {
            "expression": "(#version = :version_eq) AND (attribute_exists(#id))",
            "expressionNames": {"#version": "version", "#id": "id"},
            "expressionValues": {":version_eq": {"N": 2}},
        },
    ),
    (
        "util.transform.toSubscriptionFilter({ ownerId: { eq: 'u1' }, priority: { in: [1, 2] } })",
        {
            "filterGroup": [
                {
                    "filters": [
                        {"fieldName": "ownerId", "operator": "eq", "value": "u1"},
                        {"fieldName": "priority", "operator": "in", "value": [1, 2]},
                    ]
                }
            ]
        },
    ),
    (
        "util.transform.toSubscriptionFilter({ or: [{ a: { eq: 1 } }, { b: { ne: 2 } }] })",
        {
            "filterGroup": [
                {"filters": [{"fieldName": "a", "operator": "eq", "value": 1}]},
                {"filters": [{"fieldName": "b", "operator": "ne", "value": 2}]},
            ]
        },
    ),
    # A field beside `or` holds in every group: the owner's filter is not dropped by the alternatives
    (
        "util.transform.toSubscriptionFilter({ ownerId: { eq: 'u1' }, or: [{ priority: { eq: 'high' } }, { severity: { ge: 10 } }] })",
        {
            "filterGroup": [
                {
                    "filters": [
                        {"fieldName": "ownerId", "operator": "eq", "value": "u1"},
                        {"fieldName": "priority", "operator": "eq", "value": "high"},
                    ]
                },
                {
                    "filters": [
                        {"fieldName": "ownerId", "operator": "eq", "value": "u1"},
                        {"fieldName": "severity", "operator": "ge", "value": 10},
                    ]
                },
            ]
        },
    ),
    # `or` nested in `and`, and two conditions on one field, which are alternatives
    (
        "util.transform.toSubscriptionFilter({ and: [{ a: { eq: 1 } }, { or: [{ b: { eq: 2 } }, { c: { eq: 3 } }] }] })",
        {
            "filterGroup": [
                {
                    "filters": [
                        {"fieldName": "a", "operator": "eq", "value": 1},
                        {"fieldName": "b", "operator": "eq", "value": 2},
                    ]
                },
                {
                    "filters": [
                        {"fieldName": "a", "operator": "eq", "value": 1},
                        {"fieldName": "c", "operator": "eq", "value": 3},
                    ]
                },
            ]
        },
    ),
    (
        "util.transform.toSubscriptionFilter({ p: { le: 50, ge: 20 }, title: { beginsWith: 'A' } })",
        {
            "filterGroup": [
                {
                    "filters": [
                        {"fieldName": "p", "operator": "le", "value": 50},
                        {"fieldName": "title", "operator": "beginsWith", "value": "A"},
                    ]
                },
                {
                    "filters": [
                        {"fieldName": "p", "operator": "ge", "value": 20},
                        {"fieldName": "title", "operator": "beginsWith", "value": "A"},
                    ]
                },
            ]
        },
    ),
    # ignoredFields leave a field out; rules are strict conditions, one of which every group meets
    (
        "util.transform.toSubscriptionFilter({ a: { eq: 1 }, secret: { eq: 'x' } }, ['secret'], { status: { eq: 'open' } })",
        {
            "filterGroup": [
                {
                    "filters": [
                        {"fieldName": "a", "operator": "eq", "value": 1},
                        {"fieldName": "status", "operator": "eq", "value": "open"},
                    ]
                }
            ]
        },
    ),
]


@pytest.mark.parametrize(("expression", "expected"), EXACT, ids=[e for e, _ in EXACT])
def test_util_function_returns_what_appsync_returns(evaluate: Any, expression: str, expected: Any) -> None:
    # GIVEN / WHEN a resolver evaluates the util call / THEN the value is AppSync's
    assert evaluate(expression) == expected


@pytest.mark.parametrize(("first", "second"), [("name-en", "name_en"), ("\u540d\u524d", "\u4f4f\u6240")])
def test_attribute_names_that_make_the_same_placeholder_stem_each_keep_their_own(
    evaluate: Any, first: str, second: str
) -> None:
    # GIVEN a filter on two attributes whose names differ only in characters a placeholder cannot hold
    built = evaluate(
        f"JSON.parse(util.transform.toDynamoDBFilterExpression({{ '{first}': {{ eq: 'x' }}, '{second}': {{ eq: 'y' }} }}))"
    )
    # THEN each attribute is tested under a placeholder of its own (neither replaces the other)
    names = built["expressionNames"]
    assert sorted(names.values()) == sorted([first, second])
    assert all(placeholder in built["expression"] for placeholder in names)


def test_a_subscription_filter_of_more_groups_than_appsync_takes_is_refused_before_it_is_built(
    tmp_path: Path,
) -> None:
    # GIVEN a subscription resolver whose filter's alternatives multiply to 4**12 groups (AppSync takes 10)
    fields = ", ".join(f"f{n}: {{ eq: 1, ne: 2, gt: 3, lt: 4 }}" for n in range(12))
    path = tmp_path / "Subscription.s.js"
    path.write_text(
        "import { util } from '@aws-appsync/utils';\n"
        f"export function request(ctx) {{ return util.transform.toSubscriptionFilter({{ {fields} }}); }}\n"
        "export function response(ctx) { return null; }\n"
    )
    # WHEN it runs
    outcome = JsEngine().call(path, "request", {"arguments": {}, "stash": {}}, {"authType": "API_KEY"})
    # THEN it is refused at once with the limit's message, as the filter would be, rather than built
    assert (outcome.status, outcome.error_type) == ("error", "BadRequestException")
    assert outcome.message == "Filters exceed maximum filter groups limit 10 for subscription."


def test_a_subscription_filter_with_alternatives_still_holds_the_callers_own_condition(evaluate: Any) -> None:
    # GIVEN a subscription resolver's filter: the caller's own items, and of those the urgent or severe ones
    filter_object = evaluate(
        "util.transform.toSubscriptionFilter("
        "{ ownerId: { eq: 'u1' }, or: [{ priority: { eq: 'high' } }, { severity: { ge: 10 } }] })"
    )
    subscription = parse_filter(filter_object)

    # WHEN events are published / THEN u1 gets their own urgent and severe items, and nothing of u2's
    assert subscription.matches({"ownerId": "u1", "priority": "high", "severity": 1})
    assert subscription.matches({"ownerId": "u1", "priority": "low", "severity": 12})
    assert not subscription.matches({"ownerId": "u1", "priority": "low", "severity": 1})
    assert not subscription.matches({"ownerId": "u2", "priority": "high", "severity": 12})


SHAPED = [
    ("util.autoId()", r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"),
    ("util.autoUlid()", r"[0-9A-HJKMNP-TV-Z]{26}"),
    ("util.autoKsuid()", r"[0-9A-Za-z]{27}"),
    ("util.time.nowISO8601()", r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"),
    ("String(util.time.nowEpochSeconds())", r"\d{10}"),
    ("String(util.time.nowEpochMilliSeconds())", r"\d{13}"),
    (
        "util.time.nowFormatted('yyyy-MM-dd HH:mm:ssZ', 'America/New_York')",
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d-0[45]00",
    ),
    ("String(util.math.randomDouble())", r"0(\.\d+)?"),
    ("String(util.math.randomWithinRange(5, 6))", r"[56]"),
]


@pytest.mark.parametrize(("expression", "pattern"), SHAPED, ids=[e for e, _ in SHAPED])
def test_util_generated_values_have_appsyncs_shape(evaluate: Any, expression: str, pattern: str) -> None:
    # GIVEN / WHEN a resolver asks for a generated value / THEN it has the documented shape
    assert re.fullmatch(pattern, evaluate(expression))


@pytest.mark.parametrize(
    ("auth_type", "expected"),
    [
        ("API_KEY", "API Key Authorization"),
        ("AWS_IAM", "IAM Authorization"),
        ("AMAZON_COGNITO_USER_POOLS", "User Pool Authorization"),
        ("OPENID_CONNECT", "Open ID Connect Authorization"),
        ("AWS_LAMBDA", "Lambda Authorization"),
    ],
)
def test_auth_type_names_the_requests_auth_mode(evaluate: Any, auth_type: str, expected: str) -> None:
    # GIVEN a request under one auth mode / WHEN the resolver asks util.authType() / THEN AppSync's name comes back
    assert evaluate("util.authType()", auth_type) == expected


def test_a_bad_time_pattern_fails_the_resolver_with_a_clear_message(tmp_path: Path) -> None:
    # GIVEN a resolver formatting time with an unknown time zone
    engine = JsEngine()
    path = tmp_path / "Query.t.js"
    path.write_text(
        "export function request(ctx) { return util.time.nowFormatted('yyyy', 'Mars/Base'); }\n"
        "export function response(ctx) { return 1; }\n"
    )

    # WHEN it runs
    outcome = engine.call(path, "request", {"arguments": {}, "stash": {}}, {"authType": "API_KEY"})

    # THEN it fails as code, saying what was wrong and where
    assert outcome.status == "code"
    assert "Mars/Base" in outcome.message
    assert outcome.line == 1
