"""Invoking a function with a batch, reading its partial-batch answer, and saying so in one log line."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import LambdaError
from ..lambda_runtime import LocalFunction

logger = logging.getLogger("appsync_local.events")


@dataclass(frozen=True)
class BatchOutcome:
    """What one invocation did to its batch.

    `failed` holds the identifiers the handler reported in `batchItemFailures` (all of them when the
    invocation failed as a whole); an empty tuple is full success.
    """

    failed: tuple[str, ...] = ()
    error: str | None = None  # the function's error, when it raised
    elapsed_ms: float = 0.0
    whole_batch_failed: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass
class Invoker:
    """Invokes functions for the event sources and logs each delivery (source, function, records, outcome, ms)."""

    functions: dict[str, LocalFunction]
    deliveries: list[tuple[str, str, int, str]] = field(default_factory=list)  # the last few, for the page

    def invoke(
        self,
        function_name: str,
        event: Any,
        *,
        source: str,
        identifiers: Sequence[str],
        report_failures: bool,
    ) -> BatchOutcome:
        """Invoke synchronously with `event` whose records are `identifiers` (messageId, sequence number…)."""
        function = self.functions[function_name]
        started = time.perf_counter()
        try:
            response = function.invoke(event, source=source)
        except LambdaError as exc:
            outcome = BatchOutcome(
                tuple(identifiers), f"{exc.error_type}: {exc.message}", _ms(started), whole_batch_failed=True
            )
        else:
            failed = _reported_failures(response, identifiers) if report_failures else ()
            outcome = BatchOutcome(
                failed, None, _ms(started), whole_batch_failed=failed == tuple(identifiers) and bool(failed)
            )
        self._log(source, function_name, len(identifiers), outcome)
        return outcome

    def _log(self, source: str, function: str, count: int, outcome: BatchOutcome) -> None:
        records = f"{count} record{'s' if count != 1 else ''}"
        if outcome.error is not None:
            result = f"failed: {outcome.error}"
        elif outcome.failed:
            result = f"{len(outcome.failed)} of {count} failed"
        else:
            result = "ok"
        logger.info("%s -> %s: %s, %s (%.0f ms)", source, function, records, result, outcome.elapsed_ms)
        self.deliveries.append((source, function, count, result))
        del self.deliveries[:-200]


def _reported_failures(response: Any, identifiers: Sequence[str]) -> tuple[str, ...]:
    """Lambda's reading of a partial batch response (ddb-partial, sqs-errors).

    No response, no `batchItemFailures` or an empty list is full success; an entry without a known
    `itemIdentifier` fails the whole batch.
    """
    if not isinstance(response, dict):
        return ()
    entries = response.get("batchItemFailures")
    if not entries:
        return ()
    known = set(identifiers)
    failed: list[str] = []
    for entry in entries if isinstance(entries, list) else [None]:
        identifier = entry.get("itemIdentifier") if isinstance(entry, dict) else None
        if not isinstance(identifier, str) or identifier not in known:
            return tuple(identifiers)
        failed.append(identifier)
    return tuple(i for i in identifiers if i in set(failed))


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
