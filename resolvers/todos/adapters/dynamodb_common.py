"""Helpers shared by the DynamoDB repositories."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

_deserializer = TypeDeserializer()


def is_conditional_check_failure(error: ClientError) -> bool:
    """Whether DynamoDB refused a write because its ConditionExpression was false."""
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def item_from_condition_failure(error: ClientError) -> dict[str, Any] | None:
    """The item DynamoDB returned with a failed condition (ReturnValuesOnConditionCheckFailure=ALL_OLD)."""
    raw = error.response.get("Item")
    if not raw:
        return None
    return {name: _deserializer.deserialize(value) for name, value in raw.items()}


def update_expression(
    changes: Mapping[str, object | None], fixed: Mapping[str, object]
) -> tuple[str, dict[str, str], dict[str, object]]:
    """An UpdateExpression that SETs non-null values, REMOVEs null ones, and SETs ``fixed`` attributes.

    Attribute names always go through placeholders, so reserved words (``name``, ``done``…) are safe.
    """
    names: dict[str, str] = {}
    values: dict[str, object] = {}
    sets: list[str] = []
    removes: list[str] = []
    for index, (attribute, value) in enumerate([*changes.items(), *fixed.items()]):
        names[f"#a{index}"] = attribute
        if value is None:
            removes.append(f"#a{index}")
        else:
            values[f":v{index}"] = value
            sets.append(f"#a{index} = :v{index}")
    expression = "SET " + ", ".join(sets)
    if removes:
        expression += " REMOVE " + ", ".join(removes)
    return expression, names, values
