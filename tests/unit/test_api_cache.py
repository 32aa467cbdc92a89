"""AppSync's API cache: its settings in appsync.toml, the in-memory store, and how evictions name entries."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from appdef import CacheConfig, ConfigError, load_config
from appdef.bindings import BindingError, BindingRegistry
from appsync_local import strawberry_adapter
from appsync_local.api_cache import ApiCache, CacheStore, FieldPolicy
from appsync_local.api_cache.store import MISSING
from appsync_local.sdl import load_schema

ROOT = Path(__file__).resolve().parents[2]

BASE = """
[api]
schema = "schema:schema"
default_auth = "AMAZON_COGNITO_USER_POOLS"

[auth.cognito]
user_pool_id = "us-east-1_Sample"
app_client_ids = ["web"]

[tables.Todos]
partition_key = { name = "ownerId", type = "S" }
sort_key = { name = "id", type = "S" }

[functions.todos]
handler = "resolvers.todos.handler.lambda_handler"
app = "resolvers.todos.handler:app"
environment = { TODOS_TABLE = "Todos" }
"""
PER_RESOLVER = '\n[api.cache]\nbehavior = "PER_RESOLVER_CACHING"\n'
LIST_TODOS = '\n[functions.todos.caching."Query.listTodos"]\ncaching_keys = ["$context.identity.sub"]\n'


def _refusal(tmp_path: Path, text: str) -> str:
    path = tmp_path / "appsync.toml"
    path.write_text(textwrap.dedent(text))
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    return str(refused.value)


class Clock:
    """A clock the test moves by hand: expiry without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# -- settings ------------------------------------------------------------------------------------------


def test_per_resolver_settings_contradicting_full_request_caching_are_refused(tmp_path: Path) -> None:
    # WHEN a resolver has caching settings but the API caches every resolver on AppSync's full-request keys
    full = _refusal(tmp_path, BASE + '\n[api.cache]\nbehavior = "FULL_REQUEST_CACHING"\n' + LIST_TODOS)
    # THEN start-up is refused at the setting's key path, saying when they apply
    assert 'functions.todos.caching."Query.listTodos"' in full
    assert (
        'behavior is FULL_REQUEST_CACHING: per-resolver settings apply only with "PER_RESOLVER_CACHING"'
        in full
    )


def test_without_an_api_cache_the_settings_wait_unused(tmp_path: Path) -> None:
    # GIVEN caching settings and no [api.cache] (caching turned off by removing that table)
    path = tmp_path / "appsync.toml"
    path.write_text(BASE + LIST_TODOS)
    # THEN the file is valid, and the binding still carries them for when the cache is back
    config = load_config(path)
    (binding,) = [b for b in BindingRegistry.discover(config) if b.key == "Query.listTodos"]
    assert config.api.cache is None and binding.caching is not None


@pytest.mark.parametrize(
    ("setting", "fragment"),
    [
        ('caching_keys = ["$context.request.headers.x"]', "caching_keys"),
        ('caching_keys = ["context.arguments.id"]', "caching_keys"),
        ('caching_keys = ["$context.arguments", "$context.arguments"]', "caching key twice"),
        ("ttl_seconds = 0", "ttl_seconds"),
        ("ttl_seconds = 3601", "ttl_seconds"),
        ("keys = []", "keys"),
    ],
)
def test_impossible_caching_settings_are_refused(tmp_path: Path, setting: str, fragment: str) -> None:
    text = BASE + PER_RESOLVER + f'\n[functions.todos.caching."Query.listTodos"]\n{setting}\n'
    assert fragment in _refusal(tmp_path, text)


def test_mutations_are_never_cached_and_caches_are_always_encrypted(tmp_path: Path) -> None:
    mutation = _refusal(tmp_path, BASE + PER_RESOLVER + '\n[functions.todos.caching."Mutation.createTodo"]\n')
    assert "AppSync caches the results of queries' resolvers only" in mutation
    plain = _refusal(tmp_path, BASE + PER_RESOLVER + "transit_encryption = false\n")
    assert "api.cache.transit_encryption" in plain and "always encrypts" in plain


def test_a_setting_for_a_field_the_function_does_not_serve_is_refused(tmp_path: Path) -> None:
    # GIVEN caching settings on the todos function for a field another binding serves
    path = tmp_path / "appsync.toml"
    path.write_text(BASE + PER_RESOLVER + '\n[functions.todos.caching."Query.getPost"]\n')
    config = load_config(path)
    # THEN the binding registry refuses it, naming the key
    with pytest.raises(BindingError, match=r"functions.todos.caching names Query.getPost"):
        BindingRegistry.discover(config)


def test_the_project_caches_the_blog_and_todo_reads_per_caller() -> None:
    config = load_config(ROOT / "appsync.toml")
    bindings = BindingRegistry.discover(config)
    cached = {b.key: b.caching for b in bindings if b.caching is not None}
    assert set(cached) == {"Query.getPost", "Query.listPosts", "Query.listTodos"}
    assert all(c is not None and c.caching_keys[0] == "$context.identity.sub" for c in cached.values())


# -- the store -----------------------------------------------------------------------------------------


def test_entries_expire_after_their_ttl() -> None:
    clock = Clock()
    store = CacheStore(clock=clock)
    store.put("k", {"v": 1}, ttl_seconds=30)
    clock.now += 29.5
    assert store.get("k") == {"v": 1}
    clock.now += 0.5
    assert store.get("k") is MISSING
    assert store.delete("k") == 0  # already gone


def test_the_store_is_bounded_and_drops_the_least_recently_used() -> None:
    store = CacheStore(max_entries=2, clock=Clock())
    store.put("a", 1, 60)
    store.put("b", 2, 60)
    store.get("a")  # a is used again: b is now the least recently used
    store.put("c", 3, 60)
    assert len(store) == 2
    assert (store.get("a"), store.get("c")) == (1, 3)
    assert store.get("b") is MISSING


# -- evictions -----------------------------------------------------------------------------------------


def _cache(clock: Clock) -> ApiCache:
    policy = FieldPolicy("Query", "getNote", ("$context.identity.sub", "$context.arguments.id"), 60)
    return ApiCache(CacheConfig(behavior="PER_RESOLVER_CACHING"), [policy], CacheStore(clock=clock))


def test_an_eviction_names_the_caching_keys_in_order_in_either_spelling() -> None:
    clock = Clock()
    cache = _cache(clock)
    policy = cache.policies["Query.getNote"]
    cache.store.put(policy.entry_key({"id": "n1"}, None, {"sub": "alice"}), "note", 60)
    # WHEN evictions name the keys out of order, or another note, nothing goes
    assert (
        cache.evict(
            [
                {
                    "typeName": "Query",
                    "fieldName": "getNote",
                    "keys": {"ctx.args.id": "n1", "ctx.identity.sub": "alice"},
                }
            ]
        )
        == 0
    )
    assert (
        cache.evict(
            [
                {
                    "typeName": "Query",
                    "fieldName": "getNote",
                    "keys": {"context.identity.sub": "alice", "context.arguments.id": "n2"},
                }
            ]
        )
        == 0
    )
    # THEN the entry goes when they name it in order (`ctx.args` as AppSync's guide spells it, or `context.arguments`)
    evicted = {
        "typeName": "Query",
        "fieldName": "getNote",
        "keys": {"ctx.identity.sub": "alice", "ctx.args.id": "n1"},
    }
    assert cache.evict([evicted]) == 1
    assert cache.evict([evicted]) == 0


def _get_todo_cache(tmp_path: Path, caching_key: str) -> ApiCache:
    """The app's cache with getTodo's one caching key set to `caching_key` (per-resolver caching)."""
    path = tmp_path / "appsync.toml"
    path.write_text(
        BASE
        + PER_RESOLVER
        + f'\n[functions.todos.caching."Query.getTodo"]\ncaching_keys = ["{caching_key}"]\n'
    )
    config = load_config(path)
    assert config.api.cache is not None
    schema = strawberry_adapter.graphql_schema(load_schema(config.api.schema_spec))
    return ApiCache.build(config.api.cache, BindingRegistry.discover(config), schema)


def test_args_is_arguments_in_a_caching_key(tmp_path: Path) -> None:
    # GIVEN a caching key spelled `$context.args.id`, which AppSync accepts as it accepts `$context.arguments.id`
    # WHEN the cache is built THEN the key names getTodo's argument and keys entries as the long spelling does
    short = _get_todo_cache(tmp_path, "$context.args.id").policies["Query.getTodo"]
    long = FieldPolicy("Query", "getTodo", ("$context.arguments.id",), 60)
    assert short.entry_key({"id": "t1"}, None, None) == long.entry_key({"id": "t1"}, None, None)
    assert short.entry_key({"id": "t1"}, None, None) != short.entry_key({"id": "t2"}, None, None)


def test_a_caching_key_must_name_an_argument_of_its_field(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError,
        match=re.escape("Query.getTodo caching key $context.arguments.idd: getTodo has no argument 'idd'"),
    ):
        _get_todo_cache(tmp_path, "$context.arguments.idd")
