"""No module reads a library's private attribute, except the adapters that own a library's internals:
strawberry's (the schema); Powertools' per-process state and the standard loggers its Logger uses, which each
local function gets its own copy of; and the interpreter's threads, which the Lambda timeout watchdog looks into
(`sys._current_frames`) and stops."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "appdef",
    "appsync_local",
    "functions",
    "infra",
    "jsbundles",
    "resolvers",
    "schema",
    "subscriptions",
)
ADAPTERS = (
    ROOT / "appsync_local" / "strawberry_adapter.py",
    ROOT / "appsync_local" / "function_powertools.py",
    ROOT / "appsync_local" / "function_loggers.py",
    ROOT / "appsync_local" / "function_timeout.py",
)


def _private_uses(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    name = path.relative_to(root)
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            owner = node.value
            if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                found.append(f"{name}:{node.lineno}: .{node.attr}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "hasattr")
        ):
            if (
                len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
                and str(node.args[1].value).startswith("_")
            ):
                found.append(f"{name}:{node.lineno}: {node.func.id}(…, {node.args[1].value!r})")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            private = [
                part for part in node.module.split(".") if part.startswith("_") and not part.startswith("__")
            ]
            private += [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
            if private:
                found.append(f"{name}:{node.lineno}: from {node.module} import …")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if any(p.startswith("_") and not p.startswith("__") for p in alias.name.split(".")):
                    found.append(f"{name}:{node.lineno}: import {alias.name}")
    return found


def _modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py") if p not in ADAPTERS)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_attribute_of_another_object_is_read(path: Path) -> None:
    # THEN only the adapters reach into a library (self._x and cls._x are the module's own state)
    assert _private_uses(path) == []


def test_the_scan_sees_what_it_must_refuse(tmp_path: Path) -> None:
    # GIVEN a module that reads private names four ways
    sample = tmp_path / "probe.py"
    sample.write_text(
        "from quickjs import _quickjs\nimport _quickjs\n"
        "def f(app):\n    return app._resolver_registry, getattr(app, '_batch_resolver_registry')\n"
    )
    # WHEN it is scanned
    found = [line.split(": ", 1)[1] for line in _private_uses(sample, tmp_path)]
    # THEN every one is reported
    assert found == [
        "from quickjs import …",
        "import _quickjs",
        "._resolver_registry",
        "getattr(…, '_batch_resolver_registry')",
    ]


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("infra", {"appsync_local"}),  # infra deploys the app definition, not the local runtime
        ("appdef", {"appsync_local", "infra", "resolvers"}),
        ("jsbundles", {"appsync_local", "infra", "appdef"}),
        (
            "resolvers",
            {"appsync_local", "appdef", "infra", "jsbundles", "schema"},
        ),  # D3: runs unchanged on Lambda
        ("functions", {"appsync_local", "appdef", "infra", "jsbundles", "schema"}),  # so do these
        (
            "subscriptions",
            {"appsync_local", "appdef", "infra", "jsbundles", "schema"},
        ),  # and what they import
    ],
)
def test_layers_point_one_way(package: str, forbidden: set[str]) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imported_roots(path) & forbidden)
        for path in (ROOT / package).rglob("*.py")
        if _imported_roots(path) & forbidden
    }
    assert offenders == {}
