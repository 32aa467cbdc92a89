"""Lambda packages built without Docker: each function's own modules and its requirements for arm64."""

from __future__ import annotations

import importlib.metadata
import re
import zipfile
from pathlib import Path

import pytest

from appdef import FunctionConfig
from infra.packaging import PackagingError, package_function
from infra.packaging.modules import project_modules
from infra.packaging.wheels import pinned

ROOT = Path(__file__).resolve().parents[2]
# ELF header: e_machine at byte 18, little-endian; 0xB7 is AArch64.
ELF_MACHINE_AARCH64 = 0xB7


def _todos() -> FunctionConfig:
    return FunctionConfig.named(
        "todos",
        handler="resolvers.todos.handler.lambda_handler",
        app="resolvers.todos.handler:app",
        requirements=("aws-lambda-powertools>=3.20,<4",),
    )


def test_a_function_ships_its_own_modules_and_nothing_of_its_neighbours() -> None:
    # GIVEN the todos handler
    # WHEN its project modules are collected
    modules = project_modules(ROOT, "resolvers.todos.handler")
    # THEN it has its handler, routers, domain, adapters and the routing seam, with their packages' __init__
    assert {
        "resolvers",
        "resolvers.routing",
        "resolvers.todos",
        "resolvers.todos.handler",
        "resolvers.todos.routers.query",
        "resolvers.todos.domain.todo_service",
        "resolvers.todos.adapters.dynamodb_todos",
    } <= set(modules)
    # and no test fakes, no APPSYNC_JS code, no runtime, no schema
    assert not [
        m for m in modules if m.startswith(("tests", "appsync_local", "appdef", "schema", "resolvers.js"))
    ]


def test_requirements_are_pinned_to_the_versions_the_tests_ran() -> None:
    import aws_lambda_powertools

    assert (
        pinned("aws-lambda-powertools>=3.20,<4")
        == f"aws-lambda-powertools=={aws_lambda_powertools.__version__}"
    )
    assert pinned("surely-not-installed-here>=1") == "surely-not-installed-here>=1"


def test_the_todos_zip_holds_its_code_and_powertools_and_is_reproducible(tmp_path: Path) -> None:
    # GIVEN the todos function
    # WHEN it is packaged twice
    first = package_function(ROOT, _todos(), tmp_path / "a", tmp_path / "cache").read_bytes()
    second = package_function(ROOT, _todos(), tmp_path / "b", tmp_path / "cache")
    # THEN the zips are byte-identical, with the handler and Powertools but no bytecode
    assert second.read_bytes() == first
    names = zipfile.ZipFile(second).namelist()
    assert "resolvers/todos/handler.py" in names
    assert "aws_lambda_powertools/__init__.py" in names
    assert not [n for n in names if n.endswith(".pyc") or n.startswith(("tests/", "resolvers/js/"))]
    # AND the AWS SDK the tests ran, not the one Lambda's runtime happens to bundle
    for sdk in ("boto3", "botocore", "s3transfer"):
        version = importlib.metadata.version(sdk)
        assert f"{sdk}-{version}.dist-info/METADATA" in names, sdk


def test_a_compiled_requirement_is_the_arm64_build(tmp_path: Path) -> None:
    # GIVEN a function that needs Pillow, a compiled wheel
    function = FunctionConfig.named(
        "thumbnails", handler="tests.fixtures.units_app.thumbnails.handler", requirements=("pillow>=11",)
    )
    # WHEN it is packaged for Lambda
    package = package_function(ROOT, function, tmp_path / "out", tmp_path / "cache")
    # THEN the zip holds Pillow's extension built for aarch64 Linux and CPython 3.13, not this machine's
    with zipfile.ZipFile(package) as archive:
        extensions = [n for n in archive.namelist() if n.startswith("PIL/_imaging.") and n.endswith(".so")]
        assert extensions == ["PIL/_imaging.cpython-313-aarch64-linux-gnu.so"]
        header = archive.read(extensions[0])[:20]
    assert header[:4] == b"\x7fELF"
    assert int.from_bytes(header[18:20], "little") == ELF_MACHINE_AARCH64
    assert "tests/fixtures/units_app/thumbnails.py" in zipfile.ZipFile(package).namelist()


def test_a_requirement_without_an_arm64_wheel_is_a_clear_error(tmp_path: Path) -> None:
    function = FunctionConfig.named(
        "broken",
        handler="resolvers.todos.handler.lambda_handler",
        requirements=("surely-not-a-package-xyz==1.0",),
    )
    with pytest.raises(PackagingError, match=r"functions.broken.requirements: pip could not install"):
        package_function(ROOT, function, tmp_path / "out", tmp_path / "cache")


def test_a_handler_outside_the_project_is_a_clear_error(tmp_path: Path) -> None:
    function = FunctionConfig.named("nowhere", handler="nowhere.handler.lambda_handler")
    with pytest.raises(
        PackagingError, match=re.escape("functions.nowhere.handler: nowhere.handler is not a module")
    ):
        package_function(ROOT, function, tmp_path / "out", tmp_path / "cache")


def test_requirements_are_cached_in_the_app_unless_the_cdk_context_names_a_folder(tmp_path: Path) -> None:
    cdk = pytest.importorskip("aws_cdk", reason="aws-cdk-lib is not installed")
    from infra.stacks.functions import DEPENDENCY_CACHE_CONTEXT, dependency_cache

    app_root = tmp_path / "app"
    assert (
        dependency_cache(cdk.Stack(cdk.App(), "Default"), app_root)
        == app_root / ".build" / "lambda-dependencies"
    )
    shared = cdk.App(context={DEPENDENCY_CACHE_CONTEXT: str(tmp_path / "shared")})
    assert dependency_cache(cdk.Stack(shared, "Shared"), app_root) == tmp_path / "shared"
    relative = cdk.App(context={DEPENDENCY_CACHE_CONTEXT: "cache"})
    assert dependency_cache(cdk.Stack(relative, "Relative"), app_root) == app_root / "cache"
