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
    (
        "no-disallowed-binary-operators",
        "export function request(ctx) { return { a: ctx.x instanceof Object }; }",
    ),
    ("no-async", "export async function request(ctx) { return {}; }"),
    ("no-async", "export function request(ctx) { const f = async () => 1; return {}; }"),
    ("no-await", "export function request(ctx) { return {}; }\nawait 1;"),
    ("no-generators", "export function* request(ctx) { return {}; }"),
    # used, or esbuild would drop it from the bundle (and AppSync would never see it)
    ("no-classes", "export function request(ctx) { return { a: new A() }; }\nclass A {}"),
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
def test_rejected_syntax_names_file_line_and_rule(
    engine: JsEngine, tmp_path: Path, rule: str, code: str
) -> None:
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


def _write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)


def test_a_violation_inside_a_lib_file_names_the_lib_file_and_its_line(
    engine: JsEngine, tmp_path: Path
) -> None:
    # GIVEN a resolver whose imported lib helper uses ++ on its line 4
    _write(
        tmp_path,
        {
            "lib/count.js": "export function next(n) {\n  let value = n;\n  // counts\n  value++;\n  return value;\n}\n",
            "none/Query.count.js": "import { next } from '../lib/count.js';\n"
            "export function request(ctx) { return { payload: next(1) }; }\n"
            "export function response(ctx) { return ctx.result; }\n",
        },
    )

    # WHEN the resolver is loaded
    with pytest.raises(JsCodeError) as caught:
        engine.load(tmp_path / "none/Query.count.js")

    # THEN the error names the lib file, its line and the rule
    error = caught.value
    assert (error.path, error.line, error.rule) == (
        tmp_path / "lib/count.js",
        4,
        "no-disallowed-unary-operators",
    )
    assert str(error).startswith(f"{tmp_path / 'lib/count.js'}:4:3: the ++ operator is not supported")


LIB = {
    "lib/strings.js": "export const PREFIX = 'post';\nexport const upper = (s) => s.toUpperCase();\n"
    "export default function label(id) { return `${PREFIX}-${id}`; }\n",
    "lib/index.js": "export * from './strings.js';\nexport { default as label } from './strings.js';\n"
    "import * as ddb from '@aws-appsync/utils/dynamodb';\n"
    "export function key(id) { return ddb.get({ key: { id } }).key; }\n",
    "lib/responses.js": "export function response(ctx) { return ctx.result; }\n",
}
# Module shapes that make esbuild write code of its own (namespace objects, re-exports, renamed imports); the
# bundle must still pass AppSync's rules. Each request returns {payload: ...} with the value asserted below.
SHAPES = {
    "namespace object used as a value (esbuild's __export helper)": (
        (
            "import * as strings from '../lib/strings.js';\n"
            "export function request(ctx) { const s = strings; return { payload: Object.keys(s).sort().join() }; }\n"
            "export function response(ctx) { return ctx.result; }\n"
        ),
        "PREFIX,default,upper",
    ),
    "handler re-exported from lib": (
        (
            "export { response } from '../lib/responses.js';\n"
            "export function request(ctx) { return { payload: 'shared response' }; }\n"
        ),
        "shared response",
    ),
    "export * and default re-exports through an index, and a namesake import": (
        (
            "import { util } from '@aws-appsync/utils';\n"
            "import { label, upper, key } from '../lib/index.js';\n"
            "export function request(ctx) { return { payload: [upper(label(1)), key('k').id, util.isNull(null)] }; }\n"
            "export function response(ctx) { return ctx.result; }\n"
        ),
        ["POST-1", {"S": "k"}, True],
    ),
}


@pytest.mark.parametrize(("source", "payload"), SHAPES.values(), ids=SHAPES.keys())
def test_code_esbuild_writes_for_lib_imports_passes_appsyncs_rules(
    engine: JsEngine, tmp_path: Path, source: str, payload: object
) -> None:
    # GIVEN a resolver importing lib code in a shape that makes esbuild write code of its own
    _write(tmp_path, {**LIB, "none/Query.shape.js": source})
    path = tmp_path / "none/Query.shape.js"

    # WHEN it is loaded and run
    outcome = engine.call(path, "request", {"arguments": {}, "stash": {}}, {"authType": "API_KEY"})

    # THEN the bundle passed the rules and runs
    assert outcome.status == "ok", outcome
    assert outcome.value == {"payload": payload}


def test_esbuilds_namespace_helper_is_in_the_bundle_the_rules_accepted(
    engine: JsEngine, tmp_path: Path
) -> None:
    # GIVEN the namespace shape above, loaded
    _write(tmp_path, {**LIB, "none/Query.shape.js": next(iter(SHAPES.values()))[0]})
    path = tmp_path / "none/Query.shape.js"
    engine.load(path)
    # THEN what was checked holds esbuild's helper (a for-in and getters): the check above saw generated code
    code = engine.compiled_code(path)
    assert code is not None and "__export" in code and "for (var name in all)" in code
