"""Code AppSync's APPSYNC_JS runtime rejects is rejected when the file is loaded, naming file, line and rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from appsync_local.js import JsCodeError
from appsync_local.js.engine import JsEngine

PRELUDE = "import { util } from '@aws-appsync/utils';\nexport function response(ctx) { return ctx.result; }\n"

# (rule, code whose line 3 — the first after the prelude — holds the offending construct)
REJECTED = [
    ("no-try", "export function request(ctx) { try { return {}; } catch (e) { return {}; } }"),
    ("no-try", "export function request(ctx) { try { return {}; } finally { } }"),
    ("no-throw", "export function request(ctx) { throw new Error('x'); }"),
    ("no-while", "export function request(ctx) { while (ctx.x) { } return {}; }"),
    ("no-while", "export function request(ctx) { do { } while (ctx.x); return {}; }"),
    ("no-for", "export function request(ctx) { for (let i = 0; i < 3; i += 1) { } return {}; }"),
    ("no-continue", "export function request(ctx) { for (const x of []) { continue; } return {}; }"),
    ("no-labels", "export function request(ctx) { outer: for (const x of []) { break outer; } return {}; }"),
    ("no-disallowed-unary-operators", "export function request(ctx) { let i = 0; i++; return {}; }"),
    ("no-disallowed-unary-operators", "export function request(ctx) { let i = 0; --i; return {}; }"),
    ("no-disallowed-unary-operators", "export function request(ctx) { return { v: ~ctx.x }; }"),
    ("no-in-operator", "export function request(ctx) { return { has: 'a' in ctx.args }; }"),
    ("no-disallowed-binary-operators", "export function request(ctx) { return { a: ctx.x instanceof Object }; }"),
    ("no-async", "export async function request(ctx) { return {}; }"),
    ("no-async", "export function request(ctx) { const f = async () => 1; return {}; }"),
    ("no-await", "export function request(ctx) { return {}; }\nawait 1;"),
    ("no-generators", "export function* request(ctx) { return {}; }"),
    ("no-classes", "export function request(ctx) { return {}; }\nclass A {}"),
    ("no-this", "export function request(ctx) { return this; }"),
    ("no-regex", "export function request(ctx) { return { ok: /a+/.test(ctx.args.s) }; }"),
    ("no-promise", "export function request(ctx) { return new Promise(() => 1); }"),
    ("unsupported-import", "import { v4 } from 'uuid';\nexport function request(ctx) { return {}; }"),
    ("syntax-error", "export function request(ctx) { return {; }"),
]


@pytest.fixture(scope="module")
def engine() -> JsEngine:
    return JsEngine()


def _line_of_rule(source: str, rule: str) -> int:
    lines = source.splitlines()
    markers = {"no-await": "await", "no-classes": "class "}
    marker = markers.get(rule)
    if marker:
        return next(i + 1 for i, text in enumerate(lines) if marker in text)
    return 3


@pytest.mark.parametrize(("rule", "code"), REJECTED, ids=[f"{r}-{i}" for i, (r, _) in enumerate(REJECTED)])
def test_rejected_syntax_names_file_line_and_rule(engine: JsEngine, tmp_path: Path, rule: str, code: str) -> None:
    # GIVEN a resolver file using a construct APPSYNC_JS does not support
    rule_expected = rule
    source = PRELUDE + code + "\n"
    path = tmp_path / "Query.bad.js"
    path.write_text(source)

    # WHEN the file is loaded
    with pytest.raises(JsCodeError) as caught:
        engine.load(path)

    # THEN the error names the file, the line and the rule
    error = caught.value
    assert error.path == path
    assert error.rule == rule_expected
    assert error.line == _line_of_rule(source, rule)
    assert str(path) in str(error) and f":{error.line}:" in str(error) and rule_expected in str(error)


@pytest.mark.parametrize(
    "code",
    [
        "export function request(ctx) { for (const k in ctx.args) { } for (const v of [1]) { } return {}; }",
        "export function request(ctx) { return { has: Object.hasOwn(ctx.args, 'a'), n: ctx.x ?? 1, o: ctx?.y }; }",
        "export function request(ctx) { const { a, ...rest } = ctx.args; return { ...rest, t: `v${a}` }; }",
        "export function request(ctx) { switch (ctx.x) { case 1: break; default: break; } return {}; }",
        "export function request(ctx) { return { v: 1 & 2 | 4 ^ 8 << 1, t: typeof ctx, u: void 0 }; }",
    ],
)
def test_supported_syntax_loads(engine: JsEngine, tmp_path: Path, code: str) -> None:
    # GIVEN a file using only supported features
    path = tmp_path / "Query.good.js"
    path.write_text(PRELUDE + code + "\n")

    # WHEN / THEN it loads
    assert engine.load(path)


def test_a_file_without_both_handlers_is_rejected(engine: JsEngine, tmp_path: Path) -> None:
    # GIVEN a file exporting only request
    path = tmp_path / "Query.half.js"
    path.write_text("export function request(ctx) { return {}; }\n")

    # WHEN / THEN loading it names the missing handler
    with pytest.raises(JsCodeError) as caught:
        engine.load(path)
    assert caught.value.rule == "missing-handler"
    assert "response" in str(caught.value)
