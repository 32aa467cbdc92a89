"""A function's timeout: Lambda ends the invocation with Sandbox.Timedout and the next one starts cold."""

from __future__ import annotations

import importlib
import re
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from appdef import FunctionConfig
from appsync_local.errors import LambdaError
from appsync_local.lambda_runtime import LocalFunction

# Each way of running long ends by itself after RUNS_OUT seconds, so without an enforced timeout the
# invocation returns "ran out" and the test fails instead of hanging.
HANDLER = """
import time

import {library}

RUNS_OUT = 20
invocations = 0


def handler(event, context):
    global invocations
    invocations += 1
    started = time.monotonic()
    if event.get("spin"):
        while time.monotonic() - started < RUNS_OUT:
            pass
        return "ran out"
    if event.get("library"):
        {library}.busy(event["library"])
        while time.monotonic() - started < RUNS_OUT:
            pass
        return "ran out"
    if event.get("sleep"):
        time.sleep(event["sleep"])
        return "slept"
    if event.get("swallow"):
        while time.monotonic() - started < RUNS_OUT:
            try:
                while time.monotonic() - started < RUNS_OUT:
                    pass
            except BaseException:
                return "swallowed"
        return "ran out"
    return {"invocations": invocations, "remaining_ms": context.get_remaining_time_in_millis()}
"""

# A library the process shares with every function (not the function's own code).
LIBRARY = """
import time

finished = []


def busy(seconds):
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        pass
    finished.append(seconds)
"""

TIMED_OUT = re.compile(r"RequestId: [0-9a-f-]{36} Error: Task timed out after (\d+\.\d\d) seconds")


LIBRARY_NAME = f"shared_library_{uuid.uuid4().hex[:8]}"


@pytest.fixture
def function(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalFunction:
    package = f"app_{uuid.uuid4().hex[:8]}"
    (tmp_path / "app" / package).mkdir(parents=True)
    (tmp_path / "app" / package / "__init__.py").write_text("")
    (tmp_path / "app" / package / "handler.py").write_text(
        textwrap.dedent(HANDLER).replace("{library}", LIBRARY_NAME)
    )
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / f"{LIBRARY_NAME}.py").write_text(textwrap.dedent(LIBRARY))
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.syspath_prepend(str(tmp_path / "app"))
    config = FunctionConfig.named("slow", handler=f"{package}.handler.handler", timeout_seconds=1)
    return LocalFunction(config, "us-east-1")


def timed_out(function: LocalFunction, event: dict[str, object]) -> float:
    """Invoke, expecting Sandbox.Timedout; the seconds its message reports."""
    with pytest.raises(LambdaError) as ended:
        function.invoke(event)
    assert ended.value.error_type == "Sandbox.Timedout"
    reported = TIMED_OUT.fullmatch(ended.value.message)
    assert reported is not None, ended.value.message
    return float(reported.group(1))


def test_a_handler_still_running_at_its_timeout_is_stopped_with_sandbox_timedout(
    function: LocalFunction,
) -> None:
    # WHEN a handler with a 1 s timeout would run for 20 s
    reported = timed_out(function, {"spin": True})

    # THEN it was stopped at its timeout: Lambda's error, the time it ran, and its failure in the log
    assert 1.0 <= reported < 20
    (record,) = function.observer.log.newest()
    assert record.error == f"Sandbox.Timedout: Task timed out after {reported:.2f} seconds"


def test_a_handler_that_catches_the_stop_still_timed_out_and_its_result_is_lost(
    function: LocalFunction,
) -> None:
    # WHEN a handler catches every exception at its timeout and returns a result
    timed_out(function, {"swallow": True})
    # THEN the caller gets the timeout, not the result (Lambda had stopped the invocation)


def test_a_handler_blocked_in_a_call_past_its_timeout_times_out_when_the_call_returns(
    function: LocalFunction,
) -> None:
    # WHEN a handler sleeps past its timeout (a call no exception interrupts)
    reported = timed_out(function, {"sleep": 1.5})
    # THEN what it returned is lost: it had timed out
    assert reported >= 1.5


def test_after_a_timeout_the_next_invocation_starts_cold(function: LocalFunction) -> None:
    # GIVEN a warm function, invoked twice
    function.invoke({})
    assert function.invoke({})["invocations"] == 2

    # WHEN an invocation times out
    timed_out(function, {"spin": True})

    # THEN the next one runs in a fresh environment: the module's state starts again
    after = function.invoke({})
    assert after["invocations"] == 1
    assert 0 < after["remaining_ms"] <= 1000


def test_an_invocation_within_its_timeout_leaves_nothing_behind(function: LocalFunction) -> None:
    # GIVEN an invocation that ended well within its 1 s timeout
    started = time.monotonic()
    assert function.invoke({})["invocations"] == 1

    # WHEN this thread runs Python code until well past that deadline (where a stop left pending would land)
    steps = 0
    while time.monotonic() < started + 1.3:
        steps += 1

    # THEN nothing was raised in it, and the function is still warm
    assert steps > 0
    assert function.invoke({})["invocations"] == 2


def test_a_handler_inside_a_shared_library_at_its_timeout_is_stopped_once_back_in_its_own_code(
    function: LocalFunction,
) -> None:
    # WHEN a handler with a 1 s timeout spends 1.5 s in a library the process shares, then would spin on
    reported = timed_out(function, {"library": 1.5})

    # THEN the library's call ran to its end (nothing raised inside it, where state other functions use may
    # be held), and the handler was stopped after it, in its own code
    assert importlib.import_module(LIBRARY_NAME).finished == [1.5]
    assert 1.5 <= reported < 20
