"""Each Lambda function sees exactly its own environment, though all run in one process.

`os.environ` is replaced, once, by a mapping that answers from the environment of the function running
in the current context (a `ContextVar`, which `asyncio.to_thread` carries into the worker thread), and
from the process's own environment everywhere else. So `os.environ["TODOS_TABLE"]` and `os.getenv` inside a
handler, and at its module's import, read that function's variables and Lambda's, never another
function's. Child processes a handler starts inherit the process's environment (the C-level one).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, MutableMapping
from contextvars import ContextVar

from appsync_local.scoped_mapping import ScopedMapping

_CURRENT: ContextVar[dict[str, str] | None] = ContextVar("function_environ", default=None)


class FunctionScopedEnviron(ScopedMapping[str]):
    """`os.environ` for a process that runs several functions: the current function's, else the process's."""

    def __init__(self, process: MutableMapping[str, str]) -> None:
        self.process = process

    def _current(self) -> MutableMapping[str, str]:
        scoped = _CURRENT.get()
        return self.process if scoped is None else scoped

    def __repr__(self) -> str:
        scope = "function" if _CURRENT.get() is not None else "process"
        return f"FunctionScopedEnviron({scope}: {dict(self._current())!r})"

    def copy(self) -> dict[str, str]:
        return dict(self._current())


def install() -> FunctionScopedEnviron:
    """Put the scoped mapping in place of `os.environ` (once; later calls return it)."""
    if not isinstance(os.environ, FunctionScopedEnviron):
        # Replacing (not clearing) os.environ is the point: the process's own mapping stays inside it.
        os.environ = FunctionScopedEnviron(os.environ)  # type: ignore[assignment]  # noqa: B003
    assert isinstance(os.environ, FunctionScopedEnviron)
    return os.environ


def process_environ() -> MutableMapping[str, str]:
    """The process's own environment, whatever function runs in this context."""
    environ = os.environ
    return environ.process if isinstance(environ, FunctionScopedEnviron) else environ


@contextlib.contextmanager
def function_scope(environment: dict[str, str]) -> Iterator[None]:
    """Run the block with `environment` as `os.environ`; what the block sets stays in that dict, as a
    variable set by a handler stays in its warm Lambda container."""
    install()
    token = _CURRENT.set(environment)
    try:
        yield
    finally:
        _CURRENT.reset(token)
