"""The standard library's named loggers, one set per execution environment, as Powertools' Logger uses them.

`Logger(service=...)` configures `logging.getLogger(service)`, which the standard library keeps once per
process: every `Logger` of the service then shares its handler, formatter and appended keys
(`inject_lambda_context` appends the invocation's request id and cold start). On Lambda the process is one
execution environment; locally, two functions with one service name, or two environments of one function
running side by side, would write each other's keys into their log lines. `function_powertools.install`
gives Powertools' Logger module `PerFunctionLogging` in place of `logging`, so that inside a function its
`getLogger` answers from the environment's own `EnvironmentLoggers`.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any


class _Uncached(dict[int, bool]):
    """A logger's level cache that keeps nothing: the standard library clears the caches of the loggers it
    registered when a level changes, and an environment's loggers are not registered with it."""

    def __setitem__(self, key: int, value: bool) -> None:
        pass


class EnvironmentLoggers:
    """The standard library's named loggers of one function, apart from the process's (`logging.getLogger`
    registers one logger per name for the whole process). Each has the process's root logger above it, and
    within the function the nearest of its own ancestors, as `logging.getLogger` arranges them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loggers: dict[str, logging.Logger] = {}

    def get(self, name: str) -> logging.Logger:
        with self._lock:
            found = self._loggers.get(name)
            if found is not None:
                return found
            made = self._loggers[name] = logging.Logger(name)
            made._cache = _Uncached()  # type: ignore[attr-defined]  # the standard library's level cache
            made.parent = logging.root
            for other in self._loggers.values():
                if other is made:
                    continue
                if name.startswith(other.name + ".") and _below(made.parent, other):
                    made.parent = other  # its nearest ancestor so far
                elif other.name.startswith(name + ".") and _below(other.parent, made):
                    other.parent = made  # a descendant made first now has this logger above it
            return made


def _below(parent: logging.Logger | None, logger: logging.Logger) -> bool:
    """Whether `logger` sits below `parent` (a nearer ancestor for `parent`'s children)."""
    return parent is None or parent is logging.root or logger.name.startswith(parent.name + ".")


class PerFunctionLogging:
    """The `logging` module as Powertools' Logger sees it: inside a function (`current` gives its loggers),
    `getLogger` answers with the function's own loggers; everything else is the standard module."""

    def __init__(self, module: ModuleType, current: Callable[[], EnvironmentLoggers | None]) -> None:
        self._module = module
        self._current = current

    def getLogger(self, name: str | None = None) -> logging.Logger:
        loggers = self._current()
        if loggers is None or not name or name == "root":
            return self._module.getLogger(name)
        return loggers.get(name)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


def one_suppress_filter_per_logger(init_logger: Callable[..., Any]) -> Callable[..., Any]:
    """`Logger._init_logger`, which adds a filter for its service to every root handler each time it configures
    a logger: each function's own loggers would add one more per function. Only the first is kept."""
    from aws_lambda_powertools.logging.filters import SuppressFilter

    @functools.wraps(init_logger)
    def init(*args: Any, **kwargs: Any) -> Any:
        result = init_logger(*args, **kwargs)
        for handler in logging.root.handlers:
            seen: set[str] = set()
            for added in list(handler.filters):
                if isinstance(added, SuppressFilter):
                    if added.logger in seen:
                        handler.removeFilter(added)
                    seen.add(added.logger)
        return result

    return init
