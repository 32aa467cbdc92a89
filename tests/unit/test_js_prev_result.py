"""`ctx.prev.result` handed on untouched stays the text it came as; used in any way, it is the plain value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from appsync_local.js.engine import JsEngine, Kept

ENV = {"authType": "API_KEY", "typeName": "Query", "fieldName": "f"}
CTX: dict[str, Any] = {
    "arguments": {},
    "identity": None,
    "source": None,
    "stash": None,
    "prev": None,
    "result": None,
    "error": None,
    "request": {"headers": {}},
    "info": {},
}
# Text no JSON.stringify writes (spaces, 2.0): handed on untouched, it comes back byte for byte.
PAGE = '{"items": [{"id": "1", "n": 2.0}], "__proto__": {"kept": true},  "nextToken": null}'


@pytest.fixture(scope="module")
def engine() -> JsEngine:
    return JsEngine()


def _call(engine: JsEngine, tmp_path: Path, code: str, handler: str, kept: Kept) -> str:
    path = tmp_path / "f.js"
    path.write_text(code, encoding="utf-8")
    outcome = engine.call(path, handler, CTX, ENV, kept)
    assert outcome.status in ("ok", "earlyReturn"), outcome
    return outcome.value_json


@pytest.mark.parametrize(
    ("handler", "kept"),
    [
        ("response", Kept(prev=PAGE)),  # return ctx.prev.result
        ("request", Kept(prev=PAGE)),  # runtime.earlyReturn(ctx.prev.result)
        ("response", Kept(prev=PAGE, result=PAGE)),  # a pipeline's response handler: return ctx.result
    ],
)
def test_a_previous_result_handed_on_untouched_is_the_text_it_came_as(
    engine: JsEngine, tmp_path: Path, handler: str, kept: Kept
) -> None:
    code = """
import { runtime } from '@aws-appsync/utils';
export function request(ctx) { runtime.earlyReturn(ctx.prev.result); }
export function response(ctx) { return ctx.result === null ? ctx.prev.result : ctx.result; }
"""
    assert _call(engine, tmp_path, code, handler, kept) == PAGE


def test_a_data_source_result_is_read_as_javascript_reads_it(engine: JsEngine, tmp_path: Path) -> None:
    # GIVEN a function's response handler that returns its data source's result (text Python wrote)
    code = (
        "export function request(ctx) { return {}; }\nexport function response(ctx) { return ctx.result; }\n"
    )
    # WHEN it runs
    text = _call(
        engine, tmp_path, code, "response", Kept(prev="null", result='{"n": 2.0, "big": 9007199254740993}')
    )
    # THEN its numbers are JavaScript's, as AppSync's engine gives them
    assert text == '{"n":2,"big":9007199254740992}'


# Everything below reports what a handler sees; run on ctx.prev.result and on JSON.parse of the same text,
# the two reports must be the same.
REPORT = """
function report(value) {
  const out = {};
  out.type = typeof value;
  out.isArray = Array.isArray(value);
  out.protoIsPlain = Object.getPrototypeOf(value) === (Array.isArray(value) ? Array.prototype : Object.prototype);
  out.keys = Object.keys(value);
  out.ownNames = Object.getOwnPropertyNames(value);
  out.forIn = [];
  for (const key in value) out.forIn.push(key);
  out.json = JSON.stringify(value);
  out.spread = JSON.stringify(Array.isArray(value) ? [...value] : { ...value });
  out.hasItems = Object.hasOwn(value, 'items');
  out.ownProto = Object.prototype.hasOwnProperty.call(value, '__proto__');
  out.descriptor = Object.getOwnPropertyDescriptor(value, Array.isArray(value) ? '0' : 'items');
  out.extensible = Object.isExtensible(value);
  out.entries = JSON.stringify(Object.entries(value));
  if (Array.isArray(value)) {
    out.length = value.length;
    out.mapped = value.map((x) => typeof x);
    value.push('added');
  } else {
    value.added = 1;
    delete value.nextToken;
  }
  out.changed = JSON.stringify(value);
  // as a prototype: reads go through it, writes land on the child
  const child = Object.create(value);
  out.childProto = Object.getPrototypeOf(child) === value && child.__proto__ === value;
  child.added = 'on the child';
  out.childKeys = Object.keys(child);
  out.afterChild = JSON.stringify(value);
  Object.freeze(value);
  out.frozen = Object.isFrozen(value);
  return out;
}
"""


@pytest.mark.parametrize(
    "text", [PAGE, '[{"a": 1}, 2, "three", null, [4]]', "{}", "[]", '"text"', "7", "null", "true"]
)
def test_a_previous_result_behaves_as_the_plain_value_it_stands_for(
    engine: JsEngine, tmp_path: Path, text: str
) -> None:
    code = (
        REPORT
        + """
export function request(ctx) { return {}; }
export function response(ctx) {
  const prev = ctx.prev.result;
  const plain = JSON.parse(ctx.stash.text);
  const isObject = prev !== null && typeof prev === 'object';
  return {
    same: ctx.prev.result === prev,
    object: isObject,
    seen: isObject ? report(prev) : prev,
    plain: isObject ? report(plain) : plain,
    after: prev,
  };
}
"""
    )
    answer = json.loads(
        _call(engine, tmp_path, code, "response", Kept(stash=json.dumps({"text": text}), prev=text))
    )
    assert answer["same"] is True
    assert answer["seen"] == answer["plain"]
    # AND a changed value goes on changed
    expected = json.loads(answer["seen"]["changed"]) if answer["object"] else json.loads(text)
    assert answer["after"] == expected


@pytest.mark.parametrize("change", ["v.items = 1", "delete v.items", "Object.defineProperty(v, 'x', {})"])
def test_a_refused_change_fails_the_handler_as_on_the_plain_value(
    engine: JsEngine, tmp_path: Path, change: str
) -> None:
    # GIVEN handlers that freeze a value, then change it: ctx.prev.result, and JSON.parse of the same text
    messages = []
    for value in ("ctx.prev.result", "JSON.parse(ctx.stash.text)"):
        path = tmp_path / f"{len(messages)}.js"
        path.write_text(
            "export function request(ctx) { return {}; }\n"
            f"export function response(ctx) {{ const v = {value}; Object.freeze(v); {change}; return v; }}\n",
            encoding="utf-8",
        )
        # WHEN each runs
        outcome = engine.call(path, "response", CTX, ENV, Kept(stash=json.dumps({"text": PAGE}), prev=PAGE))
        assert outcome.status == "code"
        messages.append(outcome.message)
    # THEN both fail with the same error
    assert messages[0] == messages[1]
