"""Errors of APPSYNC_JS code found when a file is loaded."""

from __future__ import annotations

from pathlib import Path


class JsCodeError(ValueError):
    """A resolver file AppSync's APPSYNC_JS runtime would reject (syntax, or a feature it does not support).

    Found in the bundle AppSync would run, and reported where its source map says the code came from.

    Parameters
    ----------
    path
        The source file: the resolver's own, or a `lib/` file it imports.
    line
        1-based line of the offending code (0 when unknown).
    rule
        What was broken: "syntax-error", "unsupported-import", "unresolved-import" (esbuild found no such
        file or export), or an @aws-appsync/eslint-plugin style rule such as "no-try", "no-for",
        "no-in-operator".
    detail
        A sentence saying what is not supported.
    column
        0-based column.
    """

    def __init__(self, path: Path | str, line: int, rule: str, detail: str, column: int = 0) -> None:
        self.path = Path(path)
        self.line = line
        self.rule = rule
        self.detail = detail
        self.column = column
        where = f"{self.path}:{line}:{column + 1}" if line else str(self.path)
        super().__init__(f"{where}: {detail} [{rule}]")
