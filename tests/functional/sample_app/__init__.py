"""A small app for the executor and API-cache tests: a strawberry schema and one Lambda that records its events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from appsync_local.executor import Executor


def calls(executor: Executor) -> list[Any]:
    """The events the sample Lambda received, as the function's own copy of its handler module recorded them."""
    handler = executor.functions["sample"].module("tests.functional.sample_app.handler")
    return handler.calls  # type: ignore[no-any-return]
