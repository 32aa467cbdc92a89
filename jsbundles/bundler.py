"""APPSYNC_JS bundles: each resolver file and the `lib/` code it imports, made one ES module by esbuild.

AppSync runs one file per resolver or function, importing nothing but `@aws-appsync/*`; shared code reaches it
through a bundler ("Bundling, TypeScript, and source maps for the APPSYNC_JS runtime" in AppSync's developer
guide). The local runtime runs, and `infra/` deploys, the text this module makes, so both see the same code.

- esbuild runs as AWS documents it: ESM output, `@aws-appsync/*` external, `--target=esnext` (nothing is
  rewritten, so esbuild adds no helpers with loops or operators AppSync rejects), no minifying, and a source
  map without sources content, inlined at the end of the bundle. Every other package import stays
  external too: only relative imports (`./lib/…`) are bundled, and the syntax check refuses the rest.
- The map's sources are relative to the entry file's folder and esbuild runs in the project root, so a
  bundle's text depends only on the files it is made of, never on a temporary folder.
- Bundles are cached in memory per entry file with the content hashes of every file esbuild read for it: a
  bundle is made again when any of them changes (a touched but unchanged file costs one read, not a bundle;
  a file saved while esbuild runs is bundled again on the next call).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import subprocess
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import JsCodeError
from .sourcemap import SourceMap

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ESBUILD = PROJECT_ROOT / "node_modules" / "esbuild" / "bin" / "esbuild"
ESBUILD_FLAGS = (
    "--bundle",
    "--format=esm",  # APPSYNC_JS runs ES modules only
    "--platform=node",  # as AWS documents: no browser globals
    "--target=esnext",  # no syntax lowering, hence no helper code
    "--external:@aws-appsync/*",  # provided by the APPSYNC_JS runtime
    "--packages=external",  # a package import stays an import, which the syntax check refuses
    "--sourcemap=external",  # rewritten and inlined below
    "--sources-content=false",  # AppSync accepts source maps without sources content only
    "--log-level=error",
    "--color=false",
)
ESBUILD_TIMEOUT_SECONDS = 60
SETUP_HINT = "run `make setup` (or `npm ci`) in the project root"

_ERROR = re.compile(r"^\S* ?\[ERROR\] (?P<message>.+)$")
_LOCATION = re.compile(r"^\s+(?P<file>\S.*?):(?P<line>\d+):(?P<column>\d+):$")


class BundlerUnavailable(RuntimeError):
    """esbuild is missing or cannot run."""


@dataclass(frozen=True)
class Bundle:
    """One resolver or function file bundled with what it imports: the code AppSync runs."""

    entry: Path
    code: str  # esbuild's output followed by its inline source map
    source_map: SourceMap  # sources relative to the entry's folder
    inputs: tuple[Path, ...]  # every file esbuild read for it, the entry first

    @functools.cached_property
    def digest(self) -> str:
        return hashlib.sha256(self.code.encode("utf-8")).hexdigest()

    def original(self, line: int, column: int) -> tuple[Path, int, int] | None:
        """The file, 1-based line and 0-based column a bundled position came from (None: esbuild's code)."""
        position = self.source_map.original(line, column)
        if position is None:
            return None
        path = Path(os.path.normpath(os.path.realpath(self.entry.parent) / Path(position.source)))
        if path == Path(os.path.realpath(self.entry)):
            path = self.entry
        return path, position.line, position.column

    def code_error(self, line: int, column: int, rule: str, detail: str) -> JsCodeError:
        """A JsCodeError found at a bundled position, naming the source file and line it came from."""
        where = self.original(line, column) if line else None
        if where is None:
            note = f" (in code esbuild generated, line {line} of the bundle)" if line else ""
            return JsCodeError(self.entry, 0, rule, detail + note)
        return JsCodeError(where[0], where[1], rule, detail, where[2])


@dataclass
class _Cached:
    bundle: Bundle
    # file -> ((mtime_ns, size), sha256 of its content); str paths keep the per-call check cheap
    inputs: dict[str, tuple[tuple[int, int], str]]


class Bundler:
    """Makes and caches bundles; one esbuild run bundles every entry asked for at once.

    Thread-safe: one bundler serves the runner's per-thread engines and the CDK app in one process.
    """

    def __init__(self, esbuild: Path = ESBUILD, cwd: Path = PROJECT_ROOT) -> None:
        self.esbuild = esbuild
        self.cwd = cwd
        self.runs = 0  # esbuild runs: the cache's observable behaviour
        self._cache: dict[str, _Cached] = {}  # by the entry's absolute path
        self._lock = threading.Lock()

    def bundle(self, path: Path) -> Bundle:
        """The bundle of `path`, made again only when one of its files changed; raises JsCodeError.

        Called before every handler call: a fresh bundle costs a few stat calls, nothing more.
        """
        key = os.path.abspath(path)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and _fresh(cached):
                return cached.bundle
        return self.bundle_all([path])[Path(key)]

    def bundle_all(self, paths: Iterable[Path]) -> dict[Path, Bundle]:
        """The bundles of `paths` (by absolute path); the stale ones are made in one esbuild run."""
        entries = list(dict.fromkeys(Path(os.path.abspath(path)) for path in paths))
        with self._lock:
            stale = [entry for entry in entries if not _fresh(self._cache.get(str(entry)))]
            if stale:
                # Files saved while esbuild reads them must not pass for bundled: note their stamps first.
                known = [str(entry) for entry in stale]
                for entry in stale:
                    known += getattr(self._cache.get(str(entry)), "inputs", {})
                before = {path: stamp for path in known if (stamp := _stamp(path)) is not None}
                made = self._run(stale, before)
                self._cache.update((str(entry), cached) for entry, cached in made.items())
            return {entry: self._cache[str(entry)].bundle for entry in entries}

    def _run(self, entries: list[Path], before: dict[str, tuple[int, int]]) -> dict[Path, _Cached]:
        if not self.esbuild.exists():
            raise BundlerUnavailable(f"esbuild is not installed ({self.esbuild} is missing): {SETUP_HINT}")
        with tempfile.TemporaryDirectory(prefix="appsync-js-") as folder:
            outdir, metafile = Path(folder) / "out", Path(folder) / "meta.json"
            outbase = os.path.commonpath([str(entry.parent) for entry in entries])
            command = [
                str(self.esbuild),
                *ESBUILD_FLAGS,
                f"--outdir={outdir}",
                f"--outbase={outbase}",
                f"--metafile={metafile}",
                *(str(entry) for entry in entries),
            ]
            try:
                done = subprocess.run(
                    command,
                    cwd=self.cwd,
                    capture_output=True,
                    text=True,
                    timeout=ESBUILD_TIMEOUT_SECONDS,
                    check=False,
                )
            except OSError as error:
                raise BundlerUnavailable(f"esbuild could not run ({error}): {SETUP_HINT}") from None
            except subprocess.TimeoutExpired:
                raise BundlerUnavailable(f"esbuild did not finish in {ESBUILD_TIMEOUT_SECONDS} s") from None
            self.runs += 1
            if done.returncode != 0:
                raise _esbuild_error(done.stderr, self.cwd, entries)
            outputs = json.loads(metafile.read_text(encoding="utf-8"))["outputs"]
            made: dict[Path, _Cached] = {}
            by_real_path = {os.path.realpath(entry): entry for entry in entries}
            for written, output in outputs.items():
                if "entryPoint" not in output:
                    continue  # the .map files
                entry = by_real_path[os.path.realpath(self.cwd / output["entryPoint"])]
                inputs = [Path(os.path.normpath(self.cwd / source)) for source in output["inputs"]]
                made[entry] = self._cached(entry, Path(os.path.normpath(self.cwd / written)), inputs, before)
        missing = [str(entry) for entry in entries if entry not in made]
        if missing:
            raise RuntimeError(f"esbuild wrote no bundle for {', '.join(missing)}")
        return made

    def _cached(
        self, entry: Path, output: Path, inputs: list[Path], before: dict[str, tuple[int, int]]
    ) -> _Cached:
        raw = SourceMap.from_json(output.with_name(output.name + ".map").read_text(encoding="utf-8"))
        home = os.path.realpath(entry.parent)
        # esbuild names sources relative to its output folder; the bundle names them relative to the entry.
        source_map = raw.with_sources(
            [os.path.relpath(os.path.normpath(output.parent / source), home) for source in raw.sources]
        )
        code = output.read_text(encoding="utf-8") + source_map.inline_comment() + "\n"
        ordered = sorted(inputs, key=lambda path: os.path.realpath(path) != os.path.realpath(entry))
        stamps = {}
        for path in map(str, ordered):
            stamp = _stamp(path) or (0, 0)
            if before.get(path, stamp) != stamp:
                # Saved while esbuild ran: recorded as it was, with no digest, so the next call re-bundles.
                stamps[path] = (before[path], "")
            else:
                stamps[path] = (stamp, _sha256(path))
        return _Cached(Bundle(entry, code, source_map, tuple(ordered)), stamps)


def _fresh(cached: _Cached | None) -> bool:
    """Whether every file of a cached bundle still has the content it was bundled from."""
    if cached is None:
        return False
    for path, (stamp, digest) in cached.inputs.items():
        now = _stamp(path)
        if now is None:
            return False
        if now != stamp:
            try:
                if _sha256(path) != digest:
                    return False
            except OSError:
                return False
            cached.inputs[path] = (now, digest)  # touched, not changed
    return True


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


def _sha256(path: str) -> str:
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()


def _esbuild_error(stderr: str, cwd: Path, entries: list[Path]) -> JsCodeError:
    """esbuild's first error as a JsCodeError naming the file and line esbuild names."""
    as_given = {os.path.realpath(entry): entry for entry in entries}
    errors: list[tuple[str, tuple[Path, int, int] | None]] = []
    for text in stderr.splitlines():
        error = _ERROR.match(text)
        if error:
            errors.append((error["message"], None))
            continue
        location = _LOCATION.match(text)
        if location and errors and errors[-1][1] is None:
            named = os.path.normpath(cwd / location["file"])
            path = as_given.get(os.path.realpath(named), Path(named))
            errors[-1] = (errors[-1][0], (path, int(location["line"]), int(location["column"])))
    if not errors:
        return JsCodeError(entries[0], 0, "bundle-error", f"esbuild failed: {stderr.strip() or 'no message'}")
    message, where = errors[0]
    others = len(errors) - 1
    more = f" (and {others} more esbuild error{'s' if others > 1 else ''})" if others else ""
    unresolved = message.startswith(("Could not resolve", "No matching export"))
    rule = "unresolved-import" if unresolved else "syntax-error"
    path, line, column = where or (entries[0], 0, 0)
    return JsCodeError(path, line, rule, message + more, column)


@functools.cache
def default_bundler() -> Bundler:
    """The process's bundler: the runtime's engines and the CDK app share its cache."""
    return Bundler()
