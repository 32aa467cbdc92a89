"""The custom response headers a resolver may add (util.http.addResponseHeader), checked as AppSync checks them."""

from __future__ import annotations

import pytest

from appsync_local.response_headers import MAX_BYTES, ResponseHeaders


@pytest.mark.parametrize(
    "name",
    [
        "Content-Type",
        "vary",
        "Access-Control-Allow-Origin",
        "Transfer-Encoding",
        "host",
        "x-amzn-RequestId",
        "X-Amz-Date",
    ],
)
def test_a_restricted_name_is_left_out_with_an_error(name: str) -> None:
    headers = ResponseHeaders()
    error = headers.add(name, "v")
    assert error is not None and error.error_type == "ResponseHeaderError"
    assert headers.encoded() == []


@pytest.mark.parametrize(("name", "value"), [("", "v"), (None, "v"), ("render", None)])
def test_an_empty_name_or_a_null_value_is_left_out_with_an_error(name: object, value: object) -> None:
    headers = ResponseHeaders()
    assert headers.add(name, value) is not None
    assert headers.encoded() == []


@pytest.mark.parametrize(
    ("name", "value"), [("bad name", "v"), ("split", "a\r\nSet-Cookie: x=1"), ("snow", "\u2603")]
)
def test_what_would_not_be_a_valid_http_header_is_refused(name: str, value: str) -> None:
    headers = ResponseHeaders()
    assert headers.add(name, value) is not None
    assert headers.encoded() == []


def test_the_latest_definition_of_a_name_wins_and_values_are_written_as_json() -> None:
    headers = ResponseHeaders()
    for name, value in (
        ("Render", "slow"),
        ("render", "fast"),
        ("count", 7),
        ("on", True),
        ("meta", {"a": 1}),
    ):
        assert headers.add(name, value) is None
    assert headers.encoded() == [
        (b"render", b"fast"),
        (b"count", b"7"),
        (b"on", b"true"),
        (b"meta", b'{"a":1}'),
    ]


def test_custom_headers_add_up_to_at_most_4_kb() -> None:
    headers = ResponseHeaders()
    assert headers.add("big", "x" * (MAX_BYTES - len("big"))) is None
    # one more byte would pass the limit; replacing the header itself is measured without its old value
    assert headers.add("y", "") is not None
    assert headers.add("big", "x" * (MAX_BYTES - len("big"))) is None
    assert [name for name, _ in headers.encoded()] == [b"big"]
