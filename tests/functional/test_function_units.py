"""Functions are units: each sees exactly its own environment, and one with a compiled dependency runs locally."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from appdef import ConfigError, load_config, parse_config
from appsync_local.auth import RequestAuth
from appsync_local.function_environ import process_environ
from appsync_local.runtime import Runtime, build_runtime

UNITS_APP = Path(__file__).resolve().parents[1] / "fixtures" / "units_app" / "appsync.toml"
SEEN = "seen { function shared atImport otherFunctionVariable }"


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    return build_runtime(load_config(UNITS_APP), tmp_path_factory.mktemp("units-data"))


async def _query(runtime: Runtime, query: str) -> dict[str, Any]:
    context = runtime.executor.new_context(RequestAuth(mode="API_KEY", identity=None), {"x-api-key": "k"})
    return await runtime.executor.execute(query, None, None, context)


async def test_two_functions_setting_one_variable_differently_each_see_their_own(runtime: Runtime) -> None:
    # GIVEN two functions that both set SHARED, each to its own value
    # WHEN one request calls both
    result = await _query(
        runtime,
        f"{{ greeting {{ function shared atImport otherFunctionVariable }} thumbnail(size: 16) {{ {SEEN} }} }}",
    )
    # THEN each saw its own value, at import and at call, and none of the other's variables
    assert result == {
        "data": {
            "greeting": {
                "function": "greeter",
                "shared": "from greeter",
                "atImport": "from greeter",
                "otherFunctionVariable": None,
            },
            "thumbnail": {
                "seen": {
                    "function": "thumbnails",
                    "shared": "from thumbnails",
                    "atImport": "from thumbnails",
                    "otherFunctionVariable": None,
                }
            },
        }
    }
    # and the process itself has neither
    assert "SHARED" not in process_environ() and "SHARED" not in os.environ


async def test_the_function_with_a_compiled_dependency_runs_locally(runtime: Runtime) -> None:
    result = await _query(runtime, "{ thumbnail(size: 16) { width height format bytes } }")
    thumbnail = result["data"]["thumbnail"]
    assert (thumbnail["width"], thumbnail["height"], thumbnail["format"]) == (16, 8, "PNG")
    assert thumbnail["bytes"] > 50


def test_each_function_gets_lambdas_own_variables(runtime: Runtime) -> None:
    environ = runtime.functions["thumbnails"].environ
    assert environ["AWS_LAMBDA_FUNCTION_NAME"] == "thumbnails"
    assert environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "1024"
    assert environ["_HANDLER"] == "tests.fixtures.units_app.thumbnails.handler"
    assert environ["POWERTOOLS_SERVICE_NAME"] == "thumbnails"
    assert "GREETING" not in environ


def _app(tmp_path: Path, function: dict[str, Any]) -> Any:
    raw = {
        "api": {"schema": "tests.fixtures.units_app.schema:schema", "default_auth": "API_KEY"},
        "functions": {"broken": function},
    }
    return parse_config(raw, tmp_path)


@pytest.mark.parametrize(
    ("function", "message"),
    [
        (
            {"handler": "tests.fixtures.units_app.nowhere.handler"},
            r"functions.broken.handler: tests.fixtures.units_app.nowhere does not import: ModuleNotFoundError",
        ),
        (
            {"handler": "tests.fixtures.units_app.greeter.missing"},
            r"functions.broken.handler: tests.fixtures.units_app.greeter has no function 'missing'",
        ),
        (
            {
                "handler": "tests.fixtures.units_app.greeter.handler",
                "requirements": ["surely-not-installed>=1"],
            },
            r"functions.broken.requirements: surely-not-installed>=1 not installed; `make setup` installs",
        ),
    ],
)
def test_a_function_that_cannot_run_is_refused_at_start_up_by_key(
    tmp_path: Path, function: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        build_runtime(_app(tmp_path, function), tmp_path / "data")


def test_the_fixtures_exported_schema_is_current() -> None:
    from appsync_local.sdl import appsync_sdl, load_schema

    config = load_config(UNITS_APP)
    exported = appsync_sdl(load_schema(config.api.schema_spec))
    assert (config.root / "schema.graphql").read_text() == exported
