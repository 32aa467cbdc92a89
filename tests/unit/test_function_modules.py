"""Each function has its own copy of the app's modules and its own boto3 default session, as each Lambda
function has its own container; a later runtime's functions start from fresh modules."""

from __future__ import annotations

import importlib
import sys
import textwrap
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest

from appdef import FunctionConfig
from appsync_local.auth.iam import IamCredentials
from appsync_local.lambda_runtime import LocalFunction

SHARED = """
import os
from functools import cache

calls = []


@cache
def table():
    return os.environ["TABLE"]
"""

# Imports the shared module three ways: absolute at the top, relative, and inside the handler.
HANDLER = """
from urllib.parse import parse_qs, urlsplit

import boto3
from botocore.config import Config

from {package}.shared import table
from . import shared


def handler(event, context):
    from {package} import shared as again

    shared.calls.append(event)
    return {{
        "table": table(),
        "same_module": again is shared,
        "signed_with": signer_of(boto3.client("s3", config=Config(signature_version="s3v4"))),
    }}


def signer_of(s3):
    # The access key a presigned URL made by `s3` names (no request is sent).
    url = s3.generate_presigned_url("get_object", Params={{"Bucket": "b", "Key": "k"}})
    return parse_qs(urlsplit(url).query)["X-Amz-Credential"][0].split("/")[0]
"""


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An app folder on sys.path with one package: a shared module and two handlers importing it."""
    name = f"app_{uuid.uuid4().hex[:8]}"
    folder = tmp_path / name
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    (folder / "shared.py").write_text(textwrap.dedent(SHARED))
    for handler in ("one", "two"):
        (folder / f"{handler}.py").write_text(textwrap.dedent(HANDLER.format(package=name)))
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


def function(package: str, name: str, table: str, *, role: bool = True) -> LocalFunction:
    config = FunctionConfig.named(name, handler=f"{package}.{name}.handler", environment={"TABLE": table})
    return LocalFunction(config, "us-east-1", role=IamCredentials.for_function_role(name) if role else None)


def test_two_functions_importing_one_module_each_keep_their_own_state(package: str) -> None:
    one, two = function(package, "one", "OrdersOne"), function(package, "two", "OrdersTwo")

    first, second = one.invoke({"n": 1}), two.invoke({"n": 2})

    # The shared module's cached read ran once per function, in that function's environment.
    assert (first["table"], second["table"]) == ("OrdersOne", "OrdersTwo")
    assert one.module(f"{package}.shared").calls == [{"n": 1}]
    assert two.module(f"{package}.shared").calls == [{"n": 2}]


def test_imports_inside_a_handler_and_relative_imports_reach_the_functions_own_copy(package: str) -> None:
    one = function(package, "one", "Orders")

    assert one.invoke({})["same_module"] is True
    assert one.invoke({})["table"] == "Orders"
    assert one.module(f"{package}.shared").calls == [{}, {}]


def test_boto3_default_session_signs_with_each_functions_own_role(package: str) -> None:
    one, two = function(package, "one", "T"), function(package, "two", "T")

    assert one.role is not None and two.role is not None
    assert one.invoke({})["signed_with"] == one.role.access_key_id
    assert two.invoke({})["signed_with"] == two.role.access_key_id


def test_a_function_built_later_starts_from_fresh_modules(package: str) -> None:
    earlier = function(package, "one", "Before")
    assert earlier.invoke({"n": 1})["table"] == "Before"

    # The same function in a later runtime (a new deployment): nothing of the earlier one's state.
    later = function(package, "one", "After")
    assert later.invoke({"n": 2})["table"] == "After"
    assert later.module(f"{package}.shared").calls == [{"n": 2}]
    assert earlier.module(f"{package}.shared").calls == [{"n": 1}]


def test_the_process_keeps_its_own_modules(package: str) -> None:
    one = function(package, "one", "Orders")
    one.invoke({"n": 1})

    assert f"{package}.shared" not in sys.modules  # the function's copies live in its table only
    process_copy = __import__(f"{package}.shared", fromlist=["calls"])
    assert process_copy is not one.module(f"{package}.shared")
    assert process_copy.calls == []


def test_a_handler_from_the_standard_library_is_shared_as_libraries_are() -> None:
    config = FunctionConfig.named("json-tool", handler="json.tool.main")
    function = LocalFunction(config, "us-east-1")

    assert function.modules.packages == frozenset()
    assert function.module("json.tool") is sys.modules["json.tool"]


def gated_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str, first: str, then: str) -> Any:
    """Writes the app module `module` (a dotted name under `tmp_path`): it runs `first`, stops in its import until
    released, then runs `then`. Returns its gate, a library module outside the app with two events: `entered`
    (set once the import has stopped) and `release`."""
    library = tmp_path / "library"
    library.mkdir(exist_ok=True)
    gate = f"gate_{uuid.uuid4().hex[:8]}"
    (library / f"{gate}.py").write_text(
        "import threading\nentered, release = threading.Event(), threading.Event()\n"
    )
    monkeypatch.syspath_prepend(str(library))
    code = f"import {gate}\n{first}\n{gate}.entered.set()\n{gate}.release.wait(30)\n{then}\n"
    (tmp_path / (module.replace(".", "/") + ".py")).write_text(code)
    return importlib.import_module(gate)


SLOW_HANDLER = "def handler(event, context):\n    return shared.table()"


def test_an_import_elsewhere_waits_for_a_functions_import_and_gets_the_processs_own_module(
    package: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a function whose module blocks in its import (on events in a library outside the app)
    gate = gated_module(
        tmp_path, monkeypatch, f"{package}.slow", f"from {package} import shared", SLOW_HANDLER
    )
    slow = LocalFunction(FunctionConfig.named("slow", handler=f"{package}.slow.handler"), "us-east-1")
    importing = threading.Thread(target=slow.check)
    importing.start()
    assert gate.entered.wait(30)
    # WHEN another thread imports the same module meanwhile, outside any function
    seen: list[object] = []
    other = threading.Thread(target=lambda: seen.append(__import__(f"{package}.shared", fromlist=["table"])))
    other.start()
    # (A correct import cannot end before the release below; the 0.5 s only bounds how long the test looks for
    # one that wrongly did, so it cannot fail a correct runtime.)
    other.join(timeout=0.5)
    # THEN it waits for the function's import to finish, and gets the process's own copy
    assert other.is_alive()
    gate.release.set()
    importing.join(30)
    other.join(30)
    assert seen and seen[0] is not slow.module(f"{package}.shared")
    assert seen[0] is sys.modules[f"{package}.shared"]


def test_an_import_under_way_when_a_functions_first_import_begins_keeps_the_processs_own_modules(
    package: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a function made but never run (no environment, no copies of the app's modules yet), and two app
    # modules each blocking in its import: one imported elsewhere, one the function's handler
    elsewhere = gated_module(tmp_path, monkeypatch, f"{package}.blocker", "", f"from {package} import shared")
    in_function = gated_module(
        tmp_path, monkeypatch, f"{package}.slow", f"from {package} import shared", SLOW_HANDLER
    )
    slow = LocalFunction(FunctionConfig.named("slow", handler=f"{package}.slow.handler"), "us-east-1")
    # WHEN a thread outside any function is in the middle of importing an app module
    seen: list[Any] = []
    other = threading.Thread(
        target=lambda: seen.append(__import__(f"{package}.blocker", fromlist=["shared"]))
    )
    other.start()
    assert elsewhere.entered.wait(30)
    # and the function's first import begins meanwhile
    importing = threading.Thread(target=slow.check)
    importing.start()
    # (A correct runtime holds the function's import back until the other ends, so this wait runs out; the
    # 0.5 s only bounds how long the test gives a wrong one to put the function's copies in place.)
    in_function.entered.wait(0.5)
    elsewhere.release.set()
    other.join(30)
    # THEN the other import ends on its own, before the function's (which a wrong runtime lets in first: the
    # other then either waits behind it or ends with its copies), with the process's own modules
    ended_first = not other.is_alive()
    in_function.release.set()
    importing.join(30)
    other.join(30)
    assert ended_first
    assert seen
    blocker = seen[0]
    assert blocker.shared is sys.modules[f"{package}.shared"]
    # and the function has its own
    assert blocker.shared is not slow.module(f"{package}.shared")
