"""DynamoDB items as plain JSON, as AppSync's DynamoDB data source hands them to `ctx.result`."""

from __future__ import annotations

from typing import Any

import pytest

from appsync_local.datasources.dynamodb_values import to_json_item


@pytest.mark.parametrize(
    ("typed", "plain"),
    [
        ({"S": "text"}, "text"),
        ({"S": ""}, ""),
        ({"N": "0"}, 0),
        ({"N": "42"}, 42),
        ({"N": "-7"}, -7),
        ({"N": "12345678901234567890"}, 12345678901234567890),
        ({"N": "1.0"}, 1.0),
        ({"N": "0.5"}, 0.5),
        ({"N": "1E+2"}, 100.0),
        ({"BOOL": False}, False),
        ({"NULL": True}, None),
        ({"B": b"\x00\xff"}, "AP8="),  # boto3's form
        ({"B": "AP8="}, "AP8="),  # as DynamoDB wrote it (wire_reads)
        ({"SS": ["a", "b"]}, ["a", "b"]),
        ({"NS": ["1", "2.5"]}, [1, 2.5]),
        ({"BS": [b"\x01", "Ag=="]}, ["AQ==", "Ag=="]),
        ({"L": [{"S": "x"}, {"N": "3"}, {"M": {"k": {"NULL": True}}}]}, ["x", 3, {"k": None}]),
        ({"M": {"S": {"S": "a key named S"}, "n": {"N": "1"}}}, {"S": "a key named S", "n": 1}),
    ],
)
def test_every_type_reads_as_appsync_hands_it_on(typed: dict[str, Any], plain: Any) -> None:
    assert to_json_item({"attribute": typed}) == {"attribute": plain}
    assert type(to_json_item({"attribute": typed})["attribute"]) is type(plain)


def test_no_item_is_null() -> None:
    assert to_json_item(None) is None
