"""The runtime's error texts against docs/appsync-parity.md: each row reproduced or found, none missing."""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.fixtures.live_server import LiveServer

ROOT = Path(__file__).resolve().parents[2]
PARITY = ROOT / "docs" / "appsync-parity.md"
# The modules that answer GraphQL and realtime clients (the other local AWS stand-ins have their own texts).
WIRE_MODULES = [
    *(
        ROOT / "appsync_local" / name
        for name in ("http_app.py", "executor.py", "errors.py", "engine_errors.py")
    ),
    ROOT / "appsync_local" / "request_limits.py",
    ROOT / "appsync_local" / "js" / "runner.py",
    *sorted((ROOT / "appsync_local" / "realtime").glob("*.py")),
]
ELLIPSIS = "…"


@dataclass(frozen=True)
class Row:
    status: str
    error_type: str
    message: str
    source: str
    request: str | None

    @property
    def fixed_parts(self) -> list[str]:
        """The pieces of the text the source spells out whole (texts are composed at `…`, `: ` and `. `)."""
        pieces = re.split(rf"{ELLIPSIS}|: |\. |Validation error of type \w+", self.message)
        return [piece.strip(" .'`") for piece in pieces if len(piece.strip(" .'`")) >= 4]


def parity_rows() -> list[Row]:
    rows = []
    for line in PARITY.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| ") or line.startswith(("| status", "|---")):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        status, error_type, message, source, request = [*cells, ""][:5]
        body = request[1:-1] if request.startswith("`") and request.endswith("`") else None
        rows.append(Row(status, error_type, message, source, body))
    return rows


ROWS = parity_rows()
REPRODUCIBLE = [row for row in ROWS if row.request is not None]


def test_the_table_has_a_source_for_every_row() -> None:
    assert len(ROWS) > 40
    for row in ROWS:
        assert row.source.startswith(("https://", "graphql-java", "runtime's own")), row


@pytest.mark.parametrize("row", REPRODUCIBLE, ids=lambda row: row.message[:60])
def test_each_reproducible_row_is_what_the_runtime_answers(live_server: LiveServer, row: Row) -> None:
    # WHEN the row's request is sent with the API key
    assert row.request is not None
    response = httpx.post(
        live_server.url,
        content=row.request.encode(),
        headers={"x-api-key": live_server.api_key, "content-type": "application/json"},
        timeout=30,
    )
    # THEN the answer carries exactly the row's text, status and errorType (or none)
    assert str(response.status_code) == row.status
    errors = response.json()["errors"]
    matching = [error for error in errors if error["message"].strip() == row.message.strip()]
    assert matching, json.dumps(errors)
    (error,) = matching[:1]
    if row.error_type == "—":
        assert "errorType" not in error
        assert error.get("path") is None
    else:
        assert error["errorType"] == row.error_type


def _wire_source() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in WIRE_MODULES)


@pytest.mark.parametrize("row", [r for r in ROWS if r.request is None], ids=lambda row: row.message[:60])
def test_each_other_row_is_a_text_the_runtime_has(row: Row) -> None:
    if row.message.startswith("(every engine text"):
        return
    source = _wire_source()
    for part in row.fixed_parts:
        assert part in source or part in _engine_texts(), f"{part!r} is not in the runtime's source"


def _engine_texts() -> str:
    # graphql-core's own texts the runtime passes on (its parse caps)
    return "Syntax Error: Document contains more than tokens. Parsing aborted. Source contains more than code points"


# Calls that make an error text, and which positional argument holds it.
_TEXT_ARGUMENT = {
    "RequestError": 2,
    "_error": 2,
    "_malformed": 0,
    "RealtimeError": 1,
    "_request_error": 0,
    "_engine_refusal": 0,
    "validation_error": 0,
    "AppSyncFieldError": 0,
    "LambdaError": 0,
    "_VariableRefused": 0,
    "engine_error": 0,
    "_engine_message": 0,
}


def _called_name(node: ast.Call) -> str:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return ""


def _fixed_text(node: ast.expr) -> str | None:
    """The longest constant piece of a string literal or f-string; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        pieces = [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
        return max(pieces, key=len, default=None)
    return None


def emitted_texts() -> list[tuple[str, str]]:
    """(module, fixed text) of every error text the wire modules build."""
    found = []
    for path in WIRE_MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            texts: list[ast.expr] = []
            if isinstance(node, ast.Call):
                name = _called_name(node)
                index = _TEXT_ARGUMENT.get(name)
                if index is not None and len(node.args) > index:
                    texts.append(node.args[index])
                if (
                    name == "__init__"
                    and node.args
                    and isinstance(node.args[0], (ast.Constant, ast.JoinedStr))
                ):
                    texts.append(node.args[0])
            elif isinstance(node, ast.Dict):
                keys = [k.value if isinstance(k, ast.Constant) else None for k in node.keys]
                if "errorType" in keys and "message" in keys:
                    texts.append(node.values[keys.index("message")])
            for text in texts:
                fixed = _fixed_text(text)
                if fixed and fixed.strip(" .:;'"):
                    found.append((path.name, fixed.strip(" '")))
    return found


def test_every_error_text_the_runtime_emits_has_a_row() -> None:
    table = "\n".join(row.message for row in ROWS)
    missing = [(module, text) for module, text in emitted_texts() if text not in table]
    assert emitted_texts(), "the scan found no error texts"
    assert missing == []


def test_the_table_is_well_formed_markdown() -> None:
    for line in PARITY.read_text(encoding="utf-8").splitlines():
        if line.startswith("| "):
            assert re.fullmatch(r"\|( [^|]* \|| \|)+", line.replace("\\|", "")), line
