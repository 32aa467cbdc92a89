"""References to the app's resources inside a function's environment values.

A value may name a resource: `${table:Users}`, `${bucket:post-photos}`, `${queue:post-photo-uploads}`
(its URL), `${stream:events}`, `${cdn:post-photos}` (the bucket's CloudFront base URL) or `${api:graphql_url}`.
Locally the runtime puts in the local service's value, and `infra/` the deployed one; the function is granted
what the resource needs (reading and writing a table or bucket, sending to a queue, calling the API). A value
that is exactly a table's or bucket's name (`TODOS_TABLE = "Todos"`) is a reference too, to that resource's
deployed name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

KINDS = ("table", "bucket", "queue", "stream", "cdn", "api")
API_ATTRIBUTES = ("graphql_url",)
_REFERENCE = re.compile(r"\$\{([a-z]+):([^}]*)\}")


@dataclass(frozen=True)
class Reference:
    """`${kind:name}` in an environment value."""

    kind: str
    name: str

    def __str__(self) -> str:
        return f"${{{self.kind}:{self.name}}}"


def references(value: str) -> list[Reference]:
    """Every `${kind:name}` in `value`, in order."""
    return [Reference(kind, name) for kind, name in _REFERENCE.findall(value)]


def substitute(value: str, resolve: Callable[[Reference], str]) -> str:
    """`value` with each reference replaced by what `resolve` gives for it."""
    return _REFERENCE.sub(lambda match: resolve(Reference(match.group(1), match.group(2))), value)
