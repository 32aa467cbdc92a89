"""Reading `appsync.toml`: TOML, then the strict models, then the checks across tables.

Every refusal names the file, the line where it can tell, the key path and what is allowed there.
"""

from __future__ import annotations

import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .app import AppConfig, Location
from .base import KEY
from .locate import line_of

DEFAULT_FILE = "appsync.toml"


class ConfigError(ValueError):
    """The app definition is invalid; the message lists every problem found, one per line."""


def parse_config(
    raw: Mapping[str, Any], root: Path, *, source: str = DEFAULT_FILE, text: str = ""
) -> AppConfig:
    """Build the app definition from a parsed TOML document.

    Parameters
    ----------
    raw
        The document, as `tomllib` returns it.
    root
        The folder relative paths in it are relative to (the file's folder).
    source, text
        The file's name and text, for messages that point at a line.
    """
    try:
        config = AppConfig.model_validate(raw, context={"root": root})
    except ValidationError as exc:
        raise ConfigError(_report(source, text, [_problem(error) for error in exc.errors()])) from None
    problems = config.problems()
    if problems:
        raise ConfigError(_report(source, text, problems))
    return config


def load_config(path: Path | str = DEFAULT_FILE) -> AppConfig:
    """Load `appsync.toml`; relative paths inside it are relative to the file's folder."""
    path = Path(path).resolve()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: not found") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(raw, path.parent, source=_display(path), text=text)


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# -- messages ----------------------------------------------------------------------------------------


def _report(source: str, text: str, problems: list[tuple[Location, str]]) -> str:
    lines = []
    for location, message in problems:
        line = line_of(text, location) if text else None
        where = f"{source}:{line}" if line else source
        path = key_path(location)
        lines.append(f"{where}: {path}: {message}" if path else f"{where}: {message}")
    if len(lines) == 1:
        return lines[0]
    return f"{source} has {len(lines)} problems:\n" + "\n".join(f"  {line}" for line in lines)


def key_path(location: Location) -> str:
    """("pipelines", "Query.getPost", "functions", 0) -> `pipelines."Query.getPost".functions[0]`."""
    out = ""
    for part in location:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        text = part if part.replace("_", "").replace("-", "").isalnum() else f'"{part}"'
        out += f".{text}" if out else text
    return out


def _problem(error: ErrorDetails) -> tuple[Location, str]:
    location = tuple(part for part in error["loc"] if part != KEY)
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        allowed = allowed_keys(location[:-1])
        hint = f"; allowed here: {', '.join(allowed)}" if allowed else ""
        return location, f"unknown key{hint}"
    if kind == "missing":
        return location, "is required"
    if location and location[-1] == "[key]":
        return location[:-1], f"{value!r} is not a valid name here ({_message(error)})"
    message = _message(error)
    if kind.endswith("_type") or kind.startswith(
        ("literal", "string_pattern", "greater", "less", "too_", "string_too")
    ):
        message += f" (got {_shown(value)})"
    return location, message


def _message(error: ErrorDetails) -> str:
    message = error["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if error["type"] == "string_pattern_mismatch":
        return f"does not have the expected form {error.get('ctx', {}).get('pattern', '')}"
    return message[:1].lower() + message[1:]


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def allowed_keys(location: Location) -> list[str]:
    """The keys the file may write at `location` (a table of the app definition)."""
    target: Any = AppConfig
    for part in location:
        target = _inner(target, part)
        if target is None:
            return []
    model = _model_of(target)
    if model is None:
        return []
    return [info.alias or name for name, info in model.model_fields.items() if (info.alias or name) != KEY]


def _model_of(annotation: Any) -> type[BaseModel] | None:
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _inner(annotation: Any, part: str | int) -> Any:
    """The annotation one step into `annotation` (a model's field, a table's entry, a list's item)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        for option in typing.get_args(annotation):
            found = _inner(option, part)
            if found is not None:
                return found
        return None
    if origin is typing.Annotated:
        return _inner(typing.get_args(annotation)[0], part)
    if origin in (dict, Mapping):
        return typing.get_args(annotation)[1]
    if origin is tuple or origin is list:
        return typing.get_args(annotation)[0]
    model = _model_of(annotation)
    if model is not None and isinstance(part, str):
        for name, info in model.model_fields.items():
            if part in (name, info.alias):
                return info.annotation
    return None
