"""Runs APPSYNC_JS unit and pipeline resolvers as AppSync does: request handler, data source, response handler."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from appdef.bindings import Binding, js_code_files
from jsbundles import JsCodeError

from ..errors import AppSyncFieldError
from ..resolver_context import ResolverInvocation
from ..wire.resolver_event import DataSourceFailure, JsContext
from .compiled import CompiledBundles
from .datasource import DataSource, DataSourceError
from .engine import HandlerOutcome, JsEngine, Kept, Loaded, to_json

CODE_ERROR_TYPE = "Code"


class JsResolverRunner:
    """The executor's code runner for bindings of kind "JS" (unit) and "PIPELINE".

    Parameters
    ----------
    data_sources
        Every data source the resolvers name, by name (appsync.toml `[data_sources]`).
    environment
        AppSync's API environment variables (`ctx.env`).
    compiled
        Where compiled bundles are kept (`CompiledBundles`); in memory only when not given.

    Notes
    -----
    QuickJS contexts must stay on the thread that made them, so the runner keeps one engine per thread
    (`threading.local`). Each handler call runs to completion synchronously (no await inside), so calls from
    many coroutines on one event loop never interleave inside an engine and need no lock.
    """

    def __init__(
        self,
        data_sources: Mapping[str, DataSource],
        environment: Mapping[str, str] | None = None,
        compiled: CompiledBundles | None = None,
    ) -> None:
        self.data_sources = dict(data_sources)
        self.environment = dict(environment or {})  # AppSync's API environment variables: ctx.env
        # Every thread's engine reads and adds to the same compiled bundles: a file is compiled once.
        self.compiled = compiled if compiled is not None else CompiledBundles()
        self._local = threading.local()

    @property
    def engine(self) -> JsEngine:
        """This thread's engine, made on first use (tens of ms: acorn and AppSync's library are loaded)."""
        engine: JsEngine | None = getattr(self._local, "engine", None)
        if engine is None:
            engine = self._local.engine = JsEngine(compiled=self.compiled)
        return engine

    def check(self, bindings: Iterable[Binding]) -> None:
        """Load every file the bindings name; raise JsCodeError for the first one AppSync would reject."""
        files = js_code_files(bindings)
        self.engine.bundler.bundle_all(files)  # one esbuild run for all of them
        for path in files:
            self.engine.load(path)

    async def run(self, binding: Binding, invocation: ResolverInvocation) -> Any:
        if binding.code is None:
            raise ValueError(f"{binding.key}: an APPSYNC_JS binding needs a code file")
        if binding.kind == "JS":
            return await self._run_unit(binding, invocation)
        if binding.kind == "PIPELINE":
            return await self._run_pipeline(binding, invocation)
        raise ValueError(f"{binding.key}: JsResolverRunner runs JS and PIPELINE bindings, not {binding.kind}")

    # -- unit and pipeline ---------------------------------------------------------------------------

    async def _run_unit(self, binding: Binding, invocation: ResolverInvocation) -> Any:
        code = binding.code
        assert code is not None
        loaded: Loaded = {}  # a resolution stays on its event loop's thread, so on one engine
        request = self._handle(code, "request", _ctx(invocation), invocation, Kept(), loaded)
        if request.status == "earlyReturn":
            return request.value
        stash = request.stash_json or "{}"
        result, error = await self._invoke(binding.data_source, request.value, invocation)
        response = self._handle(
            code, "response", _ctx(invocation, error), invocation, Kept(stash, result=to_json(result)), loaded
        )
        return response.value

    async def _run_pipeline(self, binding: Binding, invocation: ResolverInvocation) -> Any:
        # The stash and each function's result go from handler to handler as JSON text (`Kept`).
        code = binding.code
        assert code is not None
        loaded: Loaded = {}
        before = self._handle(code, "request", _ctx(invocation), invocation, Kept(), loaded)
        stash = before.stash_json or "{}"
        prev = before.value_json
        if before.status != "earlyReturn":
            for function in binding.functions:
                request = self._handle(
                    function.code, "request", _ctx(invocation), invocation, Kept(stash, prev), loaded
                )
                stash = request.stash_json or stash
                if request.status == "earlyReturn":
                    prev = request.value_json
                    if request.skip_to == "END":
                        break
                    continue
                result, error = await self._invoke(function.data_source, request.value, invocation)
                response = self._handle(
                    function.code,
                    "response",
                    _ctx(invocation, error),
                    invocation,
                    Kept(stash, prev, to_json(result)),
                    loaded,
                )
                stash = response.stash_json or stash
                prev = response.value_json
                if response.status == "earlyReturn" and response.skip_to == "END":
                    break
        after = self._handle(code, "response", _ctx(invocation), invocation, Kept(stash, prev, prev), loaded)
        return after.value

    # -- steps -------------------------------------------------------------------------------------------

    async def _invoke(
        self, name: str | None, request: Any, invocation: ResolverInvocation
    ) -> tuple[Any, DataSourceFailure | None]:
        source = self.data_sources.get(name or "")
        if source is None:
            raise AppSyncFieldError(f"No data source named {name!r} is configured", "InternalFailure")
        try:
            return await source.invoke(request, invocation), None
        except DataSourceError as error:
            # The response handler decides: AppSync hands it the failure as ctx.error, and whatever the data
            # source still returned (the current item of a failed condition, a transaction's
            # cancellationReasons) as ctx.result.
            return error.data, {"message": error.message, "type": error.error_type}

    def _handle(
        self,
        path: Path,
        handler: str,
        ctx: JsContext,
        invocation: ResolverInvocation,
        kept: Kept,
        loaded: Loaded,
    ) -> HandlerOutcome:
        env = {
            "authType": invocation.auth_type,
            "typeName": invocation.info.get("parentTypeName"),
            "fieldName": invocation.info.get("fieldName"),
        }
        ctx["env"] = self.environment
        try:
            outcome = self.engine.call(path, handler, ctx, env, kept, loaded)
        except JsCodeError as error:
            raise AppSyncFieldError(str(error), CODE_ERROR_TYPE) from None
        for appended in outcome.appended:
            invocation.appended_errors.append(
                AppSyncFieldError(
                    appended["message"],
                    appended["errorType"],
                    appended.get("data"),
                    appended.get("errorInfo"),
                )
            )
        _record_extensions(invocation, outcome.extensions or {})
        if outcome.status == "error":
            raise AppSyncFieldError(
                outcome.message,
                outcome.error_type or "CustomTemplateException",
                outcome.data,
                outcome.error_info,
            )
        if outcome.status == "code":
            where = f"{outcome.file}:{outcome.line}" if outcome.file else str(path)
            raise AppSyncFieldError(f"{where}: {outcome.message} (in {handler})", CODE_ERROR_TYPE)
        if outcome.status == "missing":
            raise AppSyncFieldError(f"{path}: exports no {handler} function", CODE_ERROR_TYPE)
        return outcome


def _ctx(invocation: ResolverInvocation, error: DataSourceFailure | None = None) -> JsContext:
    """A handler's ctx, but for its stash, prev and result: those go to the engine as JSON text (`Kept`)."""
    return {
        "arguments": invocation.arguments,
        "identity": invocation.identity,
        "source": invocation.source,
        "stash": None,
        "prev": None,
        "result": None,
        "error": error,
        # domainName is the API's custom domain; AppSync sends null on its own domain, the only one here
        "request": {"headers": invocation.request_headers, "domainName": None},
        "info": invocation.info,
    }


def _record_extensions(invocation: ResolverInvocation, recorded: dict[str, Any]) -> None:
    for key in ("subscriptionFilter", "subscriptionInvalidationFilter"):
        if key in recorded:
            invocation.extensions[key] = recorded[key]
    for key in ("invalidateSubscriptions", "evictFromApiCache", "responseHeaders"):
        if key in recorded:
            invocation.extensions.setdefault(key, []).extend(recorded[key])
