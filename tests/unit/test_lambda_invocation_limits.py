"""What Lambda does with a handler that exits, payloads over its 6 MB limit, and the context it passes."""

from __future__ import annotations

import textwrap
import uuid
from pathlib import Path

import pytest

from appdef import FunctionConfig
from appsync_local.errors import LambdaError
from appsync_local.lambda_runtime import MAX_PAYLOAD_BYTES, LocalFunction

HANDLER = """
import os
import sys


def handler(event, context):
    if event.get("exit") is not None:
        sys.exit(event["exit"])
    if event.get("bytes"):
        return "x" * event["bytes"]
    return {
        "identity": context.identity,
        "client_context": context.client_context,
        "stream": context.log_stream_name,
        "stream_env": os.environ["AWS_LAMBDA_LOG_STREAM_NAME"],
    }
"""


@pytest.fixture
def function(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalFunction:
    package = f"app_{uuid.uuid4().hex[:8]}"
    (tmp_path / package).mkdir()
    (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / package / "handler.py").write_text(textwrap.dedent(HANDLER))
    monkeypatch.syspath_prepend(str(tmp_path))
    return LocalFunction(FunctionConfig.named("limits", handler=f"{package}.handler.handler"), "us-east-1")


def test_a_handler_that_exits_is_a_runtime_exit_error_and_the_process_goes_on(
    function: LocalFunction,
) -> None:
    with pytest.raises(LambdaError) as exited:
        function.invoke({"exit": 3})
    assert (exited.value.error_type, exited.value.message) == (
        "Runtime.ExitError",
        "Runtime exited with error: exit status 3",
    )
    # the next invocation runs as usual
    assert function.invoke({})["identity"] is None


def test_payloads_over_6_mb_are_refused_both_ways(function: LocalFunction) -> None:
    with pytest.raises(LambdaError) as response:
        function.invoke({"bytes": MAX_PAYLOAD_BYTES + 1})
    assert response.value.error_type == "Function.ResponseSizeTooLarge"
    assert len(function.invoke({"bytes": MAX_PAYLOAD_BYTES - 100})) == MAX_PAYLOAD_BYTES - 100
    with pytest.raises(LambdaError) as request:
        function.invoke({"padding": "x" * MAX_PAYLOAD_BYTES})
    assert request.value.error_type == "RequestEntityTooLargeException"


def test_the_context_has_lambdas_attributes(function: LocalFunction) -> None:
    seen = function.invoke({})
    assert seen["identity"] is None and seen["client_context"] is None
    assert seen["stream"] == seen["stream_env"]
