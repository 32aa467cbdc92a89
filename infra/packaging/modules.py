"""The project's own modules a handler needs: its module and everything it imports from the project, transitively.

Read statically (imports are parsed, nothing is executed), at module granularity: a function ships its own
code and the project modules it imports, not its neighbours' (each function is a unit).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path


class ModuleNotInProject(LookupError):
    """The handler's module is not a file of the project."""


def module_file(root: Path, name: str) -> Path | None:
    """The file of module `name` under `root` (`a/b.py` or `a/b/__init__.py`), or None."""
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def source_root(module: str, first: Path) -> Path:
    """The folder `module`'s top-level package is imported from: `first` (the app's), else a `sys.path` entry."""
    top = module.split(".")[0]
    for folder in (first, *(Path(p) for p in sys.path if p)):
        if module_file(folder, top) is not None:
            return folder
    raise ModuleNotInProject(f"{module} is not a module under {first} or on the import path")


def _imported_names(path: Path, module: str) -> Iterator[str]:
    """Every dotted name `path` imports (for `from a import b`: both `a` and `a.b`, `b` may be a module)."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = module.split(".")
                keep = len(parts) - node.level + (1 if is_package else 0)
                base = ".".join(parts[:keep] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base:
                yield base
                for alias in node.names:
                    yield f"{base}.{alias.name}"


def _with_parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def project_modules(root: Path, entry: str) -> dict[str, Path]:
    """Module name -> file, for `entry` and every project module it imports (with their packages' `__init__`)."""
    if module_file(root, entry) is None:
        raise ModuleNotInProject(f"{entry} is not a module under {root}")
    found: dict[str, Path] = {}
    pending = _with_parents(entry)
    while pending:
        name = pending.pop()
        if name in found:
            continue
        path = module_file(root, name)
        if path is None:
            continue  # a library module, or an attribute imported from a module
        found[name] = path
        for imported in _imported_names(path, name):
            pending += [n for n in _with_parents(imported) if n not in found]
    return dict(sorted(found.items()))
