"""Compiled APPSYNC_JS bundles are kept by content: each is compiled once, across engines and starts."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from appsync_local.js import compiled as compiled_module
from appsync_local.js.compiled import CompiledBundles
from appsync_local.js.engine import JsEngine
from appsync_local.js.runner import JsResolverRunner

ENV = {"authType": "API_KEY", "typeName": "Query", "fieldName": "f"}
RESOLVER = "export function request(ctx) { return { v: %s }; }\nexport function response(ctx) { return 0; }\n"


def _ctx() -> dict[str, Any]:
    return {"arguments": {}, "stash": {}, "identity": None, "source": None, "prev": {"result": None},
            "result": None, "error": None, "request": {"headers": {}}, "info": {}}  # fmt: skip


def _kept(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json"))


def _edit(path: Path, text: str) -> None:
    stat = path.stat()
    path.write_text(text)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


def test_a_new_engine_on_the_same_folder_runs_what_was_kept_without_compiling(tmp_path: Path) -> None:
    # GIVEN a resolver compiled once by an engine keeping its bundles in a folder (one start of `make run`)
    folder, path = tmp_path / "compiled", tmp_path / "Query.kept.js"
    path.write_text(RESOLVER % "1")
    assert JsEngine(compiled=CompiledBundles(folder)).call(path, "request", _ctx(), ENV).value == {"v": 1}
    (entry,) = _kept(folder)
    # and the kept answer altered, so that running it shows it was read, not compiled again
    answer = json.loads(entry.read_text())
    assert "{ v: 1 }" in answer["code"]
    entry.write_text(json.dumps({**answer, "code": answer["code"].replace("{ v: 1 }", '{ v: "kept" }')}))
    # WHEN a new engine with a new store on that folder runs it (the next start)
    engine = JsEngine(compiled=CompiledBundles(folder))
    # THEN it runs the kept answer
    assert engine.call(path, "request", _ctx(), ENV).value == {"v": "kept"}
    # and an edited file is a new bundle: compiled, kept beside the first, and run as edited
    _edit(path, RESOLVER % "2")
    assert engine.call(path, "request", _ctx(), ENV).value == {"v": 2}
    assert len(_kept(folder)) == 2


class _CountedPuts(CompiledBundles):
    """A store that records each answer compiled and put in it."""

    def __init__(self) -> None:
        super().__init__()
        self.puts: list[str] = []

    def put(self, key: str, answer: str) -> None:
        self.puts.append(key)
        super().put(key, answer)


def test_engines_sharing_a_store_compile_a_file_once(tmp_path: Path) -> None:
    # GIVEN two engines sharing one store (the runner's engines on two threads)
    path = tmp_path / "Query.shared.js"
    path.write_text(RESOLVER % "3")
    store = _CountedPuts()
    first, second = JsEngine(compiled=store), JsEngine(compiled=store)
    # WHEN both run the same file
    assert first.call(path, "request", _ctx(), ENV).value == {"v": 3}
    assert second.call(path, "request", _ctx(), ENV).value == {"v": 3}
    # THEN it was compiled once
    assert len(store.puts) == 1


@pytest.mark.parametrize("damage", ["not json", "[1, 2]", ""])
def test_a_damaged_entry_is_compiled_again_and_replaced(tmp_path: Path, damage: str) -> None:
    folder, path = tmp_path / "compiled", tmp_path / "Query.damaged.js"
    path.write_text(RESOLVER % "4")
    JsEngine(compiled=CompiledBundles(folder)).call(path, "request", _ctx(), ENV)
    (entry,) = _kept(folder)
    entry.write_text(damage)
    assert JsEngine(compiled=CompiledBundles(folder)).call(path, "request", _ctx(), ENV).value == {"v": 4}
    assert "code" in json.loads(entry.read_text())


def test_the_folder_keeps_the_most_recent_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compiled_module, "MAX_FILES", 3)
    folder = tmp_path / "compiled"
    folder.mkdir()
    for index in range(5):
        (folder / f"old{index}.json").write_text("{}")
        os.utime(folder / f"old{index}.json", ns=(index * 10**9, index * 10**9))
    CompiledBundles(folder).put("new", "{}")
    assert [p.name for p in _kept(folder)] == ["new.json", "old3.json", "old4.json"]


def test_the_runners_engines_on_every_thread_share_its_store() -> None:
    store = CompiledBundles()
    runner = JsResolverRunner({}, compiled=store)
    seen: list[CompiledBundles] = []
    thread = threading.Thread(target=lambda: seen.append(runner.engine.compiled))
    thread.start()
    thread.join()
    assert seen[0] is store and runner.engine.compiled is store
