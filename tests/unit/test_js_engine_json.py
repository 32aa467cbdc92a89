"""The JSON the runtime hands the APPSYNC_JS engine: orjson, with the standard encoder for what orjson refuses."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from appsync_local.js.engine import _json_default, from_json, to_json


@pytest.mark.parametrize(
    "value",
    [
        {
            "items": [
                {"id": "1", "title": "héllo ✓", "tags": ["a"], "n": 3, "x": 1.5, "ok": True, "none": None}
            ]
        },
        {"big": 2**70, "negative": -(2**65)},  # past orjson's 64 bits: the standard encoder
        {1: "a", "b": {2: "c"}},  # non-string keys, as json.dumps writes them
        [Decimal("2"), Decimal("2.5"), (1, 2), frozenset(), b"\x00\xff"],  # DynamoDB and binary values
    ],
)
def test_the_engine_reads_what_the_standard_encoder_would_write(value: object) -> None:
    assert json.loads(to_json(value)) == json.loads(json.dumps(value, default=_json_default))


def test_what_no_encoder_can_write_is_refused() -> None:
    with pytest.raises(TypeError, match="object is not JSON serializable"):
        to_json({"x": object()})


@pytest.mark.parametrize(
    "text",
    [
        '{"items":[{"id":"1","n":3,"x":1.5,"t":"h\u00e9llo \u2713"}],"stash":{}}',
        '{"title":"\ud83d","ok":"\ud83d\ude00"}',  # a lone surrogate, as QuickJS writes one
    ],
)
def test_the_engines_output_reads_as_the_standard_decoder_reads_it(text: str) -> None:
    assert from_json(text) == json.loads(text)
