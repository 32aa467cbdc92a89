"""Lambda runs overlapping invocations of a function side by side, each in an execution environment of its own,
and reuses a warm environment for the next invocation."""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import re
import textwrap
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from appdef import FunctionConfig
from appsync_local.lambda_runtime import LocalFunction

SERVICE = "orders"

HANDLER = """
import os

import {gates}
from aws_lambda_powertools import Logger

logger = Logger(service="{service}")
invocations = 0


@logger.inject_lambda_context
def handler(event, context):
    global invocations
    invocations += 1
    if event.get("meet"):
        # Both invocations are inside the handler at once, each with its request id appended to its logger.
        {gates}.met.wait(10)
        logger.info("met")
    if event.get("hold"):
        {gates}.entered.set()
        assert {gates}.release.wait(30)
    return {{
        "invocations": invocations,
        "log_stream": context.log_stream_name,
        "environment_log_stream": os.environ["AWS_LAMBDA_LOG_STREAM_NAME"],
        "request_id": context.aws_request_id,
    }}
"""

LOG_STREAM = re.compile(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}")


@pytest.fixture
def gates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A library module the test and every environment of the function share: a barrier two invocations meet
    at, and events for an invocation that holds its environment until released."""
    name = f"gates_{uuid.uuid4().hex[:8]}"
    (tmp_path / "library").mkdir()
    (tmp_path / "library" / f"{name}.py").write_text(
        "import threading\nmet = threading.Barrier(2)\nentered = threading.Event()\nrelease = threading.Event()\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path / "library"))
    module = importlib.import_module(name)
    yield module
    module.release.set()


@pytest.fixture
def function(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gates: Any) -> LocalFunction:
    """A function whose handler can wait at `gates` for a second invocation, or until released."""
    package = f"app_{uuid.uuid4().hex[:8]}"
    (tmp_path / "app" / package).mkdir(parents=True)
    (tmp_path / "app" / package / "__init__.py").write_text("")
    code = HANDLER.format(gates=gates.__name__, service=SERVICE)
    (tmp_path / "app" / package / "handler.py").write_text(textwrap.dedent(code))
    monkeypatch.syspath_prepend(str(tmp_path / "app"))
    return LocalFunction(FunctionConfig.named("orders", handler=f"{package}.handler.handler"), "us-east-1")


def logged(function: LocalFunction, message: str) -> list[dict[str, Any]]:
    """The JSON log lines with `message` of every invocation, oldest first."""
    return [
        json.loads(line)
        for record in reversed(function.observer.log.newest())
        for line in record.output
        if f'"message":"{message}"' in line.replace(" ", "")
    ]


def test_overlapping_invocations_run_side_by_side_each_in_an_environment_of_its_own(
    function: LocalFunction,
) -> None:
    # WHEN two invocations arrive together, and each waits inside the handler until the other is there too
    async def both() -> list[Any]:
        return await asyncio.gather(function.ainvoke({"meet": True}), function.ainvoke({"meet": True}))

    first, second = asyncio.run(both())

    # THEN they ran at once (one at a time, the first would have waited for the second in vain), in two cold
    # environments: each with its own module state and its own log stream, as Lambda names them
    assert function.environments.made == 2
    assert first["invocations"] == second["invocations"] == 1
    assert first["log_stream"] != second["log_stream"]
    for result in (first, second):
        assert LOG_STREAM.fullmatch(result["log_stream"])
        assert result["environment_log_stream"] == result["log_stream"]
    # and each one's log line carries its own request id and cold start, not the other's
    lines = logged(function, "met")
    assert sorted(line["function_request_id"] for line in lines) == sorted(
        [first["request_id"], second["request_id"]]
    )
    assert [line["cold_start"] for line in lines] == [True, True]


def test_invocations_one_after_another_reuse_the_warm_environment(function: LocalFunction) -> None:
    results = [function.invoke({}) for _ in range(3)]

    assert [result["invocations"] for result in results] == [1, 2, 3]
    assert len({result["log_stream"] for result in results}) == 1
    assert function.environments.made == 1


def test_an_invocation_that_holds_its_environment_does_not_hold_the_function(
    function: LocalFunction, gates: Any
) -> None:
    held: dict[str, Any] = {}
    holding = threading.Thread(target=lambda: held.update(function.invoke({"hold": True})))
    holding.start()
    try:
        assert gates.entered.wait(30)
        # WHEN another invocation arrives while the first is still running
        other = function.invoke({})
        # THEN it is answered meanwhile, from a second environment
        assert holding.is_alive()
        assert other["invocations"] == 1 and other["log_stream"] != held.get("log_stream")
    finally:
        gates.release.set()
        holding.join(30)
    assert held["invocations"] == 1
    # The environment used last is the warm one reused next (the held one, which finished last).
    assert function.invoke({})["log_stream"] == held["log_stream"]
    assert function.environments.made == 2


def test_each_environment_configures_its_own_logger_and_the_root_gets_one_filter_for_the_service(
    function: LocalFunction, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aws_lambda_powertools.logging.filters import SuppressFilter

    handler = logging.StreamHandler()
    monkeypatch.setattr(logging.root, "handlers", [*logging.root.handlers, handler])

    async def both() -> list[Any]:
        return await asyncio.gather(function.ainvoke({"meet": True}), function.ainvoke({"meet": True}))

    asyncio.run(both())

    # Powertools' Logger adds a filter for its service to the root's handlers each time it configures a
    # logger; two environments configured one each, and the handler keeps one filter.
    assert function.environments.made == 2
    kept = [
        added for added in handler.filters if isinstance(added, SuppressFilter) and added.logger == SERVICE
    ]
    assert len(kept) == 1


# A Powertools AppSync resolver whose field reads the caller from its router, after meeting a second invocation.
ROUTED = """
import {gates}
from aws_lambda_powertools.event_handler import AppSyncResolver
from aws_lambda_powertools.event_handler.appsync import Router

router = Router()
app = AppSyncResolver()


@router.resolver(type_name="Query", field_name="whoAmI")
def who_am_i(asked):
    {gates}.met.wait(10)  # the other invocation has set its event meanwhile
    return {{"sub": router.current_event.identity["sub"], "asked": router.current_event.arguments["asked"]}}


app.include_router(router)


def handler(event, context):
    return app.resolve(event, context)
"""


def appsync_event(sub: str) -> dict[str, Any]:
    return {
        "arguments": {"asked": sub},
        "identity": {"sub": sub, "claims": {"sub": sub}},
        "source": None,
        "request": {"headers": {}},
        "info": {"parentTypeName": "Query", "fieldName": "whoAmI", "variables": {}, "selectionSetList": []},
        "prev": None,
        "stash": {},
    }


@pytest.mark.parametrize("functions", ["one function", "two functions"])
def test_a_router_reads_its_own_invocations_event_while_another_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, functions: str
) -> None:
    package, gates = f"app_{uuid.uuid4().hex[:8]}", f"gates_{uuid.uuid4().hex[:8]}"
    (tmp_path / "app" / package).mkdir(parents=True)
    (tmp_path / "app" / package / "__init__.py").write_text("")
    (tmp_path / "app" / package / "routed.py").write_text(textwrap.dedent(ROUTED.format(gates=gates)))
    (tmp_path / "library").mkdir()
    (tmp_path / "library" / f"{gates}.py").write_text("import threading\nmet = threading.Barrier(2)\n")
    monkeypatch.syspath_prepend(str(tmp_path / "library"))
    monkeypatch.syspath_prepend(str(tmp_path / "app"))
    names = ["alice", "bob"] if functions == "two functions" else ["alice", "alice"]
    lambdas = {
        name: LocalFunction(FunctionConfig.named(name, handler=f"{package}.routed.handler"), "us-east-1")
        for name in set(names)
    }

    # WHEN alice and bob are resolved at the same time, each resolver reading the event from its router
    # after the other invocation has begun
    async def both() -> list[Any]:
        return await asyncio.gather(
            lambdas[names[0]].ainvoke(appsync_event("alice-sub")),
            lambdas[names[1]].ainvoke(appsync_event("bob-sub")),
        )

    alice, bob = asyncio.run(both())

    # THEN each read its own invocation's event: its own arguments and its own caller
    assert alice == {"sub": "alice-sub", "asked": "alice-sub"}
    assert bob == {"sub": "bob-sub", "asked": "bob-sub"}


def test_environments_left_idle_are_reclaimed_but_the_one_used_last() -> None:
    from appsync_local.function_modules import ModuleTable
    from appsync_local.lambda_environments import IDLE_SECONDS, EnvironmentPool, ExecutionEnvironment

    now = [1000.0]
    pool = EnvironmentPool(
        lambda: ExecutionEnvironment({}, ModuleTable(frozenset()), "stream"), lambda: now[0]
    )
    # GIVEN three overlapping invocations, hence three environments, all free again
    with pool.environment() as first, pool.environment() as second, pool.environment() as last:
        pass
    assert pool.live() == [first, second, last]

    # WHEN the next invocation comes before the idle time is up, THEN all three are still warm; the one freed
    # last serves it
    now[0] += IDLE_SECONDS - 1
    with pool.environment() as again:
        assert again is first
    assert pool.live() == [first, second, last]

    # WHEN one comes after the other two have been idle longer, THEN they are gone
    now[0] += 2
    with pool.environment() as again:
        assert again is first
    assert pool.live() == [first]
    assert pool.made == 3
