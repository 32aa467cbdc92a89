"""AppSync's API cache around the resolvers: which fields are cached, on what keys, and evictions.

The cache stands where a resolver runs: after AppSync has authorized the field for the caller, and in place
of the resolver's whole work (request handler, data source, response handler, or the Lambda invocation).
A hit therefore still passes every field's auth check, and the fields below it resolve as usual.

- FULL_REQUEST_CACHING: every resolver of a query (not of a mutation or subscription), keyed on
  `$context.arguments`, `$context.source` and `$context.identity` (the whole maps; AppSync's guide names
  arguments and identity, and says a per-resolver setting without keys, which adds the source, behaves the same).
- PER_RESOLVER_CACHING: the resolvers with a `caching` setting, keyed on their `caching_keys` in order.
- Errors are not cached: neither a resolver that failed nor a result that came with `util.appendError`.
- `extensions.evictFromApiCache(type, field, keys)` works in mutations only: the keys name the cached
  resolver's caching keys, in the same order; the response then carries `extensions.apiCacheEntriesDeleted`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLObjectType, GraphQLSchema

from appdef import CacheConfig, ConfigError
from appdef.bindings import Binding
from appdef.caching import DEFAULT_CACHING_KEYS

from . import keys as caching_keys
from .store import MISSING, CacheStore

logger = logging.getLogger("appsync_local")

# What the executor calls to run a resolver: (source, info, request context, arguments) -> result.
Invoke = Callable[[Any, Any, Any, dict[str, Any]], Awaitable[Any]]
# The root types whose resolvers are never cached.
UNCACHED_ROOTS = ("mutation_type", "subscription_type")


@dataclass(frozen=True)
class FieldPolicy:
    """How one field's resolver is cached."""

    type_name: str
    field_name: str
    keys: tuple[str, ...]  # as declared: `$context.arguments.id`
    ttl_seconds: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "_paths", tuple(caching_keys.parse(k) for k in self.keys))

    def entry_key(self, arguments: Mapping[str, Any], source: Any, identity: Any) -> tuple[str, ...]:
        maps = {"arguments": arguments, "source": source, "identity": identity}
        paths: tuple[tuple[str, tuple[str, ...]], ...] = self._paths  # type: ignore[attr-defined]
        return caching_keys.entry_key(
            self.type_name, self.field_name, [caching_keys.read(maps, p) for p in paths]
        )


class ApiCache:
    """The API's cache: one store, the cached fields' policies, and the evictions resolvers ask for."""

    def __init__(self, config: CacheConfig, policies: Iterable[FieldPolicy], store: CacheStore | None = None):
        self.config = config
        self.store = store if store is not None else CacheStore()
        self.policies = {f"{p.type_name}.{p.field_name}": p for p in policies}

    @classmethod
    def build(
        cls,
        config: CacheConfig,
        bindings: Iterable[Binding],
        schema: GraphQLSchema,
        store: CacheStore | None = None,
    ) -> ApiCache:
        """The cache for `config`; a caching key naming an argument the field lacks is refused."""
        if config.behavior == "OPERATION_LEVEL_CACHING":
            raise ConfigError(
                "api.cache.behavior: OPERATION_LEVEL_CACHING is deployed as configured, but the local runtime "
                "emulates FULL_REQUEST_CACHING and PER_RESOLVER_CACHING only"
            )
        uncached = {
            getattr(schema, root).name for root in UNCACHED_ROOTS if getattr(schema, root) is not None
        }
        policies: list[FieldPolicy] = []
        for binding in bindings:
            if binding.type_name in uncached:
                continue
            if config.behavior == "FULL_REQUEST_CACHING":
                policies.append(
                    FieldPolicy(
                        binding.type_name, binding.field_name, DEFAULT_CACHING_KEYS, config.ttl_seconds
                    )
                )
            elif binding.caching is not None:
                _check_arguments(binding, schema)
                policies.append(
                    FieldPolicy(
                        binding.type_name,
                        binding.field_name,
                        binding.caching.keys,
                        binding.caching.ttl(config.ttl_seconds),
                    )
                )
        return cls(config, policies, store)

    # -- the executor's hook -------------------------------------------------------------------------

    def wrap(self, type_name: str, field_name: str, invoke: Invoke, *, mutation: bool) -> Invoke:
        """`invoke` with the cache in front (a cached field), or evictions applied after it (a mutation)."""
        if mutation:
            return self._evicting(invoke)
        policy = self.policies.get(f"{type_name}.{field_name}")
        return invoke if policy is None else self._cached(policy, invoke)

    def _cached(self, policy: FieldPolicy, invoke: Invoke) -> Invoke:
        store = self.store

        async def cached(source: Any, info: Any, context: Any, arguments: dict[str, Any]) -> Any:
            key = policy.entry_key(arguments, source, context.auth.identity)
            value = store.get(key)
            if value is not MISSING:
                return value
            appended = len(context.appended_errors)
            value = await invoke(source, info, context, arguments)
            if len(context.appended_errors) == appended:
                store.put(key, value, policy.ttl_seconds)
            return value

        return cached

    def _evicting(self, invoke: Invoke) -> Invoke:
        async def evicting(source: Any, info: Any, context: Any, arguments: dict[str, Any]) -> Any:
            try:
                return await invoke(source, info, context, arguments)
            finally:
                if context.cache_evictions:
                    pending = list(context.cache_evictions)
                    context.cache_evictions.clear()
                    context.cache_entries_deleted += self.evict(pending)

        return evicting

    # -- evictions and flushing ----------------------------------------------------------------------

    def evict(self, requests: Iterable[Any]) -> int:
        """Apply `evictFromApiCache` calls (`{typeName, fieldName, keys}`); how many live entries went."""
        deleted = 0
        for request in requests:
            if not isinstance(request, Mapping):
                continue
            type_name, field_name, keys = (
                request.get("typeName"),
                request.get("fieldName"),
                request.get("keys"),
            )
            policy = self.policies.get(f"{type_name}.{field_name}")
            if policy is None or not isinstance(keys, Mapping):
                logger.warning(
                    "evictFromApiCache(%r, %r): that resolver is not cached", type_name, field_name
                )
                continue
            names = [caching_keys.normalized(str(name)) for name in keys]
            expected = [key.lstrip("$") for key in policy.keys]
            if names != expected:
                logger.warning(
                    "evictFromApiCache(%r, %r): keys %s do not name its caching keys %s in order",
                    type_name,
                    field_name,
                    list(keys),
                    expected,
                )
                continue
            entry = caching_keys.entry_key(policy.type_name, policy.field_name, list(keys.values()))
            deleted += self.store.delete(entry)
        return deleted

    def flush(self) -> None:
        """FlushApiCache: every entry goes."""
        self.store.flush()


def _check_arguments(binding: Binding, schema: GraphQLSchema) -> None:
    assert binding.caching is not None
    type_ = schema.type_map.get(binding.type_name)
    arguments = type_.fields[binding.field_name].args if isinstance(type_, GraphQLObjectType) else {}
    for key in binding.caching.keys:
        map_name, path = caching_keys.parse(key)
        if map_name == "arguments" and path and path[0] not in arguments:
            raise ConfigError(
                f"{binding.key} caching key {key}: {binding.field_name} has no argument {path[0]!r}"
            )
