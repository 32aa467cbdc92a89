"""Powertools' process-wide state, one per execution environment, as each has a process of its own on Lambda.

Powertools keeps some state for the whole process, which on Lambda is one execution environment of a function
(locally each environment is a `ModuleTable`, the app's modules as it imported them, and "a function" below is
one environment of it):

- `Metrics` keeps the metrics, dimensions and metadata every instance shares in class attributes, so that one
  flush publishes what any `Metrics()` of the function added. With every function in one process, a function's
  flush published the metrics another function had added and not yet flushed, under its own namespace and
  service, and that function then published nothing.
- Logger, Tracer and Metrics each remember in a module global whether the container's first invocation has
  been seen (`cold_start` in log lines and traces, the ColdStart metric), so only the first function invoked in
  the process had a cold start.
- `parameters.get_parameter`, `get_secret`, `get_app_config` and the like keep their default providers in one
  module dictionary, each provider with its boto3 client and its cache of values. With every function in one
  process, the first function to ask made the provider for all: another function's `get_secret` was answered
  from the first one's cache, or fetched with the first one's client (its role, its endpoint), where on Lambda
  it would have made its own call, and been refused without the permission.
- `Logger(service=...)` configures the standard library's logger of that name, which every `Logger` of the
  service then shares with its handler, formatter and appended keys (`function_loggers`).
- `Tracer` keeps its settings in a class dictionary each `Tracer()` adds to (`_config`): once one function's
  tracer was disabled (`POWERTOOLS_TRACE_DISABLED`, or a `Tracer()` made outside any function, as a test that
  imports a handler makes one), every later function's was too, and a `Tracer()` without a service took the
  service of whichever function had named one. A disabled tracer also turns the X-Ray SDK off
  (`global_sdk_config.set_sdk_enabled(False)`, a class attribute), for every function of the process.
- The AppSync resolver (`AppSyncResolver.resolve`) keeps the event it is resolving in class attributes of
  `Router` (`Router.current_event = ...`), and every router reads it from there (`router.current_event` in a
  resolver). With two invocations running at once, in two functions or in two environments of one, a
  resolver read the other invocation's event: its arguments, and its caller's identity.

`install` (once, before a function's first import) gives each function its own: the shared metric attributes
answer with the current function's dictionaries, each cold-start check runs on the current function's own
flag, through Powertools' own check, the default providers are the current function's, the standard
loggers Powertools' Logger asks for are the current function's own (`function_loggers`), and `Router`'s
invocation attributes, `Tracer`'s settings and the X-Ray SDK's enabled flag hold the current function's values
(`PerFunctionClassAttribute`). Outside a function the process keeps Powertools' own values. Other
process-wide state stays shared, as libraries are: the Datadog provider's metrics, and the X-Ray SDK's recorder
with the modules it patched (each invocation's trace header, in its own environment, says what it traces).
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import logging
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from appsync_local import function_modules
from appsync_local.function_loggers import (
    EnvironmentLoggers,
    PerFunctionLogging,
    one_suppress_filter_per_logger,
)
from appsync_local.function_modules import ModuleTable
from appsync_local.scoped_mapping import ScopedMapping

log = logging.getLogger("appsync_local")

# The class attributes every `Metrics()` of a process shares (aws_lambda_powertools.metrics.Metrics).
SHARED_METRIC_ATTRIBUTES = ("_metrics", "_dimensions", "_metadata", "_default_dimensions")

# The module global Logger, Tracer and Metrics each keep their cold-start flag in.
FLAG = "is_cold_start"

# The X-Ray SDK's enabled flag (`SDKConfig.__SDK_ENABLED`), which a disabled `Tracer` turns off, and the class
# methods that read and set it.
XRAY_ENABLED = "_SDKConfig__SDK_ENABLED"
XRAY_FLAG_METHODS = ("sdk_enabled", "set_sdk_enabled")

# What the AppSync resolver's `resolve` keeps in class attributes of `Router`, for every router to read.
ROUTER_ATTRIBUTES = ("current_event", "current_batch_event", "lambda_context")

_INSTALL = threading.Lock()
_installed = False
# A cold-start check sets Powertools' flag to the function's, runs, and reads it back: one check at a time.
_COLD_START = threading.Lock()
# The same for the class attributes `_per_function_class_value` keeps per function.
_CLASS_VALUES = threading.Lock()


class PerFunctionClassAttribute:
    """A class attribute whose value is the current function's own (a copy of `first`, by default the class's
    value, when the function first reads it), or, outside any function, the process's. Instances may still set
    attributes of their own (it is read through, never written through); the class's own assignments reach it
    through its metaclass (`_per_function_class_attributes`), or, where that cannot be replaced, only changes
    made in place are the function's own."""

    def __init__(self, name: str, value: Any, first: Any = None) -> None:
        self.name = name
        self.default = value if first is None else first  # each function's first value (a copy of it)
        self.process_value = value

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        state = _state()
        if state is None:
            return self.process_value
        with _STATES_LOCK:
            if self not in state.class_values:
                state.class_values[self] = copy.copy(self.default)
            return state.class_values[self]

    def set(self, value: Any) -> None:
        state = _state()
        if state is None:
            self.process_value = value
            return
        with _STATES_LOCK:
            state.class_values[self] = value


def _set_class_attribute(cls: type, name: str, value: Any) -> None:
    """The metaclass's `__setattr__`: an assignment to a per-function class attribute sets the current
    function's value; any other goes to the class as usual."""
    attribute = cls.__dict__.get(name)
    if isinstance(attribute, PerFunctionClassAttribute):
        attribute.set(value)
    else:
        type.__setattr__(cls, name, value)


def _per_function_class_attributes(cls: type, names: tuple[str, ...]) -> None:
    """Make `cls`'s class attributes `names` per function: each becomes a `PerFunctionClassAttribute` (each
    function starting from a copy of the class's value), and `cls` gets a metaclass (its own, with one more
    method) whose assignments to them set the current function's value instead of replacing them. `cls`'s
    own metaclass must be one that can be replaced (a class of its own, such as `ABCMeta`; not `type`)."""
    for name in names:
        value = cls.__dict__.get(name)
        setattr(cls, name, PerFunctionClassAttribute(name, value))
    meta = type(cls)
    cls.__class__ = type(f"PerFunction{meta.__name__}", (meta,), {"__setattr__": _set_class_attribute})


def _per_function_class_value(cls: type, name: str, method: Callable[..., Any]) -> classmethod[Any, Any, Any]:
    """Class method `method` of `cls`, run on the current function's value of class attribute `name` (None at
    first), which `cls` holds meanwhile; the value it leaves is the function's. For a class attribute that
    class methods read and assign (`cls.name = value`) on a class whose metaclass is `type` itself, which
    cannot be replaced."""

    @functools.wraps(method)
    def per_function(owner: type, *args: Any, **kwargs: Any) -> Any:
        state = _state()
        with _CLASS_VALUES:
            if state is None:
                return method(owner, *args, **kwargs)
            process_value = cls.__dict__.get(name)
            setattr(cls, name, state.values.get((cls, name)))
            try:
                return method(owner, *args, **kwargs)
            finally:
                state.values[(cls, name)] = cls.__dict__.get(name)
                setattr(cls, name, process_value)

    return classmethod(per_function)


@dataclass
class _FunctionState:
    shared: dict[str, dict[str, Any]] = field(default_factory=dict)  # SHARED_METRIC_ATTRIBUTES' values
    cold: dict[str, bool] = field(default_factory=dict)  # flag holder (a module's name) -> still cold
    providers: dict[str, Any] = field(default_factory=dict)  # parameters' DEFAULT_PROVIDERS
    loggers: EnvironmentLoggers = field(default_factory=lambda: EnvironmentLoggers())
    class_values: dict[PerFunctionClassAttribute, Any] = field(default_factory=dict)
    values: dict[tuple[type, str], Any] = field(default_factory=dict)  # `_per_function_class_value`'s


_STATES: weakref.WeakKeyDictionary[ModuleTable, _FunctionState] = weakref.WeakKeyDictionary()
_STATES_LOCK = threading.Lock()


def _state() -> _FunctionState | None:
    """The state of the function running in this context; None outside any function."""
    table = function_modules.current()
    if table is None:
        return None
    with _STATES_LOCK:
        state = _STATES.get(table)
        if state is None:
            state = _STATES[table] = _FunctionState()
        return state


def _current_loggers() -> EnvironmentLoggers | None:
    state = _state()
    return None if state is None else state.loggers


class PerFunctionAttribute:
    """A class attribute whose value is the current function's own dictionary (made empty at its first use),
    or, outside any function, the value the class had."""

    def __init__(self, name: str, process_value: dict[str, Any]) -> None:
        self.name = name
        self.process_value = process_value

    def __get__(self, instance: object, owner: type | None = None) -> dict[str, Any]:
        state = _state()
        if state is None:
            return self.process_value
        with _STATES_LOCK:
            return state.shared.setdefault(self.name, {})


class PerFunctionProviders(ScopedMapping[Any]):
    """Powertools parameters' `DEFAULT_PROVIDERS`: the current function's own providers, or, outside any
    function, the process's (the dictionary Powertools made)."""

    def __init__(self, process_value: dict[str, Any]) -> None:
        self.process_value = process_value

    def _current(self) -> dict[str, Any]:
        state = _state()
        return self.process_value if state is None else state.providers


def _per_function_providers() -> None:
    """Each function's own parameter providers: every Powertools module that bound `DEFAULT_PROVIDERS` when it
    was imported is given the per-function mapping, and those imported later bind it from `constants`."""
    import sys

    from aws_lambda_powertools.utilities.parameters import constants

    if not _has(constants, "DEFAULT_PROVIDERS"):
        return
    shared = constants.DEFAULT_PROVIDERS
    providers = PerFunctionProviders(shared)
    prefix = constants.__name__.rpartition(".")[0] + "."
    for name, module in list(sys.modules.items()):
        if name.startswith(prefix) and getattr(module, "DEFAULT_PROVIDERS", None) is shared:
            setattr(module, "DEFAULT_PROVIDERS", providers)  # noqa: B010 - a module bound at its import


def _per_function_cold_start(holder: ModuleType, check: Callable[..., Any]) -> Callable[..., Any]:
    """`check`, run on the current function's cold-start flag, which `holder`'s global holds meanwhile."""

    @functools.wraps(check)
    def checked(*args: Any, **kwargs: Any) -> Any:
        state = _state()
        with _COLD_START:
            if state is None:  # the process's own code: Powertools' flag, never a function's meanwhile
                return check(*args, **kwargs)
            process_flag = getattr(holder, FLAG)
            setattr(holder, FLAG, state.cold.get(holder.__name__, True))
            try:
                return check(*args, **kwargs)
            finally:
                state.cold[holder.__name__] = getattr(holder, FLAG)
                setattr(holder, FLAG, process_flag)

    return checked


def install() -> None:
    """Give each function its own Powertools state (once per process; nothing when Powertools is absent).

    This module is the one place that reaches into Powertools' private names (`tests/unit/test_public_seams.py`);
    a Powertools release without one of them leaves that part shared and says so in the log, rather than
    refusing to run the functions."""
    global _installed
    if _installed:
        return
    with _INSTALL:
        if _installed:
            return
        _installed = True
        if importlib.util.find_spec("aws_lambda_powertools") is None:
            return
        from aws_lambda_powertools.logging import logger as powertools_logger
        from aws_lambda_powertools.metrics import metrics
        from aws_lambda_powertools.metrics.provider import base, cold_start
        from aws_lambda_powertools.tracing import tracer

        for name in SHARED_METRIC_ATTRIBUTES:
            if _has(metrics.Metrics, name):
                setattr(metrics.Metrics, name, PerFunctionAttribute(name, getattr(metrics.Metrics, name)))
        for owner, check, holder in (
            (powertools_logger, "_is_cold_start", powertools_logger),
            (tracer, "_is_cold_start", tracer),
            (base.BaseProvider, "_add_cold_start_metric", cold_start),
        ):
            if _has(owner, check) and _has(holder, FLAG):
                setattr(owner, check, _per_function_cold_start(holder, getattr(owner, check)))
        _per_function_providers()
        if _has(powertools_logger, "logging") and _has(powertools_logger.Logger, "_init_logger"):
            powertools_logger.logging = PerFunctionLogging(logging, _current_loggers)  # type: ignore[assignment]
            init_logger = powertools_logger.Logger._init_logger
            powertools_logger.Logger._init_logger = one_suppress_filter_per_logger(init_logger)  # type: ignore[method-assign]
        from aws_lambda_powertools.event_handler.graphql_appsync.router import Router

        if all(_has(Router, name) for name in ROUTER_ATTRIBUTES):
            _per_function_class_attributes(Router, ROUTER_ATTRIBUTES)
        _per_function_tracing(tracer.Tracer)


def _per_function_tracing(tracer_class: type) -> None:
    """Each function's own `Tracer` settings (starting from Powertools' defaults, changed in place by each
    `Tracer()`) and X-Ray SDK enabled flag (starting unset, so read from the function's own environment)."""
    if _has(tracer_class, "_config") and _has(tracer_class, "_default_config"):
        config = PerFunctionClassAttribute(
            "_config", tracer_class.__dict__["_config"], first=dict(tracer_class.__dict__["_default_config"])
        )
        type.__setattr__(tracer_class, "_config", config)
    if importlib.util.find_spec("aws_xray_sdk") is None:
        return
    from aws_xray_sdk.sdk_config import SDKConfig  # type: ignore[import-untyped]

    if all(_has(SDKConfig, name) for name in (XRAY_ENABLED, *XRAY_FLAG_METHODS)):
        for method in XRAY_FLAG_METHODS:
            function = SDKConfig.__dict__[method].__func__
            setattr(SDKConfig, method, _per_function_class_value(SDKConfig, XRAY_ENABLED, function))


def _has(owner: Any, name: str) -> bool:
    """Whether `owner` has `name`; if not, a warning that this part of Powertools stays shared."""
    if hasattr(owner, name):
        return True
    from aws_lambda_powertools import __version__

    log.warning(
        "Powertools %s has no %s.%s: functions share it in this process", __version__, owner.__name__, name
    )
    return False
