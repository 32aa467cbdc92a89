"""One QuickJS context with AppSync's APPSYNC_JS library loaded, and the resolver files compiled into it."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import quickjs

from .errors import JsCodeError
from .host import HOST_FUNCTIONS

LIB_DIR = Path(__file__).parent / "lib"
ACORN = Path(__file__).resolve().parents[2] / "node_modules" / "acorn" / "dist" / "acorn.js"
# Library code is evaluated below this line so that a stack frame above it is the resolver's own code
# (QuickJS names every evaluated script "<input>"; lines are what tells them apart).
LIB_LINE_BASE = 1_000_000
LIB_FILES = ("host.js", "transform.js", "util.js", "dynamodb.js", "loader.js", "driver.js")
_FRAME = re.compile(r"<input>:(\d+)(?::(\d+))?")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_ENCODER = json.JSONEncoder(default=_json_default, separators=(",", ":"))


def to_json(value: Any) -> str:
    return _ENCODER.encode(value)


def _host(function: Callable[..., Any]) -> Callable[..., str]:
    def call(*args: Any) -> str:
        try:
            return json.dumps({"ok": function(*args)})
        except Exception as error:  # noqa: BLE001 -- reported to the resolver's code as a JS Error, never a crash
            return json.dumps({"error": f"{type(error).__name__}: {error}" if not str(error) else str(error)})

    return call


@dataclass(frozen=True)
class HandlerOutcome:
    """What one handler call produced.

    `status` is "ok" (value), "earlyReturn" (value, skip_to), "error" (util.error: message, error_type, data,
    error_info), "code" (a runtime error in the code: message, line) or "missing" (the file exports no such
    handler).
    """

    status: str
    value: Any = None
    skip_to: str | None = None
    message: str = ""
    error_type: str | None = None
    data: Any = None
    error_info: Any = None
    line: int = 0
    stash: dict[str, Any] | None = None
    appended: tuple[dict[str, Any], ...] = ()
    extensions: dict[str, Any] | None = None


class JsEngine:
    """A QuickJS context with AppSync's library; compiles resolver files once and runs their handlers.

    Not thread-safe (QuickJS contexts must stay on one thread): the runner keeps one engine per thread.
    Compiled files are cached by path and invalidated when the file's mtime or size changes.
    """

    def __init__(self) -> None:
        self._context = quickjs.Context()
        for name, function in HOST_FUNCTIONS.items():
            self._context.add_callable(name.replace("__host_", "__raw_host_"), _host(function))
        library = "\n".join(
            [ACORN.read_text(encoding="utf-8")] + [(LIB_DIR / name).read_text(encoding="utf-8") for name in LIB_FILES]
        )
        self._context.eval("\n" * LIB_LINE_BASE + library)
        self._compile = self._context.eval("__appsync.compile")
        self._call = self._context.eval("__appsync.call")
        self._modules: dict[Path, tuple[tuple[int, int], str]] = {}
        self._next_id = 0
        self.compilations = 0  # how many times a file was (re)compiled: the cache's observable behaviour

    def load(self, path: Path) -> str:
        """The id of `path`'s compiled module, compiling it if new or changed; raises JsCodeError."""
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = self._modules.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        source = path.read_text(encoding="utf-8")
        result = json.loads(self._compile(source))
        self.compilations += 1
        if "error" in result:
            error = result["error"]
            raise JsCodeError(path, int(error["line"]), error["rule"], error["message"], int(error["column"]))
        self._next_id += 1
        module_id = f"m{self._next_id}"
        try:
            self._context.eval(f"__appsync.register({json.dumps(module_id)}, {result['code']})")
        except quickjs.JSException as error:  # acorn accepted what QuickJS rejects: still a syntax error
            raise JsCodeError(path, _user_line(str(error)), "syntax-error", str(error).splitlines()[0]) from None
        self._modules[path] = (stamp, module_id)
        return module_id

    def call(self, path: Path, handler: str, ctx: dict[str, Any], env: dict[str, Any]) -> HandlerOutcome:
        """Run `handler` ("request" or "response") of `path` with `ctx`; env: authType, typeName, fieldName."""
        module_id = self.load(path)
        raw = json.loads(self._call(module_id, handler, to_json(ctx), to_json(env)))
        status = raw["status"]
        common: dict[str, Any] = {
            "stash": raw.get("stash") if isinstance(raw.get("stash"), dict) else {},
            "appended": tuple(raw.get("appended") or ()),
            "extensions": raw.get("extensions") or {},
        }
        if status == "ok":
            return HandlerOutcome("ok", value=raw.get("value"), **common)
        if status == "earlyReturn":
            return HandlerOutcome("earlyReturn", value=raw.get("value"), skip_to=raw.get("skipTo"), **common)
        if status == "error":
            return HandlerOutcome("error", message=raw["message"], error_type=raw["errorType"], data=raw.get("data"),
                                  error_info=raw.get("errorInfo"), **common)
        if status == "code":
            message = f"{raw.get('name', 'Error')}: {raw.get('message', '')}"
            return HandlerOutcome("code", message=message, line=_user_line(raw.get("stack", "")), **common)
        return HandlerOutcome("missing", **common)


def _user_line(stack: str) -> int:
    """The line of the first stack frame in the resolver's own code (0 when none is)."""
    for match in _FRAME.finditer(stack):
        line = int(match.group(1))
        if line < LIB_LINE_BASE:
            return line
    return 0
