"""The sample app's Lambda: a Powertools resolver app like any of the backend's."""

from __future__ import annotations

import json
import time
from typing import Any

from resolvers.routing import AppSyncResolver

app = AppSyncResolver()
calls: list[Any] = []  # every event received, for the tests to inspect


class TeapotError(Exception):
    """A typed error: its class name is the errorType the client sees."""


def _node(i: int) -> dict[str, Any]:
    return {
        "id": str(i),
        "name": f"node-{i}",
        "color": "RED" if i % 2 else "BLUE",
        "parent": {"id": f"p{i}", "name": f"parent-{i}", "color": "BLUE", "parent": None},
        "tags": [f"t{i}", "all"],
    }


@app.resolver(type_name="Query", field_name="node")
def node(id: str) -> dict[str, Any]:
    return _node(int(id))


@app.resolver(type_name="Query", field_name="nodes")
def nodes(count: int) -> list[dict[str, Any]]:
    return [_node(i) for i in range(count)]


@app.resolver(type_name="Query", field_name="echo")
def echo(input: dict[str, Any] | None = None) -> str:
    return json.dumps(app.current_event.raw_event)


@app.resolver(type_name="Query", field_name="fail")
def fail(message: str) -> str:
    raise TeapotError(message)


@app.resolver(type_name="Query", field_name="spin")
def spin(seconds: float) -> str:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        pass
    return "done"


@app.resolver(type_name="Query", field_name="unmarshalable")
def unmarshalable() -> Any:
    return {1, 2, 3}


# Lists with one item each leaf's completion must refuse (and one it must not): AppSync reports the field.
SHAPES: dict[str, dict[str, Any]] = {
    "no-name": {"id": "1", "color": "RED", "parent": None},  # a non-null field missing
    "null-name": {"id": "1", "name": None, "color": "RED", "parent": None},
    "bad-color": {"id": "1", "name": "n", "color": "GREEN", "parent": None},  # not a Color
    "number-name": {"id": 7, "name": 7, "color": "BLUE", "parent": None},  # String and ID serialize numbers
    "extra-keys": {"id": "1", "name": "n", "color": "BLUE", "parent": None, "unknown": True},
    "bad-parent": {"id": "1", "name": "n", "color": "BLUE", "parent": {"id": "p", "color": "RED"}},
    "tags-not-a-list": {"id": "1", "name": "n", "color": "BLUE", "parent": None, "tags": "a,b"},
    "null-tag": {"id": "1", "name": "n", "color": "BLUE", "parent": None, "tags": ["a", None]},
    "number-tag": {"id": "1", "name": "n", "color": "BLUE", "parent": None, "tags": [1, 2.5, True]},
}


@app.resolver(type_name="Query", field_name="shapes")
def shapes(kind: str) -> list[dict[str, Any] | None]:
    return [_node(0), SHAPES[kind], None, _node(3)]


@app.batch_resolver(type_name="Node", field_name="label")
def label(event: list[Any]) -> list[str]:
    return [f"{e.source['name']}:{e.source['color']}" for e in event]


def lambda_handler(event: Any, context: Any) -> Any:
    calls.append(event)
    return app.resolve(event, context)
