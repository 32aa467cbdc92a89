"""APPSYNC_JS resolvers, run locally as AppSync runs them.

Engine: QuickJS (PyPI `quickjs-ng`), chosen by a one-off measurement against mini-racer (V8, 0.14; not a
dependency) and dukpy when the engine was picked:

==============  ================  ========================  ==============================
engine          context startup   one handler call          notes
==============  ================  ========================  ==============================
quickjs-ng      0.2 ms            6 us (JSON in/out)        ES2023, in-process C calls
mini-racer      155 ms            160-240 us                V8 behind a message thread
dukpy           -                 -                         ES5 only: no let/const/arrows
==============  ================  ========================  ==============================

`bench/js_engine.py` measures the engine as used: with acorn and AppSync's library loaded an engine starts
in about 20 ms (once per thread), a GetItem `request` handler costs about 26 us and a whole unit
resolution (request, data source, response, Python glue) about 50 us (bench/README.md).

How a file is loaded: esbuild bundles it with the files it imports by relative path (the resolvers' `lib/`)
into the one ES module AppSync runs and `infra/` deploys (`jsbundles`). acorn (node_modules/acorn, evaluated
in the engine) parses the bundle; the AST walk rejects what APPSYNC_JS rejects, and the bundle's source map
(`jsbundles.sourcemap`) turns the position into the source file and line (`JsCodeError` with file, line and rule);
imports of `@aws-appsync/utils` and `@aws-appsync/utils/dynamodb` and the `export`s are rewritten from AST
positions (lines kept) into a function returning the exports. A bundle is made again when its file or any
file it imports changes, and compiled again when its text changes. The library (`lib/*.js`) is real
JavaScript; Python only supplies what needs the OS (ids, time zones, encodings) in `host.py`.

Compiled bundles are kept by content (`CompiledBundles`; the runtime keeps them in the app's
`.build/appsync-js/`), so each is compiled once, not once per thread and per start.

Public interface: `JsResolverRunner` (the executor's code runner), `CompiledBundles`, `DataSource`, `DataSourceError`,
`NoneDataSource`, `JsCodeError`, and `default_bundler()` (the bundles the runtime runs, for `infra/`).
"""

from __future__ import annotations

from jsbundles import Bundle, BundlerUnavailable, JsCodeError, default_bundler

from .compiled import CompiledBundles
from .datasource import DataSource, DataSourceError, NoneDataSource
from .runner import JsResolverRunner

__all__ = [
    "Bundle",
    "BundlerUnavailable",
    "CompiledBundles",
    "DataSource",
    "DataSourceError",
    "JsCodeError",
    "JsResolverRunner",
    "NoneDataSource",
    "default_bundler",
]
