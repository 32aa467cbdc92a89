"""The local runtime refuses to start on APPSYNC_JS code AppSync's runtime rejects, naming file, line and rule.

AppSync doc: resolver-reference-overview-js (APPSYNC_JS runtime: supported and unsupported features).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from appdef import parse_config
from appdef.bindings import BindingError
from appsync_local.js import JsCodeError
from appsync_local.runtime import build_runtime

APPSYNC_TOML = """
[api]
name = "conformance"
schema = "schema:schema"
default_auth = "API_KEY"
js_resolvers = "js"

[data_sources.none]
type = "NONE"

[local]
data_dir = ".data"
"""

# (rule the runtime reports, the offending statement; it sits on line 4 of the resolver file)
REJECTED = [
    ("no-try", "try { total = 1; } catch (e) { total = 2; }"),
    ("no-try", "try { total = 1; } finally { total = 2; }"),
    ("no-throw", "throw new Error('nope');"),
    ("no-while", "while (total < 3) { total = total + 1; }"),
    ("no-while", "do { total = total + 1; } while (total < 3);"),
    ("no-for", "for (let i = 0; i < 3; i = i + 1) { total = total + i; }"),
    ("no-continue", "for (const x of [1, 2]) { if (x) continue; }"),
    ("no-labels", "outer: for (const x of [1]) { total = x; }"),
    ("no-disallowed-unary-operators", "total++;"),
    ("no-disallowed-unary-operators", "total--;"),
    ("no-disallowed-unary-operators", "total = ~total;"),
    ("no-in-operator", "total = 'id' in ctx.args ? 1 : 0;"),
]


def _app(root: Path, statement: str) -> Path:
    """An app in `root` whose one resolver has `statement` on line 4; returns the resolver's path."""
    (root / "appsync.toml").write_text(APPSYNC_TOML)
    resolver = root / "js" / "none" / "Query.getPost.js"
    resolver.parent.mkdir(parents=True)
    resolver.write_text(
        "import { util } from '@aws-appsync/utils';\n"
        "export function request(ctx) {\n"
        "  let total = 0;\n"
        f"  {statement}\n"
        "  return { payload: total };\n"
        "}\n"
        "export function response(ctx) { return ctx.result; }\n"
    )
    return resolver


@pytest.mark.parametrize(("rule", "statement"), REJECTED, ids=[f"{r}:{s.split()[0]}" for r, s in REJECTED])
def test_build_runtime_refuses_code_appsync_rejects(tmp_path: Path, rule: str, statement: str) -> None:
    """AppSync doc: resolver-reference-overview-js#Supported runtime features"""
    # GIVEN an app whose resolver uses a construct APPSYNC_JS does not support
    resolver = _app(tmp_path, statement)
    config = parse_config(tomllib.loads((tmp_path / "appsync.toml").read_text()), tmp_path)

    # WHEN the runtime is built
    with pytest.raises(JsCodeError) as refused:
        build_runtime(config)

    # THEN it refuses to start, naming the file, the line and the rule
    error = refused.value
    assert (error.path, error.line, error.rule) == (resolver, 4, rule)
    assert f"{resolver}:4:" in str(error) and f"[{rule}]" in str(error)


def test_build_runtime_accepts_the_supported_loops(tmp_path: Path) -> None:
    """AppSync doc: resolver-reference-overview-js#Supported runtime features"""
    # GIVEN the same app using for-of and for-in, which APPSYNC_JS supports
    _app(
        tmp_path,
        "for (const x of [1, 2]) { total = total + x; } for (const k in ctx.args) { total = total + 1; }",
    )
    config = parse_config(tomllib.loads((tmp_path / "appsync.toml").read_text()), tmp_path)

    # WHEN the runtime is built
    with pytest.raises(BindingError) as stopped:
        build_runtime(config)

    # THEN the code is loaded without complaint and the start goes on to the schema check, which objects only
    # that this one-resolver app leaves the project schema's other fields unbound
    assert "has no resolver binding" in str(stopped.value)
    assert "Query.getPost has no resolver binding" not in str(stopped.value)
