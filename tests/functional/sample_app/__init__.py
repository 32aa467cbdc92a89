"""A small app for the executor and API-cache tests: a strawberry schema and one Lambda that records its events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from appsync_local.executor import Executor


def calls(executor: Executor) -> list[Any]:
    """The events the sample Lambda received, as each of its environments' copies of its handler module recorded
    them (invocations that overlap, such as a field's batches, run in environments of their own)."""
    copies = executor.functions["sample"].module_copies("tests.functional.sample_app.handler")
    return [call for handler in copies for call in handler.calls]


def clear_calls(executor: Executor) -> None:
    """Forget the events every environment of the sample Lambda recorded so far."""
    for handler in executor.functions["sample"].module_copies("tests.functional.sample_app.handler"):
        handler.calls.clear()
