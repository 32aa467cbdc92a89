"""APPSYNC_JS bundles: what esbuild makes of a resolver and its `lib/` imports, and when it is made again."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from appsync_local.js import JsCodeError
from jsbundles.bundler import Bundler, BundlerUnavailable
from jsbundles.sourcemap import INLINE_PREFIX

VALIDATION = """import { util } from '@aws-appsync/utils';

export const MAX_TITLE = 5;

export function validTitle(title) {
  if (title.length > MAX_TITLE) {
    util.error('title too long', 'ValidationError');
  }
  return title;
}
"""

RESOLVER = """import { util } from '@aws-appsync/utils';
import { validTitle } from '../lib/validation.js';

export function request(ctx) {
  return { payload: { title: validTitle(ctx.args.title), id: util.autoId() } };
}

export function response(ctx) {
  return ctx.result;
}
"""


def write(root: Path, files: dict[str, str]) -> dict[str, Path]:
    paths = {}
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        paths[relative] = path
    return paths


def edit(path: Path, text: str) -> None:
    """Rewrite a file and move its mtime on, as an editor's save does."""
    stat = path.stat()
    path.write_text(text)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


@pytest.fixture
def app(tmp_path: Path) -> dict[str, Path]:
    return write(tmp_path, {"lib/validation.js": VALIDATION, "none/Query.note.js": RESOLVER})


def test_a_bundle_is_one_es_module_with_its_lib_code_and_an_inline_source_map(app: dict[str, Path]) -> None:
    # GIVEN a resolver importing a helper from lib/
    # WHEN it is bundled
    bundle = Bundler().bundle(app["none/Query.note.js"])

    # THEN the helper's code is in the bundle, AppSync's modules stay imports, nothing is minified
    code = bundle.code
    assert "function validTitle(title) {\n" in code and "MAX_TITLE = 5" in code
    assert 'from "@aws-appsync/utils"' in code and 'from "../lib/validation.js"' not in code
    assert "export {\n  request,\n  response\n};" in code
    # AND it ends with the source map AWS documents: inline, sources relative to the file, no sources content
    _, _, payload = code.rstrip("\n").rpartition("\n")
    assert payload.startswith(INLINE_PREFIX)
    source_map = json.loads(base64.b64decode(payload.removeprefix(INLINE_PREFIX)))
    assert sorted(source_map["sources"]) == ["../lib/validation.js", "Query.note.js"]
    assert "sourcesContent" not in source_map
    # AND the files it was made of are known, the resolver first
    assert bundle.inputs == (app["none/Query.note.js"], app["lib/validation.js"])


def test_bundled_positions_map_back_to_their_source_file_and_line(app: dict[str, Path]) -> None:
    bundle = Bundler().bundle(app["none/Query.note.js"])
    lines = bundle.code.splitlines()
    # WHEN the bundle's `util.error(...)` line and `return { payload ...` line are looked up
    error_line = next(i + 1 for i, text in enumerate(lines) if 'util.error("title' in text)
    payload_line = next(i + 1 for i, text in enumerate(lines) if "payload:" in text)
    # THEN each names the file and line it was written on
    assert bundle.original(error_line, 4)[:2] == (app["lib/validation.js"], 7)  # type: ignore[index]
    assert bundle.original(payload_line, 2)[:2] == (app["none/Query.note.js"], 5)  # type: ignore[index]


def test_a_bundle_is_the_same_text_whoever_asks_and_whatever_it_is_bundled_with(tmp_path: Path) -> None:
    # GIVEN two resolvers sharing the helper
    paths = write(
        tmp_path,
        {
            "lib/validation.js": VALIDATION,
            "none/Query.note.js": RESOLVER,
            "functions/none/checkNote.js": RESOLVER.replace("../lib/", "../../lib/"),
        },
    )
    entry = paths["none/Query.note.js"]

    # WHEN one is bundled alone, and both together by another bundler (another esbuild run and temp folder)
    alone = Bundler().bundle(entry)
    together = Bundler().bundle_all([paths["functions/none/checkNote.js"], entry])

    # THEN the text is the same, byte for byte
    assert together[entry].code == alone.code


def test_many_files_are_bundled_in_one_esbuild_run(tmp_path: Path) -> None:
    resolvers = {f"none/Query.n{i}.js": RESOLVER for i in range(4)}
    paths = write(tmp_path, {"lib/validation.js": VALIDATION, **resolvers})
    bundler = Bundler()
    bundles = bundler.bundle_all(p for name, p in paths.items() if name.startswith("none/"))
    assert len(bundles) == 4 and bundler.runs == 1


def test_bundles_are_cached_by_content_and_made_again_when_a_lib_file_changes(app: dict[str, Path]) -> None:
    # GIVEN a bundled resolver
    bundler = Bundler()
    first = bundler.bundle(app["none/Query.note.js"])

    # WHEN it is asked for again, and again after its lib file is saved unchanged
    again = bundler.bundle(app["none/Query.note.js"])
    edit(app["lib/validation.js"], VALIDATION)
    touched = bundler.bundle(app["none/Query.note.js"])

    # THEN esbuild ran once
    assert bundler.runs == 1 and first.code == again.code == touched.code

    # WHEN the lib file changes
    edit(app["lib/validation.js"], VALIDATION.replace("MAX_TITLE = 5", "MAX_TITLE = 9"))

    # THEN the next bundle has the new code
    changed = bundler.bundle(app["none/Query.note.js"])
    assert bundler.runs == 2 and "MAX_TITLE = 9" in changed.code


def test_a_missing_esbuild_says_how_to_install_it(app: dict[str, Path], tmp_path: Path) -> None:
    bundler = Bundler(esbuild=tmp_path / "node_modules" / "esbuild" / "bin" / "esbuild")
    with pytest.raises(BundlerUnavailable) as missing:
        bundler.bundle(app["none/Query.note.js"])
    assert "esbuild is not installed" in str(missing.value)
    assert "make setup" in str(missing.value) and "npm ci" in str(missing.value)


def test_a_syntax_error_in_a_lib_file_is_esbuilds_message_at_that_file_and_line(app: dict[str, Path]) -> None:
    # GIVEN a lib file with a syntax error on line 6
    broken = VALIDATION.replace("if (title.length > MAX_TITLE) {", "if (title.length > ) {")
    edit(app["lib/validation.js"], broken)

    # WHEN a resolver importing it is bundled
    with pytest.raises(JsCodeError) as refused:
        Bundler().bundle(app["none/Query.note.js"])

    # THEN the error is esbuild's, at the lib file's line
    error = refused.value
    assert (error.path, error.line, error.rule) == (app["lib/validation.js"], 6, "syntax-error")
    assert str(error).startswith(f"{app['lib/validation.js']}:6:")
    assert "Unexpected" in error.detail


@pytest.mark.parametrize(
    ("import_line", "detail"),
    [
        ("import { validTitle } from '../lib/missing.js';", 'Could not resolve "../lib/missing.js"'),
        ("import { validBody as validTitle } from '../lib/validation.js';", "No matching export"),
    ],
)
def test_an_import_esbuild_cannot_resolve_names_the_importing_line(
    app: dict[str, Path], import_line: str, detail: str
) -> None:
    edit(app["none/Query.note.js"], RESOLVER.replace(RESOLVER.splitlines()[1], import_line))
    with pytest.raises(JsCodeError) as refused:
        Bundler().bundle(app["none/Query.note.js"])
    error = refused.value
    assert (error.path, error.line, error.rule) == (app["none/Query.note.js"], 2, "unresolved-import")
    assert detail in error.detail


def test_a_file_saved_while_esbuild_runs_is_bundled_again_on_the_next_call(
    app: dict[str, Path], tmp_path: Path
) -> None:
    # GIVEN an esbuild after whose run the lib file is saved again when it holds MAX_TITLE = 6 (an editor's
    # save landing while esbuild bundles)
    lib = app["lib/validation.js"]
    esbuild = tmp_path / "esbuild-then-save"
    esbuild.write_text(
        "#!/bin/sh\n"
        f'"{Bundler().esbuild}" "$@"; status=$?\n'
        f"sed -i 's/MAX_TITLE = 6;/MAX_TITLE = 77;/' '{lib}'\n"
        "exit $status\n"
    )
    esbuild.chmod(0o755)
    bundler = Bundler(esbuild=esbuild)
    assert "MAX_TITLE = 5" in bundler.bundle(app["none/Query.note.js"]).code

    # WHEN the lib file is edited, the resolver bundled (the file is saved again meanwhile), then asked for
    edit(lib, VALIDATION.replace("MAX_TITLE = 5", "MAX_TITLE = 6"))
    during = bundler.bundle(app["none/Query.note.js"])
    after = bundler.bundle(app["none/Query.note.js"])

    # THEN the save esbuild did not see is bundled on the next call
    assert "MAX_TITLE = 6" in during.code and "MAX_TITLE = 77" in lib.read_text()
    assert bundler.runs == 3 and "MAX_TITLE = 77" in after.code
