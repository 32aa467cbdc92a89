"""Issue contract of the registry: a new field with an APPSYNC_JS file, and nothing else, is served by the
local runtime and deployed by the stack."""

from __future__ import annotations

import asyncio
import importlib
import sys
import textwrap
from pathlib import Path

import pytest

from appdef import load_config
from appsync_local.auth import RequestAuth
from appsync_local.runtime import build_runtime
from appsync_local.sdl import write_schema_file
from tests.infra.conftest import CDK_MISSING

TOML = """
[api]
name = "new-field"
schema = "newfield_schema:schema"
default_auth = "API_KEY"

[data_sources.none]
type = "NONE"
"""

SCHEMA = """
import strawberry

@strawberry.type
class Query:
    @strawberry.field
    def ping(self) -> str: ...
{extra}

schema = strawberry.Schema(query=Query)
"""

HELLO_FIELD = """
    @strawberry.field
    def hello(self, name: str) -> str: ...
"""

PING_JS = """
export function request() { return { payload: 'pong' }; }
export function response(ctx) { return ctx.result; }
"""

HELLO_JS = """
export function request(ctx) { return { payload: `hello ${ctx.args.name}` }; }
export function response(ctx) { return ctx.result; }
"""


def write_app(root: Path, *, with_hello: bool) -> Path:
    (root / "newfield_schema.py").write_text(SCHEMA.format(extra=HELLO_FIELD if with_hello else ""))
    js = root / "resolvers" / "js" / "none"
    js.mkdir(parents=True, exist_ok=True)
    (js / "Query.ping.js").write_text(textwrap.dedent(PING_JS))
    if with_hello:
        (js / "Query.hello.js").write_text(textwrap.dedent(HELLO_JS))
    (root / "appsync.toml").write_text(TOML)
    sys.modules.pop("newfield_schema", None)
    importlib.invalidate_caches()
    write_schema_file(root / "schema.graphql", "newfield_schema:schema")  # what `make schema` does
    return root / "appsync.toml"


def resolvers_of(config_path: Path, outdir: Path) -> dict[str, str]:
    """`Type.field` -> the resolver's code, as the synthesized stack deploys it."""
    from aws_cdk.assertions import Template

    from infra.stacks.assembly import build_stack, new_app

    app = new_app(outdir)
    stack = build_stack(app, config_path)
    template = Template.from_stack(stack).to_json()
    return {
        f"{r['Properties']['TypeName']}.{r['Properties']['FieldName']}": r["Properties"].get("Code", "")
        for r in template["Resources"].values()
        if r["Type"] == "AWS::AppSync::Resolver"
    }


def test_a_field_and_its_js_file_are_all_it_takes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("aws_cdk", reason=CDK_MISSING)
    monkeypatch.syspath_prepend(str(tmp_path))
    # GIVEN an app serving Query.ping
    before = resolvers_of(write_app(tmp_path, with_hello=False), tmp_path / "out-before")
    # WHEN a field is added to the schema with a JS file named after it, and nothing else
    config_path = write_app(tmp_path, with_hello=True)
    after = resolvers_of(config_path, tmp_path / "out-after")
    # THEN the stack deploys one more resolver
    assert set(after) - set(before) == {"Query.hello"}
    # AND the local runtime serves the field
    runtime = build_runtime(load_config(config_path), tmp_path / "data")
    context = runtime.executor.new_context(RequestAuth(mode="API_KEY", identity=None), {})
    body = asyncio.run(runtime.executor.execute('{ hello(name: "world") }', None, None, context))
    assert body == {"data": {"hello": "hello world"}}
    # AND the deployed code is the file's bundle, the text the local runtime ran
    hello = tmp_path / "resolvers/js/none/Query.hello.js"
    assert after["Query.hello"] == runtime.code_runner.engine.compiled_code(hello)
    assert "`hello ${ctx.args.name}`" in after["Query.hello"]
