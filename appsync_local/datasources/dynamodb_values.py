"""DynamoDB typed values: checked and made ready for boto3 on the way in, made plain JSON on the way out.

Values on the way out come in boto3's form (binary as bytes) or as DynamoDB wrote them (`wire_reads`: binary
as base64 text); both give the same JSON.

Resolvers send typed values as `util.dynamodb.toMapValues` builds them (`{"S": "x"}`, `{"N": 3}`,
`{"B": "<base64>"}`); AppSync accepts numbers as JSON numbers or strings and binary as base64 text. Results
come back as AppSync's type system (response mapping) describes: numbers as int/float, sets as lists, binary
as base64 text.
"""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal, InvalidOperation
from typing import Any, overload

SCALAR_TYPES = ("S", "N", "B", "BOOL", "NULL")
SET_TYPES = ("SS", "NS", "BS")
ALL_TYPES = (*SCALAR_TYPES, *SET_TYPES, "L", "M")


class TypedValueError(ValueError):
    """A request held something that is not a DynamoDB typed value; the message names where."""


def to_boto_map(values: Any, where: str) -> dict[str, Any]:
    """A map of typed values (a key, `attributeValues`, `expressionValues`) in boto3's wire form."""
    if not isinstance(values, dict):
        raise TypedValueError(f"{where} must be a map of DynamoDB typed values, not {_kind(values)}")
    return {str(name): to_boto_value(value, f"{where}.{name}") for name, value in values.items()}


def to_boto_value(value: Any, where: str) -> dict[str, Any]:
    """One typed value in boto3's form: numbers as strings, binary as bytes, nested values converted."""
    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in ALL_TYPES:
        raise TypedValueError(
            f"{where} is not a DynamoDB typed value (expected one of {', '.join(ALL_TYPES)} as its only "
            f'key, e.g. {{"S": "text"}}; util.dynamodb.toMapValues builds them), got {_preview(value)}'
        )
    kind, raw = next(iter(value.items()))
    if kind == "S":
        return {"S": _string(raw, where)}
    if kind == "N":
        return {"N": _number(raw, where)}
    if kind == "B":
        return {"B": _binary(raw, where)}
    if kind == "BOOL":
        if not isinstance(raw, bool):
            raise TypedValueError(f"{where}: BOOL takes true or false, got {_preview(raw)}")
        return {"BOOL": raw}
    if kind == "NULL":
        return {"NULL": True}
    if kind in SET_TYPES:
        if not isinstance(raw, list):
            raise TypedValueError(f"{where}: {kind} takes a list, got {_kind(raw)}")
        convert = {"SS": _string, "NS": _number, "BS": _binary}[kind]
        return {kind: [convert(member, f"{where}[{i}]") for i, member in enumerate(raw)]}
    if kind == "L":
        if not isinstance(raw, list):
            raise TypedValueError(f"{where}: L takes a list of typed values, got {_kind(raw)}")
        return {"L": [to_boto_value(member, f"{where}[{i}]") for i, member in enumerate(raw)]}
    return {"M": to_boto_map(raw, where)}


@overload
def to_json_item(item: dict[str, Any]) -> dict[str, Any]: ...
@overload
def to_json_item(item: None) -> None: ...
@overload
def to_json_item(item: dict[str, Any] | None) -> dict[str, Any] | None: ...
def to_json_item(item: dict[str, Any] | None) -> dict[str, Any] | None:
    """A DynamoDB item (boto3 form) as plain JSON, as AppSync hands it to `ctx.result`."""
    if item is None:
        return None
    plain = {}
    for name, value in item.items():
        # strings first, inline: most attributes of most items are (a page of 100 posts: ~1,000 values)
        raw = value.get("S")
        plain[name] = raw if raw is not None and len(value) == 1 else to_json_value(value)
    return plain


def to_json_value(value: dict[str, Any]) -> Any:
    """One boto3 typed value as plain JSON."""
    ((kind, raw),) = value.items()
    if kind == "S" or kind == "BOOL":
        return raw
    if kind == "N":
        return _plain_number(raw)
    if kind == "B":
        return _base64(raw)
    if kind == "NULL":
        return None
    if kind == "SS":
        return list(raw)
    if kind == "NS":
        return [_plain_number(member) for member in raw]
    if kind == "BS":
        return [_base64(member) for member in raw]
    if kind == "L":
        return [to_json_value(member) for member in raw]
    return {name: to_json_value(member) for name, member in raw.items()}


def to_typed_json(value: dict[str, Any]) -> Any:
    """A boto3 typed map back in the JSON typed form requests use (for tokens and unprocessed keys)."""
    return {name: _typed_json_value(member) for name, member in value.items()}


def _typed_json_value(value: dict[str, Any]) -> dict[str, Any]:
    kind, raw = next(iter(value.items()))
    if kind == "B":
        return {"B": _base64(raw)}
    if kind == "BS":
        return {"BS": [_base64(member) for member in raw]}
    if kind == "L":
        return {"L": [_typed_json_value(member) for member in raw]}
    if kind == "M":
        return {"M": to_typed_json(raw)}
    return {kind: list(raw) if isinstance(raw, list) else raw}


def _base64(raw: bytes | str) -> str:
    """A binary value as base64 text: read from the wire it is that already (`wire_reads`), from boto3 bytes."""
    return raw if isinstance(raw, str) else base64.b64encode(bytes(raw)).decode("ascii")


def _plain_number(text: str) -> int | float:
    if text.isdigit() and text.isascii():  # the common case: a whole number, as DynamoDB writes it
        return int(text)
    number = Decimal(text)
    if number == number.to_integral_value() and "e" not in text.lower() and "." not in text:
        return int(number)
    return float(number)


def _string(raw: Any, where: str) -> str:
    if not isinstance(raw, str):
        raise TypedValueError(f"{where}: S takes a string, got {_kind(raw)}")
    return raw


def _number(raw: Any, where: str) -> str:
    # JSON numbers and numeric strings are both accepted, as AppSync does; DynamoDB wants the text.
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise TypedValueError(f"{where}: N takes a number, got {_preview(raw)}")
    text = repr(raw) if isinstance(raw, float) else str(raw)
    try:
        Decimal(text)
    except InvalidOperation as exc:
        raise TypedValueError(f"{where}: N takes a number, got {_preview(raw)}") from exc
    return text


def _binary(raw: Any, where: str) -> bytes:
    if not isinstance(raw, str):
        raise TypedValueError(f"{where}: B takes base64 text, got {_kind(raw)}")
    try:
        # RFC 2045 rules, as AppSync documents: characters outside the base64 alphabet (line breaks) are ignored
        return base64.b64decode(raw, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise TypedValueError(f"{where}: B takes base64 text, got {_preview(raw)}") from exc


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__
    )


def _preview(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
