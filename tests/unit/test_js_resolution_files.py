"""One resolution checks each of its files for changes once; the next resolution sees a saved change."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from appdef.bindings import Binding, PipelineFunction
from appsync_local.js.runner import JsResolverRunner
from appsync_local.resolver_context import ResolverInvocation

STEP = (
    "export function request(ctx) { runtime.earlyReturn((ctx.prev.result ?? 0) + %s); }\n"
    "export function response(ctx) { return ctx.prev.result; }\n"
)
PIPELINE = (
    "export function request() { return 0; }\nexport function response(ctx) { return ctx.prev.result; }\n"
)


def _invocation() -> ResolverInvocation:
    info: dict[str, Any] = {"fieldName": "count", "parentTypeName": "Query", "variables": {}}
    return ResolverInvocation(
        arguments={}, source=None, identity=None, auth_type="API_KEY", request_headers={}, info=info,
        request_id="r1",
    )  # fmt: skip


def test_a_pipeline_checks_each_file_once_and_the_next_resolution_sees_an_edit(tmp_path: Path) -> None:
    # GIVEN a pipeline running the same function three times (five handler calls, two files)
    step, pipeline = tmp_path / "step.js", tmp_path / "Query.count.js"
    step.write_text("import { runtime } from '@aws-appsync/utils';\n" + STEP % "1")
    pipeline.write_text(PIPELINE)
    function = PipelineFunction("step", "none", step)
    binding = Binding("Query", "count", "PIPELINE", code=pipeline, functions=(function, function, function))
    runner = JsResolverRunner({})
    checked: list[Path] = []
    bundle = runner.engine.bundler.bundle

    def counting(path: Path) -> Any:
        checked.append(Path(path))
        return bundle(path)

    runner.engine.bundler.bundle = counting  # type: ignore[method-assign]
    # WHEN it resolves
    assert asyncio.run(runner.run(binding, _invocation())) == 3
    # THEN each file was checked for changes once, not before each handler
    assert sorted(checked) == sorted([pipeline, step])
    # AND a change saved before the next resolution is what that resolution runs
    stat = step.stat()
    step.write_text("import { runtime } from '@aws-appsync/utils';\n" + STEP % "10")
    os.utime(step, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert asyncio.run(runner.run(binding, _invocation())) == 30
