"""Powertools keeps some state per process (the metrics every `Metrics()` shares, the cold-start flags, the
parameters' default providers); on Lambda each function has a process of its own, so locally each function
has its own."""

from __future__ import annotations

import importlib
import json
import textwrap
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from appdef import FunctionConfig
from appsync_local.invocations.observer import InvocationObserver
from appsync_local.lambda_runtime import LocalFunction
from tests.fixtures.json_endpoint import json_endpoint

# A handler that adds one metric named after its function, then waits (if told to) before its flush.
HANDLER = """
import {gates}
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

metrics = Metrics(namespace="Shop", service="{name}")


@metrics.log_metrics
def handler(event, context):
    metrics.add_metric(name="{metric}", unit=MetricUnit.Count, value=1)
    if event.get("wait"):
        {gates}.added.set()
        assert {gates}.release.wait(30)
    return "{name}"
"""

# A handler whose log line says whether its invocation was a cold start.
LOGGING = """
from aws_lambda_powertools import Logger

logger = Logger(service="{name}")


@logger.inject_lambda_context
def handler(event, context):
    logger.info("handled")
    return "{name}"
"""


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """An app package with the handlers above, and a library module of events the test and a handler share."""
    package, gates = f"app_{uuid.uuid4().hex[:8]}", f"gates_{uuid.uuid4().hex[:8]}"
    (tmp_path / package).mkdir()
    (tmp_path / package / "__init__.py").write_text("")
    for name, metric in (("orders", "OrderPlaced"), ("emails", "EmailSent")):
        code = HANDLER.format(gates=gates, name=name, metric=metric)
        (tmp_path / package / f"{name}.py").write_text(textwrap.dedent(code))
    for name in ("signup", "billing"):
        (tmp_path / package / f"{name}.py").write_text(textwrap.dedent(LOGGING.format(name=name)))
    library = tmp_path / "library"
    library.mkdir()
    (library / f"{gates}.py").write_text(
        "import threading\nadded = threading.Event()\nrelease = threading.Event()\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(library))
    return package, gates


def emitted(observer: InvocationObserver, function: str) -> list[dict[str, object]]:
    """The EMF blobs `function`'s invocations printed."""
    blobs = []
    for record in observer.log.newest():
        if record.function == function:
            blobs += [json.loads(line) for line in record.output if line.startswith('{"_aws"')]
    return blobs


def test_each_function_flushes_only_its_own_metrics(app: tuple[str, str]) -> None:
    package, gates = app
    observer = InvocationObserver()
    orders, emails = (
        LocalFunction(
            FunctionConfig.named(name, handler=f"{package}.{name}.handler"), "us-east-1", observer=observer
        )
        for name in ("orders", "emails")
    )
    gate = importlib.import_module(gates)
    # GIVEN `orders` has added its metric and not flushed yet
    waiting = threading.Thread(target=orders.invoke, args=({"wait": True},))
    waiting.start()
    try:
        assert gate.added.wait(30)
        # WHEN `emails` runs and flushes meanwhile, then `orders` finishes
        assert emails.invoke({}) == "emails"
    finally:
        gate.release.set()
        waiting.join(30)

    # THEN each function's log holds its own metric, under its own service, and nothing of the other's
    (email_blob,) = emitted(observer, "emails")
    assert email_blob["EmailSent"] == [1.0] and "OrderPlaced" not in email_blob
    assert email_blob["service"] == "emails"
    (order_blob,) = emitted(observer, "orders")
    assert order_blob["OrderPlaced"] == [1.0] and "EmailSent" not in order_blob
    assert order_blob["service"] == "orders"


def test_each_functions_first_invocation_is_its_cold_start(app: tuple[str, str]) -> None:
    package, _ = app
    observer = InvocationObserver()
    signup, billing = (
        LocalFunction(
            FunctionConfig.named(name, handler=f"{package}.{name}.handler"), "us-east-1", observer=observer
        )
        for name in ("signup", "billing")
    )

    for function in (signup, billing, signup, billing):
        function.invoke({})

    # Each function's container starts cold once, whichever function the process ran first.
    for name in ("signup", "billing"):
        lines = [
            json.loads(line)
            for record in reversed(observer.log.newest())
            if record.function == name
            for line in record.output
            if '"handled"' in line
        ]
        assert [line["cold_start"] for line in lines] == [True, False], name


def test_a_powertools_without_a_name_this_relies_on_leaves_it_shared_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from types import SimpleNamespace

    from appsync_local import function_powertools

    renamed = SimpleNamespace(__name__="aws_lambda_powertools.logging.logger")  # no _is_cold_start

    with caplog.at_level("WARNING", logger="appsync_local"):
        assert function_powertools._has(renamed, "_is_cold_start") is False
    assert "has no aws_lambda_powertools.logging.logger._is_cold_start" in caplog.text
    assert "functions share it in this process" in caplog.text


# A handler that reads one SSM parameter through Powertools' default provider.
PARAMETER = """
from aws_lambda_powertools.utilities import parameters


def handler(event, context):
    return parameters.get_parameter("/shop/greeting")
"""


def _signing_key_ssm(headers: dict[str, str], body: bytes) -> tuple[int, Any, str]:
    """An SSM endpoint whose every parameter's value is the access key id the request was signed with."""
    access_key = headers["Authorization"].split("Credential=")[1].split("/")[0]
    parameter = {"Name": "/shop/greeting", "Type": "String", "Value": access_key, "Version": 1}
    return 200, {"Parameter": parameter}, "application/x-amz-json-1.1"


@dataclass(frozen=True)
class _Role:
    access_key_id: str
    secret_access_key: str = "secret"
    session_token: str | None = None


@pytest.fixture
def ssm(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A local SSM endpoint on a free port, which every function's environment points at."""
    with json_endpoint(_signing_key_ssm) as url:
        monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", url)
        yield url


def test_each_function_gets_parameters_through_its_own_provider(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ssm: str
) -> None:
    package = f"app_{uuid.uuid4().hex[:8]}"
    (tmp_path / package).mkdir()
    (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / package / "greeter.py").write_text(textwrap.dedent(PARAMETER))
    monkeypatch.syspath_prepend(str(tmp_path))
    # GIVEN two functions with the same handler and each its own execution role
    checkout, billing = (
        LocalFunction(
            FunctionConfig.named(name, handler=f"{package}.greeter.handler"),
            "us-east-1",
            role=_Role(access_key_id=key),
        )
        for name, key in (("checkout", "AKIACHECKOUT0000000A"), ("billing", "AKIABILLING00000000B"))
    )

    # WHEN each asks for the same parameter, one after the other
    # THEN each fetched it itself, signed with its own role's key: the second was not answered from the first's
    # cache or through the first's client
    assert checkout.invoke({}) == "AKIACHECKOUT0000000A"
    assert billing.invoke({}) == "AKIABILLING00000000B"


# A handler with a Tracer made at import (named `{service}`, or without a service), telling whether it and the
# X-Ray SDK trace, and whether the invocation it traces is sampled.
TRACED = """
import aws_xray_sdk
from aws_lambda_powertools import Tracer
from aws_xray_sdk.core import xray_recorder

tracer = Tracer({service}auto_patch=False)


@tracer.capture_lambda_handler
def handler(event, context):
    tracer.put_annotation("order", "1")
    return {{
        "disabled": tracer.disabled,
        "sdk_enabled": aws_xray_sdk.global_sdk_config.sdk_enabled(),
        "service": tracer.service,
        "sampled": bool(xray_recorder.current_segment().sampled),
    }}
"""


@pytest.fixture
def traced_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A package with two traced handlers: `named` (service "quiet-service") and `unnamed` (no service)."""
    package = f"app_{uuid.uuid4().hex[:8]}"
    (tmp_path / package).mkdir()
    (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / package / "named.py").write_text(TRACED.format(service='service="quiet-service", '))
    (tmp_path / package / "unnamed.py").write_text(TRACED.format(service=""))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("POWERTOOLS_SERVICE_NAME", raising=False)
    monkeypatch.delenv("POWERTOOLS_TRACE_DISABLED", raising=False)
    return package


def test_a_function_that_turns_tracing_off_leaves_every_other_functions_tracing_on(
    traced_package: str,
) -> None:
    # GIVEN one function whose tracing is off and which names its service, and one with the defaults
    quiet = LocalFunction(
        FunctionConfig.named(
            "quiet",
            handler=f"{traced_package}.named.handler",
            environment={"POWERTOOLS_TRACE_DISABLED": "true"},
        ),
        "us-east-1",
    )
    traced = LocalFunction(
        FunctionConfig.named("traced", handler=f"{traced_package}.unnamed.handler"), "us-east-1"
    )

    # WHEN the quiet one runs first
    quieted = quiet.invoke({})
    assert (quieted["disabled"], quieted["sdk_enabled"]) == (True, False)
    # THEN the other still traces: its Tracer is on, so is the X-Ray SDK it sends through, and it did not take
    # the quiet one's service
    answer = traced.invoke({})
    assert (answer["disabled"], answer["sdk_enabled"]) == (False, True)
    assert answer["service"] != "quiet-service"


def test_a_tracer_made_outside_any_function_leaves_functions_tracing(traced_package: str) -> None:
    # GIVEN a Tracer made in the process itself (as a test that imports a handler makes one): outside Lambda,
    # Powertools disables it, and with it the X-Ray SDK
    outside = importlib.import_module(f"{traced_package}.named")
    assert outside.tracer.disabled is True

    # WHEN a function with the same handler runs
    answer = LocalFunction(
        FunctionConfig.named("traced", handler=f"{traced_package}.named.handler"), "us-east-1"
    ).invoke({})

    # THEN it traces, as on Lambda
    assert (answer["disabled"], answer["sdk_enabled"], answer["service"]) == (False, True, "quiet-service")


@pytest.mark.parametrize("tracing", [False, True])
def test_a_traced_handler_runs_whether_local_tracing_is_on_or_off(traced_package: str, tracing: bool) -> None:
    # GIVEN a function whose Tracer annotates its invocation, and local tracing on or off
    function = LocalFunction(
        FunctionConfig.named("traced", handler=f"{traced_package}.named.handler"),
        "us-east-1",
        observer=InvocationObserver(tracing=tracing),
    )

    # WHEN it is invoked
    answer = function.invoke({})

    # THEN it runs as under Lambda's active tracing (sampled) or PassThrough (not sampled): traced either way,
    # never failing for want of a segment
    assert answer == {"disabled": False, "sdk_enabled": True, "service": "quiet-service", "sampled": tracing}
