"""One QuickJS context with AppSync's APPSYNC_JS library loaded, and resolver bundles compiled into it."""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import importlib.metadata
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import quickjs

from jsbundles import Bundle, Bundler, JsCodeError, default_bundler

from .compiled import CompiledBundles
from .host import HOST_FUNCTIONS

LIB_DIR = Path(__file__).parent / "lib"
_QUICKJS_VERSION = importlib.metadata.version("quickjs-ng")  # the PyPI distribution of `quickjs`
ACORN = Path(__file__).resolve().parents[2] / "node_modules" / "acorn" / "dist" / "acorn.js"
# Library code is evaluated below this line so that a stack frame above it is the resolver's own code
# (QuickJS names every evaluated script "<input>"; lines are what tells them apart).
LIB_LINE_BASE = 1_000_000
LIB_FILES = ("host.js", "transform.js", "util.js", "dynamodb.js", "loader.js", "driver.js")
_FRAME = re.compile(r"<input>:(\d+)(?::(\d+))?")

# The files one resolution has loaded on one engine (path to bundle and module id), each checked for changes once
# (`JsEngine.call`).
Loaded = dict[Path, tuple[Bundle, str]]


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
    """`value` as JSON for the engine. orjson, as a pipeline hands each handler the whole context (a page of 100
    posts is in its stash, its prev and its result): with the standard encoder that cost a third of a
    `listPosts(limit: 100)` request's CPU (bench/README.md). The standard encoder takes what orjson refuses
    (integers past 64 bits, non-string keys), exactly as before."""
    try:
        return orjson.dumps(value, default=_json_default).decode()
    except orjson.JSONEncodeError:
        return _ENCODER.encode(value)


def from_json(text: str) -> Any:
    """The engine's JSON output, read by orjson; by the standard decoder where orjson refuses it: lone
    surrogates, which QuickJS writes as escapes (`"😀".slice(0, 1)`). (orjson reads an integer past 64 bits
    as a float; in JS it was a double already.)"""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _host(function: Callable[..., Any]) -> Callable[..., str]:
    def call(*args: Any) -> str:
        try:
            return json.dumps({"ok": function(*args)})
        except Exception as error:  # reported to the resolver's code as a JS Error, never a crash
            return json.dumps({"error": f"{type(error).__name__}: {error}" if not str(error) else str(error)})

    return call


@dataclass(frozen=True)
class Kept:
    """A handler's `ctx.stash`, `ctx.prev.result` and `ctx.result` as JSON text.

    A pipeline hands the stash and each function's result on to the next handler; as text they are read (in the
    engine) only by a handler that uses them, and written again only when a handler has read them. Each
    handler still gets its own copy, as before. `prev` is always text the engine wrote (a handler's value): a
    handler that hands `ctx.prev.result` on untouched hands on that text as it is (`lib/driver.js`); `result`
    is treated so only when it is the same text as `prev` (always so in a pipeline's response handler).
    """

    stash: str = "{}"
    prev: str = "null"
    result: str = "null"


@dataclass(frozen=True)
class HandlerOutcome:
    """What one handler call produced.

    `status` is "ok" (value), "earlyReturn" (value, skip_to), "error" (util.error: message, error_type, data,
    error_info), "code" (a runtime error in the code: message, and the source file and line it came from) or
    "missing" (the file exports no such handler). The value and the stash come as JSON text: `value` reads it;
    `stash_json` is None when the handler never read the stash (it is then unchanged).
    """

    status: str
    value_json: str = "null"
    skip_to: str | None = None
    message: str = ""
    error_type: str | None = None
    data: Any = None
    error_info: Any = None
    line: int = 0
    file: Path | None = None
    stash_json: str | None = None
    appended: tuple[dict[str, Any], ...] = ()
    extensions: dict[str, Any] | None = None

    @functools.cached_property
    def value(self) -> Any:
        return from_json(self.value_json)


class JsEngine:
    """A QuickJS context with AppSync's library; compiles resolver bundles once and runs their handlers.

    Not thread-safe (QuickJS contexts must stay on one thread): the runner keeps one engine per thread.
    A file runs as its bundle (`bundler.py`); the compiled bundle is kept until the bundle's text changes,
    that is until the file or a `lib/` file it imports changes.
    """

    def __init__(self, bundler: Bundler | None = None, compiled: CompiledBundles | None = None) -> None:
        self.bundler = bundler or default_bundler()
        self.compiled = compiled if compiled is not None else CompiledBundles()
        self._context = quickjs.Context()
        for name, function in HOST_FUNCTIONS.items():
            self._context.add_callable(name.replace("__host_", "__raw_host_"), _host(function))
        library = "\n".join(
            [ACORN.read_text(encoding="utf-8")]
            + [(LIB_DIR / name).read_text(encoding="utf-8") for name in LIB_FILES]
        )
        self._context.eval("\n" * LIB_LINE_BASE + library)
        # What a compiled bundle depends on besides its own text (`CompiledBundles.key`).
        self._library_digest = hashlib.sha256(f"{_QUICKJS_VERSION}\0{library}".encode()).hexdigest()
        self._compile = self._context.eval("__appsync.compile")
        self._call = self._context.eval("__appsync.call")
        self._modules: dict[Path, tuple[Bundle, str]] = {}
        self._next_id = 0
        self.compilations = 0  # how many times a file was (re)compiled: the cache's observable behaviour

    def load(self, path: Path) -> str:
        """The id of `path`'s compiled bundle, compiling it if new or changed; raises JsCodeError.

        AppSync's rules are checked on the bundle (what AppSync runs); an error names the source file and line
        the offending code came from, through the bundle's source map.
        """
        bundle = self.bundler.bundle(path)
        cached = self._modules.get(path)
        if cached is not None and cached[0].digest == bundle.digest:
            return cached[1]
        result = self._compiled_answer(bundle)
        self.compilations += 1
        if "error" in result:
            error = result["error"]
            if error["rule"] == "missing-handler":  # about the entry file as a whole
                raise JsCodeError(path, 0, error["rule"], error["message"])
            raise bundle.code_error(int(error["line"]), int(error["column"]), error["rule"], error["message"])
        self._next_id += 1
        module_id = f"m{self._next_id}"
        try:
            self._context.eval(f"__appsync.register({json.dumps(module_id)}, {result['code']})")
        except quickjs.JSException as error:  # acorn accepted what QuickJS rejects: still a syntax error
            line, column = _user_frame(str(error))
            raise bundle.code_error(line, column, "syntax-error", str(error).splitlines()[0]) from None
        self._modules[path] = (bundle, module_id)
        return module_id

    def _compiled_answer(self, bundle: Bundle) -> dict[str, Any]:
        """The compiler's answer for `bundle`: kept from an earlier compilation, or compiled now and kept."""
        key = CompiledBundles.key(self._library_digest, bundle.digest)
        kept = self.compiled.get(key)
        if kept is not None:
            with contextlib.suppress(ValueError):  # a damaged entry is compiled again, and replaced
                answer = json.loads(kept)
                if isinstance(answer, dict):
                    return answer
        compiled = self._compile(bundle.code)
        self.compiled.put(key, compiled)
        return dict(json.loads(compiled))

    def compiled_code(self, path: Path) -> str | None:
        """The bundle text this engine compiled for `path` and runs (None before `path` is loaded)."""
        cached = self._modules.get(path)
        return cached[0].code if cached is not None else None

    def call(
        self,
        path: Path,
        handler: str,
        ctx: Mapping[str, Any],
        env: dict[str, Any],
        kept: Kept = Kept(),
        loaded: Loaded | None = None,
    ) -> HandlerOutcome:
        """Run `handler` ("request" or "response") of `path` with `ctx` (its stash, prev and result as `kept`);
        env: authType, typeName, fieldName.

        `loaded` holds the files one resolution has loaded (path to bundle and module id, on this engine): a file is
        checked for changes once per resolution, not before each of its handlers, so one resolution runs each
        file as it was when the resolution first ran it (a pipeline's ten handlers cost three checks, not ten).
        """
        module = loaded.get(path) if loaded is not None else None
        if module is None:
            self.load(path)
            module = self._modules[path]
            if loaded is not None:
                loaded[path] = module
        bundle, module_id = module
        output = self._call(
            module_id, handler, to_json(ctx), to_json(env), kept.stash, kept.prev, kept.result
        )
        outcome, value_json, stash_json = output.split("\x01")
        value_json = value_json or kept.prev  # nothing: prev handed on untouched, as it came
        raw = from_json(outcome)
        status = raw["status"]
        common: dict[str, Any] = {
            "stash_json": stash_json or None,
            "appended": tuple(raw.get("appended") or ()),
            "extensions": raw.get("extensions") or {},
        }
        if status == "ok":
            return HandlerOutcome("ok", value_json=value_json, **common)
        if status == "earlyReturn":
            return HandlerOutcome("earlyReturn", value_json=value_json, skip_to=raw.get("skipTo"), **common)
        if status == "error":
            return HandlerOutcome(
                "error",
                message=raw["message"],
                error_type=raw["errorType"],
                data=raw.get("data"),
                error_info=raw.get("errorInfo"),
                **common,
            )
        if status == "code":
            message = f"{raw.get('name', 'Error')}: {raw.get('message', '')}"
            line, column = _user_frame(raw.get("stack", ""))
            where = bundle.original(line, column) if line else None
            if where is None:
                return HandlerOutcome("code", message=message, **common)
            return HandlerOutcome("code", message=message, line=where[1], file=where[0], **common)
        return HandlerOutcome("missing", **common)


def _user_frame(stack: str) -> tuple[int, int]:
    """Line (1-based) and column (0-based) of the first stack frame in the bundle ((0, 0) if none is)."""
    for match in _FRAME.finditer(stack):
        line = int(match.group(1))
        if line < LIB_LINE_BASE:
            return line, max(int(match.group(2) or 1) - 1, 0)
    return 0, 0
