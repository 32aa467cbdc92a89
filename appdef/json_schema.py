"""The JSON Schema of `appsync.toml`, for editors (Even Better TOML/taplo reads the `#:schema` line)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .app import AppConfig

SCHEMA_FILE = Path(__file__).with_name("appsync.schema.json")


def json_schema() -> dict[str, Any]:
    """The schema of the file as written (entries' own names come from their keys, so they are not in it)."""
    schema = AppConfig.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "appsync.toml",
        "description": "The AppSync app, described once: read by the local runtime, the CDK app and the tests.",
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


def write_schema_file(target: Path = SCHEMA_FILE) -> bool:
    """Write the schema file; True when it changed."""
    text = schema_text()
    if target.exists() and target.read_text() == text:
        return False
    target.write_text(text)
    return True
