"""APPSYNC_JS files load as ES modules the way AppSync loads them; compiled code is cached per file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from appsync_local.js.engine import JsEngine

ENV = {"authType": "API_KEY", "typeName": "Query", "fieldName": "f"}


def _ctx(**arguments: Any) -> dict[str, Any]:
    return {
        "arguments": arguments,
        "stash": {},
        "identity": None,
        "source": None,
        "prev": {"result": None},
        "result": None,
        "error": None,
        "request": {"headers": {}},
        "info": {},
    }


@pytest.fixture(scope="module")
def engine() -> JsEngine:
    return JsEngine()


FORMS = {
    "namespace and named imports": """
import { util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';
export function request(ctx) { return { a: ddb.get({ key: { id: 'x' } }).operation, b: util.isNull(null) }; }
export function response(ctx) { return ctx.result; }
""",
    "aliased named imports": """
import { util as u, runtime as rt, extensions as ext } from '@aws-appsync/utils';
import { get as getItem, put } from '@aws-appsync/utils/dynamodb';
export function request(ctx) {
  return { a: getItem({ key: { id: 'x' } }).operation, b: typeof rt.earlyReturn === 'function' && typeof ext.evictFromApiCache === 'function' && u.isNull(null) };
}
export function response(ctx) { return ctx.result; }
""",
    "module-level helpers, constants and export list": """
import { util } from '@aws-appsync/utils';
const OP = 'GetItem';
const flag = () => true;
function op() { return OP; }
function req(ctx) { return { a: op(), b: flag() }; }
function res(ctx) { return ctx.result; }
export { req as request, res as response };
""",
    "globals without imports": """
export const request = (ctx) => ({ a: typeof runtime.earlyReturn === 'function' ? 'GetItem' : 'no', b: util.isNull(undefined) });
export const response = (ctx) => ctx.result;
""",
}


@pytest.mark.parametrize("source", FORMS.values(), ids=FORMS.keys())
def test_module_forms_load_and_run(engine: JsEngine, tmp_path: Path, source: str) -> None:
    # GIVEN a resolver written in one of the forms AppSync accepts
    path = tmp_path / "Query.form.js"
    path.write_text(source)

    # WHEN its request handler runs
    outcome = engine.call(path, "request", _ctx(), ENV)

    # THEN it sees AppSync's modules and its own helpers
    assert outcome.status == "ok", outcome
    assert outcome.value == {"a": "GetItem", "b": True}


def test_util_without_an_import_works_as_on_appsync(engine: JsEngine, tmp_path: Path) -> None:
    # GIVEN a response handler that calls util.error with no import, as AWS's own resolver samples do
    # (aws-samples/aws-appsync-resolver-samples, examples/cdk/dynamodb-todo-app/lib/appsync/resolvers/utils.ts)
    path = tmp_path / "Query.noImport.js"
    path.write_text(
        "export function request(ctx) { return {}; }\n"
        "export function response(ctx) {\n"
        "  if (ctx.error) { util.error(ctx.error.message, ctx.error.type); }\n"
        "  return ctx.result;\n}\n"
    )
    failed = {
        **_ctx(),
        "error": {"message": "The conditional request failed", "type": "DynamoDB:Conditional"},
    }

    # WHEN the data source failed
    outcome = engine.call(path, "response", failed, ENV)

    # THEN util.error raised the field error, as AppSync's global `util` does
    assert (outcome.status, outcome.message, outcome.error_type) == (
        "error",
        "The conditional request failed",
        "DynamoDB:Conditional",
    )


def test_module_state_does_not_leak_between_calls(engine: JsEngine, tmp_path: Path) -> None:
    # GIVEN a file with module-level mutable state
    path = tmp_path / "Query.state.js"
    path.write_text(
        "const seen = [];\nexport function request(ctx) { seen.push(1); return { n: seen.length }; }\n"
        "export function response(ctx) { return ctx.result; }\n"
    )

    # WHEN it runs twice
    first = engine.call(path, "request", _ctx(), ENV)
    second = engine.call(path, "request", _ctx(), ENV)

    # THEN each call sees a fresh module
    assert first.value == second.value == {"n": 1}


def test_runtime_errors_name_the_line_in_the_file(engine: JsEngine, tmp_path: Path) -> None:
    # GIVEN a handler that reads a property of undefined on line 4
    path = tmp_path / "Query.err.js"
    path.write_text(
        "import { util } from '@aws-appsync/utils';\n\nexport function request(ctx) {\n"
        "  return ctx.args.missing.deep;\n}\nexport function response(ctx) { return ctx.result; }\n"
    )

    # WHEN it runs
    outcome = engine.call(path, "request", _ctx(), ENV)

    # THEN the outcome is a code error at line 4
    assert outcome.status == "code"
    assert outcome.line == 4
    assert outcome.message.startswith("TypeError")


def test_compiled_code_is_cached_and_recompiled_when_the_file_changes(
    engine: JsEngine, tmp_path: Path
) -> None:
    # GIVEN a file that has run once
    path = tmp_path / "Query.cached.js"
    path.write_text(
        "export function request(ctx) { return { v: 1 }; }\nexport function response(ctx) { return 0; }\n"
    )
    assert engine.call(path, "request", _ctx(), ENV).value == {"v": 1}
    compiled = engine.compilations

    # WHEN it runs again unchanged
    assert engine.call(path, "request", _ctx(), ENV).value == {"v": 1}

    # THEN nothing was recompiled
    assert engine.compilations == compiled

    # WHEN the file changes
    path.write_text(
        "export function request(ctx) { return { v: 22 }; }\nexport function response(ctx) { return 0; }\n"
    )
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))

    # THEN the next call runs the new code, compiled once
    assert engine.call(path, "request", _ctx(), ENV).value == {"v": 22}
    assert engine.compilations == compiled + 1


def _write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)


RESOLVER_USING_LIB = (
    "import { first } from '../lib/names.js';\n"
    "export function request(ctx) { return { name: first(ctx.args.user) }; }\n"
    "export function response(ctx) { return ctx.result; }\n"
)


def test_runtime_errors_in_lib_code_name_the_lib_file_and_line(engine: JsEngine, tmp_path: Path) -> None:
    # GIVEN a lib helper that reads a property of undefined on its line 3
    _write(
        tmp_path,
        {
            "lib/names.js": "export function first(user) {\n  // the first of a user's names\n  return user.names[0];\n}\n",
            "none/Query.name.js": RESOLVER_USING_LIB,
        },
    )

    # WHEN the resolver calls it with no user
    outcome = engine.call(tmp_path / "none/Query.name.js", "request", _ctx(), ENV)

    # THEN the code error names the lib file and line
    assert outcome.status == "code" and outcome.message.startswith("TypeError")
    assert (outcome.file, outcome.line) == (tmp_path / "lib/names.js", 3)


def test_an_edited_lib_file_is_picked_up_by_the_next_call(engine: JsEngine, tmp_path: Path) -> None:
    # GIVEN a resolver that ran with its lib helper
    _write(
        tmp_path,
        {
            "lib/names.js": "export function first(user) { return user.names[0]; }\n",
            "none/Query.name.js": RESOLVER_USING_LIB,
        },
    )
    path = tmp_path / "none/Query.name.js"
    assert engine.call(path, "request", _ctx(user={"names": ["Ada", "L"]}), ENV).value == {"name": "Ada"}
    compiled = engine.compilations

    # WHEN only the lib file is edited (as during `make run`)
    lib = tmp_path / "lib/names.js"
    stat = lib.stat()
    lib.write_text("export function first(user) { return user.names[0].toUpperCase(); }\n")
    os.utime(lib, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))

    # THEN the next call runs the new helper, compiled once
    assert engine.call(path, "request", _ctx(user={"names": ["Ada", "L"]}), ENV).value == {"name": "ADA"}
    assert engine.compilations == compiled + 1
