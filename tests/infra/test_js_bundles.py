"""Resolvers that import shared code from `lib/`: served locally end to end, and deployed as the very bundle
the local runtime ran (byte for byte)."""

from __future__ import annotations

import asyncio
import base64
import importlib
import json
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from appdef import load_config
from appsync_local.auth import RequestAuth
from appsync_local.runtime import Runtime, build_runtime
from appsync_local.sdl import write_schema_file
from jsbundles import Bundle
from jsbundles.sourcemap import INLINE_PREFIX
from tests.infra.conftest import CDK_MISSING

TOML = """
[api]
name = "lib-bundles"
schema = "bundles_schema:schema"
default_auth = "API_KEY"

[data_sources.none]
type = "NONE"

[pipelines."Query.shout"]
functions = ["loudName"]
"""

SCHEMA = """
import strawberry

@strawberry.type
class Query:
    @strawberry.field
    def greet(self, name: str) -> str: ...

    @strawberry.field
    def shout(self, name: str) -> str: ...

schema = strawberry.Schema(query=Query)
"""

JS = {
    "lib/names.js": """
        import { util } from '@aws-appsync/utils';

        // Both fields accept a name the same way: trimmed, and never blank.
        export function cleanName(name) {
          const trimmed = name.trim();
          if (trimmed.length === 0) {
            util.error('name must not be blank', 'ValidationError');
          }
          return trimmed;
        }
    """,
    "none/Query.greet.js": """
        import { cleanName } from '../lib/names.js';

        export function request(ctx) {
          return { payload: `hello ${cleanName(ctx.args.name)}` };
        }

        export function response(ctx) {
          return ctx.result;
        }
    """,
    "functions/none/loudName.js": """
        import { cleanName } from '../../lib/names.js';

        export function request(ctx) {
          return { payload: cleanName(ctx.args.name).toUpperCase() };
        }

        export function response(ctx) {
          return ctx.result;
        }
    """,
    "pipelines/Query.shout.js": """
        export function request() {
          return {};
        }

        export function response(ctx) {
          return `${ctx.prev.result}!`;
        }
    """,
}


@dataclass(frozen=True)
class App:
    root: Path
    runtime: Runtime

    def js(self, relative: str) -> Path:
        return self.root / "resolvers" / "js" / relative

    def query(self, query: str) -> dict[str, Any]:
        context = self.runtime.executor.new_context(RequestAuth(mode="API_KEY", identity=None), {})
        body: dict[str, Any] = asyncio.run(self.runtime.executor.execute(query, None, None, context))
        return body


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """The app above, written to a folder and served by the local runtime."""
    root = tmp_path_factory.mktemp("lib-bundles")
    (root / "bundles_schema.py").write_text(SCHEMA)
    for relative, code in JS.items():
        path = root / "resolvers" / "js" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code).lstrip())
    (root / "appsync.toml").write_text(TOML)
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(root))
        sys.modules.pop("bundles_schema", None)
        importlib.invalidate_caches()
        write_schema_file(root / "schema.graphql", "bundles_schema:schema")
        yield App(root, build_runtime(load_config(root / "appsync.toml"), root / "data"))


@pytest.fixture(scope="module")
def deployed(app: App) -> dict[str, str]:
    """Name -> code of every AppSync resolver (`Type.field`) and function of the synthesized stack."""
    pytest.importorskip("aws_cdk", reason=CDK_MISSING)
    from aws_cdk.assertions import Template

    from infra.stacks.assembly import build_stack, new_app

    stack = build_stack(new_app(app.root / "cdk.out"), app.root / "appsync.toml")
    code: dict[str, str] = {}
    for resource in Template.from_stack(stack).to_json()["Resources"].values():
        props = resource["Properties"]
        if resource["Type"] == "AWS::AppSync::Resolver":
            code[f"{props['TypeName']}.{props['FieldName']}"] = props["Code"]
        elif resource["Type"] == "AWS::AppSync::FunctionConfiguration":
            code[props["Name"]] = props["Code"]
    return code


def test_resolvers_importing_lib_code_work_locally_end_to_end(app: App) -> None:
    # GIVEN a unit resolver and a pipeline's function that share lib/names.js
    # WHEN the fields are queried
    body = app.query('{ greet(name: "  Ada ") shout(name: "ada") }')
    # THEN both ran the shared helper
    assert body == {"data": {"greet": "hello Ada", "shout": "ADA!"}}
    # AND its refusal reaches the client as AppSync shapes a util.error
    refused = app.query('{ greet(name: "  ") }')
    assert refused["data"] is None
    errors = [(e["errorType"], e["message"]) for e in refused["errors"]]
    assert errors == [("ValidationError", "name must not be blank")]


def test_the_stack_deploys_byte_for_byte_the_bundles_the_local_runtime_ran(
    app: App, deployed: dict[str, str]
) -> None:
    # GIVEN the code the local runtime's engine compiled and ran for each file
    engine = app.runtime.code_runner.engine
    ran = {
        "Query.greet": engine.compiled_code(app.js("none/Query.greet.js")),
        "Query.shout": engine.compiled_code(app.js("pipelines/Query.shout.js")),
        "loudName": engine.compiled_code(app.js("functions/none/loudName.js")),
    }
    # WHEN the stack is synthesized
    # THEN each resolver and function deploys exactly that text
    assert all(ran.values())
    assert deployed == ran


def test_a_deployed_bundle_stands_alone_with_an_inline_source_map(app: App, deployed: dict[str, str]) -> None:
    code = deployed["loudName"]
    # THEN the lib helper is inside, and nothing is imported but AppSync's own modules
    assert "function cleanName(name) {" in code
    assert "lib/names.js'" not in code and 'lib/names.js"' not in code
    # AND the source map AppSync reads is inline, names the files relative to the function, holds no sources
    comment = code.rstrip("\n").rpartition("\n")[2]
    source_map = json.loads(base64.b64decode(comment.removeprefix(INLINE_PREFIX)))
    assert sorted(source_map["sources"]) == ["../../lib/names.js", "loudName.js"]
    assert "sourcesContent" not in source_map


def test_a_bundle_over_appsyncs_inline_limit_is_deployed_as_an_asset_of_the_same_text(tmp_path: Path) -> None:
    pytest.importorskip("aws_cdk", reason=CDK_MISSING)
    from infra.stacks.resolvers import MAX_INLINE_CODE_BYTES, bundle_code

    # GIVEN a bundle just over AppSync's 32 KB of inline code
    text = "export const big = '" + "x" * MAX_INLINE_CODE_BYTES + "';\n"
    bundle = Bundle(tmp_path / "Query.big.js", text, None, ())  # type: ignore[arg-type]
    # WHEN it becomes AppSync code
    code = bundle_code(bundle)
    # THEN it is an asset file holding the same text
    assert Path(code.path).read_text() == text  # type: ignore[attr-defined]
