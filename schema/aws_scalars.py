"""AppSync's built-in AWS scalars, validating as the AppSync developer guide ("Scalar types in GraphQL") says.

Each scalar is a `typing.NewType` to annotate fields with, plus a strawberry `ScalarDefinition`;
`AWS_SCALAR_MAP` hands all of them to `StrawberryConfig(scalar_map=…)`. Input (variables and literals) and
output are validated alike; a bad value raises `TypeError`/`ValueError` with a message that says what was
expected, which graphql-core reports as a GraphQL error (a validation, variable or field error).

Outputs must already be in their wire form (strings, or an int for AWSTimestamp): a Lambda resolver on AWS
returns JSON, so accepting a Python `datetime` here would let code work locally that fails on AWS.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import math
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, NewType
from urllib.parse import urlsplit

import strawberry
from graphql import GraphQLError, IntValueNode, StringValueNode, ValueNode, print_ast
from strawberry.types.scalar import ScalarDefinition

AWSDate = NewType("AWSDate", str)
AWSTime = NewType("AWSTime", str)
AWSDateTime = NewType("AWSDateTime", str)
AWSTimestamp = NewType("AWSTimestamp", int)
AWSEmail = NewType("AWSEmail", str)
AWSJSON = NewType("AWSJSON", object)
AWSURL = NewType("AWSURL", str)
AWSPhone = NewType("AWSPhone", str)
AWSIPAddress = NewType("AWSIPAddress", str)

# Error messages quote the value they refuse, cut short: a 1 MB input must not come back as a 1 MB error.
_ECHO_LIMIT = 64


def _shown(value: object) -> str:
    if isinstance(value, str) and len(value) > _ECHO_LIMIT:
        return f"{value[:_ECHO_LIMIT]!r}… ({len(value)} characters)"
    text = repr(value)
    return text if len(text) <= _ECHO_LIMIT else f"{text[:_ECHO_LIMIT]}… ({len(text)} characters)"


# --- date and time ---------------------------------------------------------------------------------------

_OFFSET = r"(?:Z|[+-](?P<oh>\d{2}):(?P<om>\d{2})(?::(?P<os>\d{2}))?)"
# Seconds are optional; the fraction after them ("nanoseconds" in AppSync's words) has 1 to 9 digits.
_TIME = r"(?P<h>\d{2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d{1,9})?)?"
_DATE = r"(?P<Y>\d{4})-(?P<M>\d{2})-(?P<D>\d{2})"

# re.ASCII: `\d` would otherwise match any Unicode digit, which AppSync does not accept.
_DATE_RE = re.compile(rf"{_DATE}{_OFFSET}?", re.ASCII)
_TIME_RE = re.compile(rf"{_TIME}{_OFFSET}?", re.ASCII)
# AppSync makes the offset compulsory for AWSDateTime (and only for it).
_DATETIME_RE = re.compile(rf"{_DATE}T{_TIME}{_OFFSET}", re.ASCII)

_OFFSET_HELP = "an optional time zone offset (Z or ±hh:mm[:ss])"


def _fields_in_range(match: re.Match[str]) -> bool:
    groups = match.groupdict()
    if groups.get("Y") is not None:
        try:
            date(int(groups["Y"]), int(groups["M"]), int(groups["D"]))
        except ValueError:
            return False
    limits = {"h": 23, "m": 59, "s": 59, "oh": 23, "om": 59, "os": 59}
    return all(groups.get(name) is None or int(groups[name]) <= top for name, top in limits.items())


# Every item of a list read again carries the same dates: each scalar remembers this many it has checked.
_CHECKED_DATES = 4096


def _matcher(pattern: re.Pattern[str], expected: str) -> Callable[[object], str]:
    @functools.lru_cache(maxsize=_CHECKED_DATES)
    def well_formed(value: str) -> bool:
        match = pattern.fullmatch(value)
        return match is not None and _fields_in_range(match)

    def validate(value: object) -> str:
        if not isinstance(value, str):
            raise TypeError(f"{expected}; got a {type(value).__name__}, not a string.")
        # No valid value is longer than 38 characters: longer strings are refused without being remembered.
        if len(value) > _ECHO_LIMIT or not well_formed(value):
            raise ValueError(f"{expected}; got {_shown(value)}.")
        return value

    return validate


validate_aws_date = _matcher(
    _DATE_RE, f"AWSDate must be an ISO 8601 date YYYY-MM-DD with {_OFFSET_HELP}, e.g. '1970-01-01'"
)
validate_aws_time = _matcher(
    _TIME_RE, f"AWSTime must be an ISO 8601 time hh:mm[:ss[.sss]] with {_OFFSET_HELP}, e.g. '12:30:24Z'"
)
validate_aws_datetime = _matcher(
    _DATETIME_RE,
    "AWSDateTime must be an ISO 8601 date-time YYYY-MM-DDThh:mm[:ss[.sss]] followed by a time zone offset "
    "(Z or ±hh:mm[:ss], required), e.g. '1970-01-01T12:00:00.000Z'",
)

# --- numbers ---------------------------------------------------------------------------------------------

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def validate_aws_timestamp(value: object) -> int:
    """Epoch seconds; negative values are before 1970. Wider than GraphQL's 32-bit Int, as dates need."""
    expected = "AWSTimestamp must be an integer number of seconds since 1970-01-01T00:00Z"
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"{expected}; got {_shown(value)}.")
    if isinstance(value, float | Decimal) and not (math.isfinite(value) and value == int(value)):
        raise ValueError(f"{expected}; got {_shown(value)}.")
    number = int(value)
    if not _INT64_MIN <= number <= _INT64_MAX:
        raise ValueError(f"{expected}; {number} is out of range.")
    return number


# --- strings with a shape --------------------------------------------------------------------------------

_EMAIL_RE = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
)


def validate_aws_email(value: object) -> str:
    """An RFC 822 address `local-part@domain-part`."""
    if not isinstance(value, str) or len(value) > 254 or _EMAIL_RE.fullmatch(value) is None:
        raise ValueError(f"AWSEmail must be an email address local-part@domain-part; got {_shown(value)}.")
    return value


_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
# AppSync's AWSURL is "a URL as defined by RFC 1738" with a scheme "(http, mailto)" (devguide: scalars.html);
# RFC 1738 names no `javascript:` or `data:` scheme. AppSync's service runs on the JVM, whose java.net.URL knows
# http, https, ftp, file, jar and mailto; of those a client API has use for the web, FTP and mail schemes.
AWSURL_SCHEMES = frozenset({"http", "https", "ftp", "mailto"})


def validate_aws_url(value: object) -> str:
    """An RFC 1738 URL: an http(s), ftp or mailto scheme is required and the path may not contain `//`."""
    expected = (
        "AWSURL must be a URL with an http, https, ftp or mailto scheme, e.g. 'https://example.com/a' or "
        "'mailto:a@example.com'"
    )
    if not isinstance(value, str) or not value or any(c.isspace() or ord(c) < 32 for c in value):
        raise ValueError(f"{expected}; got {_shown(value)}.")
    try:
        parts = urlsplit(value)
    except ValueError as error:  # e.g. an unbalanced IPv6 bracket
        raise ValueError(f"{expected}; got {_shown(value)} ({error}).") from None
    if not parts.scheme or _SCHEME_RE.fullmatch(parts.scheme) is None:
        raise ValueError(f"{expected}; got {_shown(value)} (no scheme).")
    if parts.scheme.lower() not in AWSURL_SCHEMES:
        raise ValueError(
            f"{expected}; got {_shown(value)} (the scheme must be one of {', '.join(sorted(AWSURL_SCHEMES))})."
        )
    rest = value[len(parts.scheme) + 1 :]
    if not rest:
        raise ValueError(f"{expected}; got {_shown(value)} (nothing after the scheme).")
    if rest.startswith("//") and not parts.netloc:
        raise ValueError(f"{expected}; got {_shown(value)} (no host).")
    if "//" in parts.path:
        raise ValueError(f"{expected}; got {_shown(value)} (the path contains '//').")
    return value


# Digit groups separated by one space, hyphen or dot, at most one of them parenthesized: "(206) 555-0100".
_PHONE_RE = re.compile(r"\+?(?:\(\d+\)|\d+)(?:[ .-]?(?:\(\d+\)|\d+))*", re.ASCII)
_NANP_RE = re.compile(r"1?[2-9][0-9]{2}[2-9][0-9]{6}")


def validate_aws_phone(value: object) -> str:
    """A phone number: international with a leading `+` and country code, or North American (NANP) without."""
    expected = (
        "AWSPhone must be a phone number, international with '+' and a country code "
        "(e.g. '+44 20 7946 0958') or North American without one (e.g. '206-555-0100')"
    )
    if not isinstance(value, str) or _PHONE_RE.fullmatch(value) is None or value.count("(") > 1:
        raise ValueError(f"{expected}; got {_shown(value)}.")
    digits = re.sub(r"[^0-9]", "", value)
    if value.startswith("+"):
        # E.164: a country code (never starting with 0) and at most 15 digits in all.
        valid = 7 <= len(digits) <= 15 and digits[0] != "0"
    else:
        valid = _NANP_RE.fullmatch(digits) is not None
    if not valid:
        raise ValueError(f"{expected}; got {_shown(value)}.")
    return value


def validate_aws_ip_address(value: object) -> str:
    """An IPv4 (dotted quad) or IPv6 (no brackets) address with an optional `/prefix` CIDR suffix."""
    expected = "AWSIPAddress must be an IPv4 or IPv6 address with an optional /prefix, e.g. '192.0.2.1/24'"
    if not isinstance(value, str) or "%" in value:
        raise ValueError(f"{expected}; got {_shown(value)}.")
    address, slash, prefix = value.partition("/")
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        raise ValueError(f"{expected}; got {_shown(value)}.") from None
    if slash and not (prefix.isascii() and prefix.isdigit() and int(prefix) <= parsed.max_prefixlen):
        raise ValueError(f"{expected}; got {_shown(value)} (bad prefix length).")
    return value


# --- JSON ------------------------------------------------------------------------------------------------


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")  # RFC 8259 has no NaN or Infinity


def parse_aws_json(value: object) -> Any:
    """Input: a string holding RFC 8259 JSON; the resolver receives the parsed value."""
    if not isinstance(value, str):
        raise TypeError(
            "AWSJSON input must be a string containing JSON, e.g. '{\"a\": 1}'; "
            f"got a {type(value).__name__}."
        )
    try:
        return json.loads(value, parse_constant=_reject_constant)
    except ValueError as error:
        raise ValueError(f"AWSJSON input must be valid JSON; got {_shown(value)} ({error}).") from None


def _json_default(value: object) -> object:
    # boto3 returns DynamoDB numbers as Decimal; AppSync writes them as plain JSON numbers.
    if isinstance(value, Decimal) and value.is_finite():
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    raise TypeError(f"a {type(value).__name__} cannot be written as JSON")


def serialize_aws_json(value: object) -> str:
    """Output: a JSON string. A string is taken as JSON already written and must parse."""
    if isinstance(value, str):
        parse_aws_json(value)
        return value
    try:
        return json.dumps(
            value, default=_json_default, ensure_ascii=False, allow_nan=False, separators=(",", ":")
        )
    except (TypeError, ValueError) as error:
        raise ValueError(f"AWSJSON output must be JSON-serializable ({error}).") from None


# --- wiring into GraphQL ---------------------------------------------------------------------------------
# The validators raise TypeError or ValueError. Input errors are re-raised as GraphQLError so graphql-core
# reports our message as it is, not wrapped in "Expected value of type …, but encountered error …".


def _input_parser(parse: Callable[[object], Any]) -> Callable[[object], Any]:
    def parse_value(value: object) -> Any:
        try:
            return parse(value)
        except (TypeError, ValueError) as error:
            raise GraphQLError(str(error)) from None

    return parse_value


def _string_literal(name: str, parse: Callable[[object], Any]) -> Callable[..., Any]:
    def parse_literal(node: ValueNode, _variables: dict[str, Any] | None = None) -> Any:
        try:
            if not isinstance(node, StringValueNode):
                raise TypeError(f"{name} must be written as a string literal; got {print_ast(node)}.")
            return parse(node.value)
        except (TypeError, ValueError) as error:
            raise GraphQLError(str(error), node) from None

    return parse_literal


def _timestamp_literal(node: ValueNode, _variables: dict[str, Any] | None = None) -> int:
    try:
        if not isinstance(node, IntValueNode):
            raise TypeError(f"AWSTimestamp must be an integer literal; got {print_ast(node)}.")
        return validate_aws_timestamp(int(node.value))
    except (TypeError, ValueError) as error:
        raise GraphQLError(str(error), node) from None


def _string_scalar(name: str, description: str, validate: Callable[[object], str]) -> ScalarDefinition:
    return strawberry.scalar(
        name=name,
        description=description,
        serialize=validate,
        parse_value=_input_parser(validate),
        parse_literal=_string_literal(name, validate),
    )


AWS_SCALAR_MAP: dict[object, ScalarDefinition] = {
    AWSDate: _string_scalar(
        "AWSDate",
        "An extended ISO 8601 date YYYY-MM-DD, with an optional time zone offset.",
        validate_aws_date,
    ),
    AWSTime: _string_scalar(
        "AWSTime",
        "An extended ISO 8601 time hh:mm:ss.sss, with an optional time zone offset.",
        validate_aws_time,
    ),
    AWSDateTime: _string_scalar(
        "AWSDateTime",
        "An extended ISO 8601 date and time YYYY-MM-DDThh:mm:ss.sssZ; the time zone offset is required.",
        validate_aws_datetime,
    ),
    AWSTimestamp: strawberry.scalar(
        name="AWSTimestamp",
        description="Seconds before or after 1970-01-01T00:00Z.",
        serialize=validate_aws_timestamp,
        parse_value=_input_parser(validate_aws_timestamp),
        parse_literal=_timestamp_literal,
    ),
    AWSEmail: _string_scalar(
        "AWSEmail", "An RFC 822 email address local-part@domain-part.", validate_aws_email
    ),
    AWSJSON: strawberry.scalar(
        name="AWSJSON",
        description="A JSON string; resolvers receive it parsed.",
        serialize=serialize_aws_json,
        parse_value=_input_parser(parse_aws_json),
        parse_literal=_string_literal("AWSJSON", parse_aws_json),
    ),
    AWSURL: _string_scalar("AWSURL", "An RFC 1738 URL with a scheme.", validate_aws_url),
    AWSPhone: _string_scalar(
        "AWSPhone", "A phone number; without a country code it is North American.", validate_aws_phone
    ),
    AWSIPAddress: _string_scalar(
        "AWSIPAddress", "An IPv4 or IPv6 address with an optional /prefix.", validate_aws_ip_address
    ),
}

AWS_SCALAR_NAMES: frozenset[str] = frozenset(definition.name for definition in AWS_SCALAR_MAP.values())

__all__ = [
    "AWSJSON",
    "AWSURL",
    "AWS_SCALAR_MAP",
    "AWS_SCALAR_NAMES",
    "AWSDate",
    "AWSDateTime",
    "AWSEmail",
    "AWSIPAddress",
    "AWSPhone",
    "AWSTime",
    "AWSTimestamp",
]
