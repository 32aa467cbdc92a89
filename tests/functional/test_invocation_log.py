"""Each local invocation is recorded: its Powertools logs and metrics, its X-Ray trace, its outcome."""

from __future__ import annotations

import time

import pytest

from appdef import FunctionConfig
from appsync_local.errors import LambdaError
from appsync_local.invocations import InvocationRecord
from appsync_local.invocations.observer import InvocationObserver
from appsync_local.invocations.readable import output_lines, trace_lines
from appsync_local.lambda_runtime import LocalFunction


@pytest.fixture(scope="module")
def observed() -> tuple[LocalFunction, list[InvocationRecord]]:
    echoed: list[InvocationRecord] = []
    observer = InvocationObserver(echo=echoed.append, tracing=True)
    config = FunctionConfig.named("observed", handler="tests.fixtures.observed_app.handler.handler")
    return LocalFunction(config, "us-east-1", observer=observer), echoed


def test_logs_and_metrics_are_kept_with_the_invocation_and_read_as_lines(
    observed: tuple[LocalFunction, list[InvocationRecord]],
) -> None:
    function, echoed = observed
    assert function.invoke({"name": "ada"}, source="test") == {"greeting": "hello ada"}
    record = echoed[-1]
    assert (record.function, record.source, record.error) == ("observed", "test", None)
    lines = output_lines(record)
    assert any(line.startswith("INFO greeting") and "who=ada" in line for line in lines)
    assert "metrics: Observed/Greetings = 1.0 Count" in lines
    assert function.observer.log.get(record.request_id) is record


def test_the_trace_arrives_from_the_functions_x_ray_sdk(
    observed: tuple[LocalFunction, list[InvocationRecord]],
) -> None:
    function, echoed = observed
    function.invoke({"name": "lin"}, source="test")
    record = echoed[-1]
    deadline = time.monotonic() + 5
    while len(record.segments) < 2 and time.monotonic() < deadline:  # UDP arrives a moment later
        time.sleep(0.02)
    traced = trace_lines(record)
    assert traced[0].startswith("trace: ## handler ")
    assert any(line.startswith("trace: ## tests.fixtures.observed_app.handler.greet ") for line in traced)


def test_a_failure_is_recorded_with_its_error(observed: tuple[LocalFunction, list[InvocationRecord]]) -> None:
    function, echoed = observed
    with pytest.raises(LambdaError):
        function.invoke({"fail": True})
    assert echoed[-1].error == "ValueError: asked to fail"
