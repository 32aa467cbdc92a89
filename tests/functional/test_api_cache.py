"""AppSync's API cache in the executor, on the sample app: hits skip the resolver, keys, TTL, errors, auth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from appdef import AppConfig, parse_config
from appdef.bindings import BindingRegistry
from appsync_local import strawberry_adapter
from appsync_local.api_cache import ApiCache, CacheStore
from appsync_local.auth import AuthRules, RequestAuth
from appsync_local.executor import Executor
from appsync_local.runtime import local_functions
from appsync_local.sdl import appsync_sdl
from tests.functional.sample_app import calls, clear_calls
from tests.functional.sample_app.schema import schema as sample_schema

NODE = 'query { node(id: "1") { id name } }'
NODES_WITH_LABELS = "query { nodes(count: 3) { id label } }"
API_KEY = RequestAuth(mode="API_KEY", identity=None)


class Clock:
    """A clock the test moves by hand: expiry without sleeping."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def user(sub: str) -> RequestAuth:
    identity: Any = {
        "sub": sub,
        "issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Sample",
        "username": sub,
        "claims": {"sub": sub, "token_use": "id"},
        "sourceIp": ["127.0.0.1"],
        "defaultAuthStrategy": "ALLOW",
        "groups": None,
    }
    return RequestAuth(mode="AMAZON_COGNITO_USER_POOLS", identity=identity)


def config_with(cache: dict[str, Any], caching: dict[str, Any] | None = None, **api: Any) -> AppConfig:
    raw: dict[str, Any] = {
        "api": {
            "schema": "tests.functional.sample_app.schema:schema",
            "default_auth": "API_KEY",
            "cache": cache,
            **api,
        },
        "functions": {
            "sample": {
                "handler": "tests.functional.sample_app.handler.lambda_handler",
                "app": "tests.functional.sample_app.handler:app",
                "batch_max_size": {"Node.label": 3},
                "caching": caching or {},
            }
        },
    }
    if "AMAZON_COGNITO_USER_POOLS" in (api.get("default_auth"), *api.get("additional_auth", ())):
        raw["auth"] = {"cognito": {"user_pool_id": "us-east-1_Sample", "app_client_ids": ["web"]}}
    return parse_config(raw, Path(__file__).parent / "sample_app")


def executor_for(config: AppConfig, clock: Clock) -> Executor:
    assert config.api.cache is not None
    bindings = BindingRegistry.discover(config)
    schema = strawberry_adapter.graphql_schema(sample_schema)
    sdl = appsync_sdl(sample_schema)
    return Executor(
        app_schema=sample_schema,
        api=config.api,
        bindings=bindings,
        functions=local_functions(config),
        rules=AuthRules.from_sdl(sdl, config.api.default_auth, config.api.additional_auth),
        api_cache=ApiCache.build(config.api.cache, bindings, schema, CacheStore(clock=clock)),
    )


async def execute(executor: Executor, query: str, auth: RequestAuth = API_KEY) -> dict[str, Any]:
    context = executor.new_context(auth, {"host": "localhost"})
    return await executor.execute(query, None, None, context)


def invoked(executor: Executor, field: str) -> int:
    """How many times the sample Lambda was invoked for `field` (a BatchInvoke counts once per item)."""
    count = 0
    for event in calls(executor):
        for one in event if isinstance(event, list) else [event]:
            count += one["info"]["fieldName"] == field
    return count


async def test_full_request_caching_answers_a_repeated_request_without_the_resolver() -> None:
    # GIVEN full request caching for 60 s
    clock = Clock()
    executor = executor_for(config_with({"behavior": "FULL_REQUEST_CACHING", "ttl_seconds": 60}), clock)
    # WHEN the same request comes twice, and then for another id
    first = await execute(executor, NODE)
    second = await execute(executor, NODE)
    other = await execute(executor, 'query { node(id: "2") { id } }')
    # THEN the second is a hit: the same answer, the Lambda not invoked again; another id is a miss
    assert first == second == {"data": {"node": {"id": "1", "name": "node-1"}}}
    assert other == {"data": {"node": {"id": "2"}}}
    assert invoked(executor, "node") == 2
    # AND a nested resolver is cached per parent (the source is part of its key): a hit runs no resolver at all
    await execute(executor, NODES_WITH_LABELS)
    clear_calls(executor)
    again = await execute(executor, NODES_WITH_LABELS)
    assert [n["label"] for n in again["data"]["nodes"]] == ["node-0:BLUE", "node-1:RED", "node-2:BLUE"]
    assert calls(executor) == []


async def test_an_entry_lives_for_its_ttl_then_the_resolver_runs_again() -> None:
    clock = Clock()
    executor = executor_for(config_with({"behavior": "FULL_REQUEST_CACHING", "ttl_seconds": 60}), clock)
    await execute(executor, NODE)
    clock.now += 59.5
    await execute(executor, NODE)
    assert invoked(executor, "node") == 1
    clock.now += 0.5
    await execute(executor, NODE)
    assert invoked(executor, "node") == 2


async def test_full_request_caching_keys_on_the_caller() -> None:
    # GIVEN full request caching, and fields for signed-in users
    clock = Clock()
    config = config_with({"behavior": "FULL_REQUEST_CACHING"}, default_auth="AMAZON_COGNITO_USER_POOLS")
    executor = executor_for(config, clock)
    # WHEN alice asks, then bob asks the same, then alice again
    await execute(executor, NODE, user("alice"))
    await execute(executor, NODE, user("bob"))
    await execute(executor, NODE, user("alice"))
    # THEN bob's request was not answered from alice's entry; alice's second one was
    callers = [e["identity"]["sub"] for e in calls(executor) if e["info"]["fieldName"] == "node"]
    assert callers == ["alice", "bob"]


async def test_errors_are_not_cached() -> None:
    clock = Clock()
    executor = executor_for(config_with({"behavior": "FULL_REQUEST_CACHING"}), clock)
    for _ in range(2):
        body = await execute(executor, 'query { fail(message: "no") }')
        assert body["errors"][0]["errorType"] == "TeapotError"
    assert invoked(executor, "fail") == 2


async def test_per_resolver_caching_caches_only_the_listed_resolvers_on_their_keys() -> None:
    # GIVEN per-resolver caching of `node` on its id only, with a TTL of its own
    clock = Clock()
    caching = {"Query.node": {"ttl_seconds": 5, "caching_keys": ["$context.arguments.id"]}}
    executor = executor_for(
        config_with({"behavior": "PER_RESOLVER_CACHING", "ttl_seconds": 300}, caching), clock
    )
    # WHEN node and nodes are each asked twice
    for _ in range(2):
        await execute(executor, NODE)
        await execute(executor, "query { nodes(count: 1) { id } }")
    # THEN node ran once, nodes (not listed) twice
    assert (invoked(executor, "node"), invoked(executor, "nodes")) == (1, 2)
    # AND node's own TTL applies, not the API's
    clock.now += 5
    await execute(executor, NODE)
    assert invoked(executor, "node") == 2


async def test_a_cached_answer_still_goes_through_field_auth() -> None:
    # GIVEN an entry for node(id: "1") keyed on the id only (so any caller's key would match it)
    clock = Clock()
    caching = {"Query.node": {"caching_keys": ["$context.arguments.id"]}}
    config = config_with({"behavior": "PER_RESOLVER_CACHING"}, caching, additional_auth=["AWS_IAM"])
    executor = executor_for(config, clock)
    await execute(executor, NODE)
    # WHEN a caller whose auth mode the field does not allow asks for it (IAM: the default mode only applies)
    iam = RequestAuth(mode="AWS_IAM", identity=None)
    body = await execute(executor, NODE, iam)
    # THEN AppSync's authorization refuses it before the cache is consulted
    assert body["data"] == {"node": None}
    assert body["errors"][0]["message"] == "Not Authorized to access node on type Query"
    assert invoked(executor, "node") == 1
