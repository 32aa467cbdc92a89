"""Each local invocation is recorded: its Powertools logs and metrics, its X-Ray trace, its outcome."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from appdef import FunctionConfig
from appsync_local.errors import LambdaError
from appsync_local.invocations import InvocationRecord
from appsync_local.invocations.observer import InvocationObserver
from appsync_local.invocations.readable import output_lines
from appsync_local.lambda_runtime import LocalFunction

ROOT = Path(__file__).resolve().parents[2]


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


TRACE_PROBE = """
import json, sys, time
from appdef import FunctionConfig
from appsync_local.invocations.observer import InvocationObserver
from appsync_local.invocations.readable import trace_lines
from appsync_local.lambda_runtime import LocalFunction
echoed = []
config = FunctionConfig.named("observed", handler="tests.fixtures.observed_app.handler.handler")
function = LocalFunction(config, "us-east-1", observer=InvocationObserver(echo=echoed.append, tracing=True))
function.invoke({"name": "lin"})
deadline = time.monotonic() + 10
while len(echoed[-1].segments) < 2 and time.monotonic() < deadline:  # UDP arrives a moment later
    time.sleep(0.02)
print(json.dumps(trace_lines(echoed[-1])))
"""


def test_the_trace_arrives_from_the_functions_x_ray_sdk() -> None:
    # Powertools' Tracer and the X-Ray SDK settle their settings once per process: a process of its own, as a
    # `make run` is, where every function is imported inside its Lambda environment.
    done = subprocess.run(
        [sys.executable, "-c", TRACE_PROBE], capture_output=True, text=True, timeout=60, check=False, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    traced = json.loads(done.stdout.strip().splitlines()[-1])
    assert traced[0].startswith("trace: ## handler ")
    assert any(line.startswith("trace: ## tests.fixtures.observed_app.handler.greet ") for line in traced)


OWN_CALL_PROBE = """
import json, time
from concurrent.futures import ThreadPoolExecutor
import boto3
from botocore.config import Config
from appdef import FunctionConfig
from appsync_local.invocations.observer import InvocationObserver
from appsync_local.lambda_runtime import LocalFunction
echoed = []
config = FunctionConfig.named("observed", handler="tests.fixtures.observed_app.handler.handler")
function = LocalFunction(config, "us-east-1", observer=InvocationObserver(echo=echoed.append, tracing=True))
nothing_there = boto3.client(
    "dynamodb", region_name="us-east-1", endpoint_url="http://127.0.0.1:9", aws_access_key_id="local",
    aws_secret_access_key="local", config=Config(connect_timeout=1, retries={"max_attempts": 1}),
)

def runtime_call():
    try:
        nothing_there.list_tables()
    except Exception as error:
        return type(error).__name__

worker = ThreadPoolExecutor(1)  # one thread serving invocations and the runtime's own calls, as the pool's do
worker.submit(function.invoke, {"name": "first"}).result()
print(worker.submit(runtime_call).result())
worker.submit(function.invoke, {"name": "second"}).result()
deadline = time.monotonic() + 10
while len(echoed[-1].segments) < 2 and time.monotonic() < deadline:  # one UDP socket: in order
    time.sleep(0.02)
print(json.dumps([sorted(segment["name"] for segment in record.segments) for record in echoed]))
"""


def test_a_call_the_runtime_makes_after_an_invocation_stays_out_of_its_trace() -> None:
    # GIVEN a traced invocation on a thread, then a DynamoDB call of the runtime's own on that thread (a JS
    # resolver's data source), then another invocation there
    done = subprocess.run(
        [sys.executable, "-c", OWN_CALL_PROBE],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    called, traces = done.stdout.strip().splitlines()[-2:]
    assert called == "EndpointConnectionError"
    # THEN each invocation's trace holds its own segments only: the runtime's call is in neither
    first, second = json.loads(traces)
    function_segments = ["## handler", "## tests.fixtures.observed_app.handler.greet"]
    assert first == function_segments
    assert second == function_segments


def test_a_failure_is_recorded_with_its_error(observed: tuple[LocalFunction, list[InvocationRecord]]) -> None:
    function, echoed = observed
    with pytest.raises(LambdaError):
        function.invoke({"fail": True})
    assert echoed[-1].error == "ValueError: asked to fail"
