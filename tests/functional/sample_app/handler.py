"""The sample app's Lambda: a Powertools resolver app like any of the backend's."""

from __future__ import annotations

import json
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


@app.resolver(type_name="Query", field_name="unmarshalable")
def unmarshalable() -> Any:
    return {1, 2, 3}


@app.batch_resolver(type_name="Node", field_name="label")
def label(event: list[Any]) -> list[str]:
    return [f"{e.source['name']}:{e.source['color']}" for e in event]


def lambda_handler(event: Any, context: Any) -> Any:
    calls.append(event)
    return app.resolve(event, context)
