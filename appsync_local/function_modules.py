"""Each Lambda function has its own copy of the app's modules, though all run in one process.

On Lambda every function is its own container: a module two functions import (a shared `settings` with a
cached boto3 client, a helper holding a connection) is two modules, each initialised in its own function's
environment. Locally every function is a `ModuleTable`: the app's modules (those in the app's folder, but for
the runtime's own packages) that the function imported, kept apart from `sys.modules` and from every other
function's. A function's imports run with its table in `sys.modules` (one such import at a time, under one
lock); imports anywhere else see the process's own modules, as before. A runtime built later in the same
process has new tables, so it never inherits an earlier runtime's module state, as a new deployment never
inherits an old container.

`install` puts one hook in front of `builtins.__import__`. For modules that are not the app's it calls straight
through; an app module imported outside any function waits while a function's copies are in place. Modules
imported with `importlib.import_module` (which bypasses the hook) are the process's, not the function's, and
do not wait; the runtime's own imports of handlers go through `ModuleTable.import_module`.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import importlib
import importlib.util
import sys
import sysconfig
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from pathlib import Path
from types import ModuleType
from typing import Any

# The runtime's own packages, shared by every function (app code never imports them: D3).
RUNTIME_PACKAGES = frozenset({"appsync_local", "appdef"})
# Folders of installed libraries: a handler found there is not the app's code.
_INSTALLED_PACKAGES = frozenset({"site-packages", "dist-packages"})
_LIBRARY_PATHS = tuple(
    Path(path).resolve()
    for key, path in sysconfig.get_paths().items()
    if key in ("stdlib", "platstdlib", "purelib", "platlib")
)

_CURRENT: ContextVar[ModuleTable | None] = ContextVar("function_modules", default=None)
_SWAP = threading.RLock()
_original_import = builtins.__import__


class _Swap:
    """Which table is in `sys.modules` now (one at a time, by the thread holding `_SWAP`)."""

    table: ModuleTable | None = None


_swap = _Swap()
# Every table's app packages: an import of one of them outside a function waits for any swap to end.
_APP_PACKAGES: set[str] = set()


@functools.cache
def app_packages(root: Path) -> frozenset[str]:
    """The top-level modules and packages in the app's folder `root`, but for the runtime's own."""
    names = set()
    for entry in root.iterdir():
        if entry.is_dir() and (entry / "__init__.py").is_file():
            names.add(entry.name)
        elif entry.suffix == ".py" and entry.is_file():
            names.add(entry.stem)
    return frozenset(name for name in names if name.isidentifier()) - RUNTIME_PACKAGES


def _installed(folder: Path) -> bool:
    """Whether `folder` holds the standard library or installed libraries, not an app."""
    if _INSTALLED_PACKAGES.intersection(folder.parts):
        return True
    return any(folder == path or folder.is_relative_to(path) for path in _LIBRARY_PATHS)


def code_root(module_name: str) -> Path | None:
    """The folder that holds `module_name`'s top-level package (the app's folder), if it can be found."""
    top = module_name.partition(".")[0]
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    locations = list(spec.submodule_search_locations or ())
    if locations:
        return Path(locations[0]).resolve().parent
    return Path(spec.origin).resolve().parent if spec.origin else None


class ModuleTable:
    """One function's own copies of the app's modules (`packages` names the app's top-level ones)."""

    def __init__(self, packages: frozenset[str]) -> None:
        self.packages = packages
        self.modules: dict[str, ModuleType] = {}
        _APP_PACKAGES.update(packages)

    @classmethod
    def for_module(cls, module_name: str) -> ModuleTable:
        """The table of a function whose handler is `module_name`: the app is the folder that holds it."""
        return cls(packages_of(module_name))

    def owns(self, name: str) -> bool:
        return name.partition(".")[0] in self.packages

    def import_module(self, name: str) -> ModuleType:
        """`importlib.import_module(name)`, into this table when `name` is the app's."""
        if not self.owns(name):
            return importlib.import_module(name)
        module = self.modules.get(name)
        if module is not None:
            return module
        with self.installed():
            return importlib.import_module(name)

    @contextlib.contextmanager
    def scope(self) -> Iterator[None]:
        """Run the block as this function's code: its `import` statements of the app's modules use this table."""
        install()
        token = _CURRENT.set(self)
        try:
            yield
        finally:
            _CURRENT.reset(token)

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        """This table in `sys.modules` in place of the process's copies of the app's modules, for one import."""
        with _SWAP:
            if _swap.table is self:  # an import inside this table's import: already in place
                yield
                return
            outer = _swap.table
            saved = {name: sys.modules.pop(name) for name in [n for n in sys.modules if self.owns(n)]}
            sys.modules.update(self.modules)
            _swap.table = self
            try:
                yield
            finally:
                mine = [name for name in sys.modules if self.owns(name)]
                self.modules = {name: sys.modules.pop(name) for name in mine}
                sys.modules.update(saved)
                _swap.table = outer


def _absolute(name: str, globals_: Mapping[str, Any] | None, level: int) -> str:
    if level == 0:
        return name
    globals_ = globals_ or {}
    package = globals_.get("__package__")
    if package is None:
        spec = globals_.get("__spec__")
        package = spec.parent if spec is not None else str(globals_.get("__name__", "")).rpartition(".")[0]
    return importlib.util.resolve_name("." * level + name, package)


def _top_level(name: str, globals_: Mapping[str, Any] | None, level: int) -> str:
    """The top-level package an import names (a relative one stays in its importer's)."""
    if level == 0:
        return name.partition(".")[0]
    globals_ = globals_ or {}
    package = globals_.get("__package__") or str(globals_.get("__name__", ""))
    return str(package).partition(".")[0]


def _scoped_import(
    name: str,
    globals: Mapping[str, Any] | None = None,
    locals: Mapping[str, Any] | None = None,
    fromlist: Sequence[str] | None = (),
    level: int = 0,
) -> ModuleType:
    table = _CURRENT.get()
    if table is None:
        if _top_level(name, globals, level) not in _APP_PACKAGES:
            return _original_import(name, globals, locals, fromlist, level)
        # Maybe an app module, imported outside any function: never while a function's copies are in place
        # (only the app's modules wait: an import elsewhere, say in a server thread answering a function's
        # module-level call, goes on).
        with _SWAP:
            return _original_import(name, globals, locals, fromlist, level)
    try:
        absolute = _absolute(name, globals, level)
    except (ImportError, ValueError):
        return _original_import(name, globals, locals, fromlist, level)
    if not table.owns(absolute):
        return _original_import(name, globals, locals, fromlist, level)
    # Already in the table: answered as `__import__` would answer, without touching `sys.modules`.
    module = table.modules.get(absolute)
    if module is not None:
        if not fromlist and level == 0:
            top = table.modules.get(absolute.partition(".")[0])
            if top is not None:
                return top
        elif fromlist and all(item == "*" or hasattr(module, item) for item in fromlist):
            return module
    with table.installed():
        return _original_import(name, globals, locals, fromlist, level)


def packages_of(module_name: str) -> frozenset[str]:
    """The app's top-level packages for a function whose handler is `module_name`: those of the folder that holds
    it (none for a handler from the standard library or an installed one, which is shared)."""
    root = code_root(module_name)
    if root is None or _installed(root):
        return frozenset()
    return app_packages(root) | {module_name.partition(".")[0]}


def install() -> None:
    """Put the hook in front of `builtins.__import__` (once)."""
    if builtins.__import__ is not _scoped_import:
        builtins.__import__ = _scoped_import


def prepare(module_name: str) -> None:
    """Ready the process for a function whose handler is `module_name`, before any of its environments imports:
    the hook in place and the app's packages known. An import of the app's modules on any thread then waits for
    every swap, the first one included; were the packages known only once the first table was made, an import
    already under way on another thread would go on unlocked while that table's copies replaced the process's,
    and keep them (a handler catching one copy's exception class while its adapters raise the other's)."""
    install()
    _APP_PACKAGES.update(packages_of(module_name))


def current() -> ModuleTable | None:
    """The table of the function whose code runs in this context, if any."""
    return _CURRENT.get()
