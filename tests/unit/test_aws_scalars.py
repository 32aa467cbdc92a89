"""The AWS scalars accept and reject what AppSync's scalar reference describes, as GraphQL errors."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionResult

from schema.aws_scalars import (
    AWS_SCALAR_MAP,
    AWSURL,
    AWSDate,
    AWSDateTime,
    AWSEmail,
    AWSIPAddress,
    AWSPhone,
    AWSTime,
    AWSTimestamp,
)
from schema.aws_scalars import AWSJSON as AWSJSONValue

_NO_OUTPUT = object()


def _echo(info: strawberry.Info, value: Any) -> Any:
    # A test can make a field return a chosen value, to check output validation.
    out = info.context.get("out", _NO_OUTPUT)
    return value if out is _NO_OUTPUT else out


@strawberry.type
class Query:
    @strawberry.field
    def aws_date(self, info: strawberry.Info, value: AWSDate | None = strawberry.UNSET) -> AWSDate | None:
        return _echo(info, value)

    @strawberry.field
    def aws_time(self, info: strawberry.Info, value: AWSTime | None = strawberry.UNSET) -> AWSTime | None:
        return _echo(info, value)

    @strawberry.field
    def aws_date_time(
        self, info: strawberry.Info, value: AWSDateTime | None = strawberry.UNSET
    ) -> AWSDateTime | None:
        return _echo(info, value)

    @strawberry.field
    def aws_timestamp(
        self, info: strawberry.Info, value: AWSTimestamp | None = strawberry.UNSET
    ) -> AWSTimestamp | None:
        return _echo(info, value)

    @strawberry.field
    def aws_email(self, info: strawberry.Info, value: AWSEmail | None = strawberry.UNSET) -> AWSEmail | None:
        return _echo(info, value)

    @strawberry.field
    def aws_json(
        self, info: strawberry.Info, value: AWSJSONValue | None = strawberry.UNSET
    ) -> AWSJSONValue | None:
        return _echo(info, value)

    @strawberry.field
    def aws_json_received(self, value: AWSJSONValue) -> str:
        """What the resolver received: the Python type of the parsed value."""
        return type(value).__name__

    @strawberry.field
    def aws_url(self, info: strawberry.Info, value: AWSURL | None = strawberry.UNSET) -> AWSURL | None:
        return _echo(info, value)

    @strawberry.field
    def aws_phone(self, info: strawberry.Info, value: AWSPhone | None = strawberry.UNSET) -> AWSPhone | None:
        return _echo(info, value)

    @strawberry.field
    def aws_ip_address(
        self, info: strawberry.Info, value: AWSIPAddress | None = strawberry.UNSET
    ) -> AWSIPAddress | None:
        return _echo(info, value)


SCHEMA = strawberry.Schema(query=Query, config=StrawberryConfig(scalar_map=AWS_SCALAR_MAP))


@dataclass(frozen=True)
class Scalar:
    name: str
    field: str
    valid: tuple[Any, ...]
    invalid: tuple[Any, ...]


SCALARS = (
    Scalar(
        "AWSDate",
        "awsDate",
        valid=(
            "1970-01-01",
            "1970-01-01Z",
            "1970-01-01-07:00",
            "1970-01-01+05:30",
            "2024-02-29",
            "2024-02-29+05:30:15",
        ),
        invalid=(
            "1970-1-01",
            "19700101",
            "2023-02-29",
            "2020-13-01",
            "1970-01-01T00:00Z",
            "",
            "1970-01-01+5:30",
            "1970-01-01+0530",
            " 1970-01-01",
            "١٩٧٠-01-01",  # non-ASCII digits
        ),
    ),
    Scalar(
        "AWSTime",
        "awsTime",
        valid=("12:30", "12:30Z", "12:30:24-07:00", "12:30:24.500+05:30", "23:59:59.123456789", "00:00:00Z"),
        invalid=(
            "24:00",
            "12:60",
            "12:30:24.",
            "12:30:24.1234567890",
            "12:30.5",
            "1230",
            "12:30:24+0530",
            "noon",
        ),
    ),
    Scalar(
        "AWSDateTime",
        "awsDateTime",
        valid=(
            "1970-01-01T12:00:00.000Z",
            "1970-01-01T12:00Z",
            "2024-06-01T08:30:00+02:00",
            "2024-06-01T08:30:00.123456789-07:00:30",
        ),
        invalid=(
            "1970-01-01T12:00:00",  # the offset is compulsory for AWSDateTime
            "1970-01-01 12:00:00Z",
            "1970-01-01t12:00Z",
            "1970-01-01",
            "2024-06-31T00:00Z",
            "1970-01-01T12:00:00.000+25:00",
        ),
    ),
    Scalar(
        "AWSTimestamp",
        "awsTimestamp",
        valid=(0, -1, 1_700_000_000, 4_102_444_800, -2_208_988_800),  # beyond a 32-bit Int both ways
        invalid=("1700000000", 1.5, True),
    ),
    Scalar(
        "AWSEmail",
        "awsEmail",
        valid=("username@example.com", "first.last+tag@mail.example.co.uk", "o'brien@example.ie"),
        invalid=(
            "username",
            "user@",
            "@example.com",
            "user@@example.com",
            "user name@example.com",
            "user@-example.com",
            ".user@example.com",
        ),
    ),
    Scalar(
        "AWSURL",
        "awsUrl",
        valid=(
            "https://www.amazon.com/dp/B000NZW3KC/",
            "mailto:example@example.com",
            "http://localhost/",
            "http://127.0.0.1:4000/graphql?x=1#top",
            "ftp://example.com/file.txt",
        ),
        invalid=(
            "www.amazon.com",
            "/relative/path",
            "https://example.com//double",
            "https://",
            "http://exa mple.com",
            "",
        ),
    ),
    Scalar(
        "AWSPhone",
        "awsPhone",
        valid=(
            "+1 206-555-0100",
            "206-555-0100",
            "(206) 555-0100",
            "2065550100",
            "1 206 555 0100",
            "+44 20 7946 0958",
            "+81-3-1234-5678",
            "+4930123456",
        ),
        invalid=(
            "555-0100",  # too short for a North American number
            "123-456-7890",  # a North American area code never starts with 1
            "+0 123 456 789",
            "phone",
            "+1 206 555 0100 ext 5",
            "+1234567890123456",  # more than E.164's 15 digits
            "206--555-0100",
        ),
    ),
    Scalar(
        "AWSIPAddress",
        "awsIpAddress",
        valid=(
            "192.0.2.1",
            "192.0.2.0/24",
            "0.0.0.0/0",
            "2001:db8::1",
            "2001:db8::/32",
            "::1",
            "::ffff:192.0.2.1",
        ),
        invalid=(
            "256.0.0.1",
            "192.0.2",
            "192.0.2.1/33",
            "2001:db8::1/129",
            "[2001:db8::1]",
            "192.0.2.1/",
            "192.0.2.1/abc",
            "localhost",
            "01.2.3.4",
        ),
    ),
)

VALID = [pytest.param(s, v, id=f"{s.name}-{v!r}") for s in SCALARS for v in s.valid]
INVALID = [pytest.param(s, v, id=f"{s.name}-{v!r}") for s in SCALARS for v in s.invalid]


def _literal(value: Any) -> str:
    # JSON's string, number and boolean syntax is also GraphQL's for these values.
    return json.dumps(value)


def _run(query: str, variables: dict[str, Any] | None = None, out: Any = _NO_OUTPUT) -> ExecutionResult:
    context: dict[str, Any] = {} if out is _NO_OUTPUT else {"out": out}
    return SCHEMA.execute_sync(query, variable_values=variables, context_value=context)


def _only_error(result: ExecutionResult) -> str:
    assert result.errors is not None and len(result.errors) == 1, result
    return result.errors[0].message


@pytest.mark.parametrize(("scalar", "value"), VALID)
def test_valid_value_passes_as_variable(scalar: Scalar, value: Any) -> None:
    # GIVEN a query passing a valid value in a variable
    query = f"query($value: {scalar.name}) {{ {scalar.field}(value: $value) }}"

    # WHEN it runs
    result = _run(query, {"value": value})

    # THEN the field echoes the value unchanged
    assert result.errors is None
    assert result.data == {scalar.field: value}


@pytest.mark.parametrize(("scalar", "value"), VALID)
def test_valid_value_passes_as_literal(scalar: Scalar, value: Any) -> None:
    # GIVEN a query with the valid value written inline
    query = f"{{ {scalar.field}(value: {_literal(value)}) }}"

    # WHEN it runs
    result = _run(query)

    # THEN the field echoes the value unchanged
    assert result.errors is None
    assert result.data == {scalar.field: value}


@pytest.mark.parametrize(("scalar", "value"), INVALID)
def test_invalid_value_in_variable_is_a_variable_error(scalar: Scalar, value: Any) -> None:
    # GIVEN a query passing an invalid value in a variable
    query = f"query($value: {scalar.name}) {{ {scalar.field}(value: $value) }}"

    # WHEN it runs
    result = _run(query, {"value": value})

    # THEN nothing executes and one error names the variable and says what the scalar expects
    assert result.data is None
    message = _only_error(result)
    assert "$value" in message
    assert f"{scalar.name} must be" in message


@pytest.mark.parametrize(("scalar", "value"), INVALID)
def test_invalid_literal_is_a_validation_error(scalar: Scalar, value: Any) -> None:
    # GIVEN a query with the invalid value written inline
    query = f"{{ {scalar.field}(value: {_literal(value)}) }}"

    # WHEN it runs
    result = _run(query)

    # THEN validation rejects it with an error that says what the scalar expects
    assert result.data is None
    message = _only_error(result)
    assert message.startswith(f"{scalar.name} must be")
    assert result.errors is not None and result.errors[0].locations


@pytest.mark.parametrize(("scalar", "value"), VALID)
def test_valid_output_is_returned(scalar: Scalar, value: Any) -> None:
    # GIVEN a resolver that returns a valid value
    # WHEN the field is queried
    result = _run(f"{{ {scalar.field} }}", out=value)

    # THEN the value is returned as it is
    assert result.errors is None
    assert result.data == {scalar.field: value}


@pytest.mark.parametrize(("scalar", "value"), INVALID)
def test_invalid_output_is_a_field_error(scalar: Scalar, value: Any) -> None:
    # GIVEN a resolver that returns an invalid value
    # WHEN the field is queried
    result = _run(f"{{ {scalar.field} }}", out=value)

    # THEN the field is null and its error says what the scalar expects
    assert result.data == {scalar.field: None}
    assert f"{scalar.name} must be" in _only_error(result)
    assert result.errors is not None and result.errors[0].path == [scalar.field]


# --- AWSJSON: a JSON string on the wire, a parsed value in the resolver ---------------------------------

JSON_INPUTS = [
    pytest.param('{"upvotes": 10}', "dict", id="map"),
    pytest.param("[1, 2, 3]", "list", id="list"),
    pytest.param('"AWSJSON example string"', "str", id="string"),
    pytest.param("1", "int", id="number"),
    pytest.param("true", "bool", id="boolean"),
]


@pytest.mark.parametrize(("text", "received"), JSON_INPUTS)
def test_json_input_reaches_the_resolver_parsed(text: str, received: str) -> None:
    # GIVEN a JSON string passed in a variable and inline
    # WHEN the resolver receives it
    by_variable = _run("query($v: AWSJSON!) { awsJsonReceived(value: $v) }", {"v": text})
    by_literal = _run(f"{{ awsJsonReceived(value: {_literal(text)}) }}")

    # THEN it saw the parsed value, not the string
    assert by_variable.errors is None and by_literal.errors is None
    assert by_variable.data == by_literal.data == {"awsJsonReceived": received}


def test_json_round_trip_writes_compact_json() -> None:
    # GIVEN a map passed as AWSJSON and echoed by the resolver
    # WHEN the query runs
    result = _run('{ awsJson(value: "{\\"upvotes\\": 10, \\"tags\\": [1, 2]}") }')

    # THEN the client gets the same value back as a JSON string
    assert result.errors is None
    assert result.data == {"awsJson": '{"upvotes":10,"tags":[1,2]}'}


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("{a: 1}", id="unquoted-key"),
        pytest.param("{'a': 1}", id="single-quotes"),
        pytest.param("Unquoted string", id="bare-word"),
        pytest.param("NaN", id="nan"),
        pytest.param({"a": 1}, id="object-not-string"),
    ],
)
def test_invalid_json_input_is_a_variable_error(value: Any) -> None:
    # GIVEN an AWSJSON variable that is not a string of valid JSON
    # WHEN the query runs
    result = _run("query($v: AWSJSON!) { awsJsonReceived(value: $v) }", {"v": value})

    # THEN the variable is rejected with a message about AWSJSON
    assert result.data is None
    message = _only_error(result)
    assert "$v" in message and "AWSJSON input must be" in message


def test_json_object_literal_is_rejected() -> None:
    # GIVEN an AWSJSON argument written as a GraphQL object rather than a string
    # WHEN the query runs
    result = _run("{ awsJsonReceived(value: {a: 1}) }")

    # THEN validation says it must be a string literal
    assert result.data is None
    assert "AWSJSON must be written as a string literal" in _only_error(result)


@pytest.mark.parametrize(
    ("out", "returned"),
    [
        pytest.param({"title": "Ünïcode", "tags": ["a"]}, '{"title":"Ünïcode","tags":["a"]}', id="map"),
        pytest.param({"n": Decimal(3), "x": Decimal("2.5")}, '{"n":3,"x":2.5}', id="dynamodb-decimals"),
        pytest.param('{"already": "json"}', '{"already": "json"}', id="json-string-kept"),
        pytest.param(None, None, id="null"),
    ],
)
def test_json_output_is_a_json_string(out: Any, returned: str | None) -> None:
    # GIVEN a resolver returning a value for an AWSJSON field
    # WHEN the field is queried
    result = _run("{ awsJson }", out=out)

    # THEN the client gets it written as a JSON string
    assert result.errors is None
    assert result.data == {"awsJson": returned}


@pytest.mark.parametrize(
    "out", [pytest.param("not json", id="bad-string"), pytest.param(object(), id="object")]
)
def test_unserializable_json_output_is_a_field_error(out: Any) -> None:
    # GIVEN a resolver returning something that is not JSON
    # WHEN the field is queried
    result = _run("{ awsJson }", out=out)

    # THEN the field is null with an AWSJSON error
    assert result.data == {"awsJson": None}
    assert "AWSJSON" in _only_error(result)


def test_timestamp_literal_must_be_an_integer() -> None:
    # GIVEN an AWSTimestamp written as a string literal
    # WHEN the query runs
    result = _run('{ awsTimestamp(value: "0") }')

    # THEN validation says it must be an integer
    assert result.data is None
    assert "AWSTimestamp must be an integer" in _only_error(result)
