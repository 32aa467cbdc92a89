"""References to the app's resources inside a function's environment values.

A value may name a resource: `${table:Users}`, `${bucket:post-photos}`, `${queue:post-photo-uploads}`
(its URL), `${stream:events}`, `${cdn:post-photos}` (the bucket's CloudFront base URL), `${cdn_key:premium-media}`
(the Key-Pair-Id of the key its signed URLs are made with), `${secret:<name>}` (a secret's name),
`${athena:<workgroup>}` (the `[analytics]` workgroup's name: the function may run queries in it, read the tables
and write results), `${glue:<database>}` (the Glue database's name: the function may read its tables) or
`${api:<attribute>}` (`graphql_url`, `realtime_url`, `api_key`, `region`, `user_pool_id`, `user_pool_client_id`,
`user_pool_endpoint`: Cognito's endpoint, which InitiateAuth is sent to; `api_id`, the API's id, and
`api_key_expiry_days`, `[api] api_key_expiry_days`: what a function managing the API's keys needs).
Locally the runtime puts in the local service's value, and `infra/` the deployed one; the function is granted
what the resource needs (reading and writing a table or bucket, sending to a queue, calling the API). A value
that is exactly a table's or bucket's name (`TODOS_TABLE = "Todos"`) is a reference too, to that resource's
deployed name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

KINDS = ("table", "bucket", "queue", "stream", "cdn", "cdn_key", "secret", "athena", "glue", "api")
# `${api:<attribute>}`: what a client needs to reach the API (a static site's config, say).
API_ATTRIBUTES = (
    "graphql_url",
    "realtime_url",
    "api_key",
    "region",
    "user_pool_id",
    "user_pool_client_id",
    "user_pool_endpoint",
    "api_id",
    "api_key_expiry_days",
)
# The API's attributes that are the API itself: a function naming one calls the API (see `api_calls`).
API_URL_ATTRIBUTES = frozenset({"graphql_url", "realtime_url"})
_REFERENCE = re.compile(r"\$\{([a-z_]+):([^}]*)\}")


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
