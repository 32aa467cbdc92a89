"""The runtime's execution semantics, on a sample app: events, batching, errors, limits, introspection."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from appdef import AppConfig, parse_config
from appdef.bindings import BindingError, BindingRegistry
from appsync_local.auth import AuthRules, RequestAuth
from appsync_local.executor import Executor
from appsync_local.runtime import local_functions
from appsync_local.sdl import appsync_sdl
from tests.functional.sample_app import calls
from tests.functional.sample_app.schema import schema as sample_schema

API_KEY_AUTH = RequestAuth(mode="API_KEY", identity=None)


def sample_config(**api: Any) -> AppConfig:
    raw = {
        "api": {"schema": "tests.functional.sample_app.schema:schema", "default_auth": "API_KEY", **api},
        "functions": {
            "sample": {
                "handler": "tests.functional.sample_app.handler.lambda_handler",
                "app": "tests.functional.sample_app.handler:app",
                "batch_max_size": {"Node.label": 3},
            }
        },
    }
    return parse_config(raw, Path(__file__).parent / "sample_app")  # no resolvers/js there


def executor_for(config: AppConfig) -> Executor:
    sdl = appsync_sdl(sample_schema)
    return Executor(
        app_schema=sample_schema,
        api=config.api,
        bindings=BindingRegistry.discover(config),
        functions=local_functions(config),
        rules=AuthRules.from_sdl(sdl, config.api.default_auth, config.api.additional_auth),
    )


async def execute(executor: Executor, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    context = executor.new_context(API_KEY_AUTH, {"host": "localhost", "x-api-key": "k"})
    return await executor.execute(query, variables, None, context)


@pytest.fixture
def executor() -> Executor:
    return executor_for(sample_config(query_depth_limit=5, resolver_count_limit=20))


async def test_the_lambda_receives_appsyncs_event(executor: Executor) -> None:
    # WHEN a field with arguments, an aliased sub-field and a fragment is queried
    query = """
      query Echo($c: Color) {
        echo(input: {text: "hi", color: $c})
      }
    """
    body = await execute(executor, query, {"c": "BLUE"})
    event = json.loads(body["data"]["echo"])
    # THEN the arguments use GraphQL names and enum names, and the event has AppSync's fields
    assert event["arguments"] == {"input": {"text": "hi", "color": "BLUE"}}
    assert event["identity"] is None
    assert event["source"] is None
    assert event["info"]["fieldName"] == "echo"
    assert event["info"]["parentTypeName"] == "Query"
    assert event["info"]["variables"] == {"c": "BLUE"}
    assert event["request"]["headers"]["x-api-key"] == "k"
    assert event["stash"] == {} and event["prev"] is None


async def test_selection_set_list_and_graphql(executor: Executor) -> None:
    query = """
      query { node(id: "1") { id alias: name ...F parent { name } } }
      fragment F on Node { color }
    """
    body = await execute(executor, query)
    assert body["data"]["node"]["alias"] == "node-1"
    event = calls(executor)[0]
    assert event["info"]["selectionSetList"] == ["id", "alias", "color", "parent", "parent/name"]
    assert "parent {" in event["info"]["selectionSetGraphQL"]


async def test_a_documents_selection_info_is_worked_out_once_for_every_request_that_sends_it(
    executor: Executor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from appsync_local import resolver_event

    printed: list[str] = []
    original = resolver_event.selection_set_graphql

    def counted(nodes: Any) -> str:
        printed.append(original(nodes))
        return printed[-1]

    monkeypatch.setattr(resolver_event, "selection_set_graphql", counted)
    merged = '{ ...Q node(id: "1") { id } } fragment Q on Query { node(id: "1") { name } }'
    alone = '{ ...Q } fragment Q on Query { node(id: "1") { name } }'
    # WHEN one document is sent twice, then another whose field has fewer of the same selections
    for query in (merged, merged, alone):
        await execute(executor, query)

    # THEN each request's event has its own document's selections (a field's merged nodes all count)
    lists = [event["info"]["selectionSetList"] for event in calls(executor)]
    assert lists == [["name", "id"], ["name", "id"], ["name"]]
    # AND each document's field was worked out once, not once per request
    assert len(printed) == 2


async def test_batch_invoke_sends_one_list_per_max_batch_size(executor: Executor) -> None:
    # GIVEN Node.label bound with BatchInvoke and maxBatchSize 3
    # WHEN seven nodes are listed with their label
    body = await execute(executor, "{ nodes(count: 7) { label } }")
    # THEN each node gets its own label, from ceil(7/3) = 3 batched calls, each a list of events
    assert [n["label"] for n in body["data"]["nodes"]] == [
        f"node-{i}:{'RED' if i % 2 else 'BLUE'}" for i in range(7)
    ]
    # (the batches run side by side, in environments of their own, so in no set order)
    batches = sorted(
        (c for c in calls(executor) if isinstance(c, list)), key=lambda b: b[0]["source"]["name"]
    )
    assert [[event["source"]["name"] for event in batch] for batch in batches] == [
        ["node-0", "node-1", "node-2"],
        ["node-3", "node-4", "node-5"],
        ["node-6"],
    ]
    assert batches[0][0]["info"]["parentTypeName"] == "Node"


async def test_a_raised_exception_is_an_appsync_error(executor: Executor) -> None:
    body = await execute(executor, '{ fail(message: "no coffee") }')
    assert body["data"] == {"fail": None}
    (error,) = body["errors"]
    assert error["errorType"] == "TeapotError"
    assert error["message"] == "no coffee"
    assert error["path"] == ["fail"]
    assert error["locations"] == [{"line": 1, "column": 3, "sourceName": None}]


async def test_a_resolver_past_its_functions_timeout_is_an_appsync_error_and_the_next_request_is_served() -> (
    None
):
    # GIVEN the sample function with a 1 s timeout
    config = sample_config()
    sample = config.functions["sample"].model_copy(update={"timeout_seconds": 1})
    executor = executor_for(config.model_copy(update={"functions": {"sample": sample}}))

    # WHEN a field's resolver would run for 30 s
    body = await execute(executor, "{ spin(seconds: 30) }")

    # THEN the client gets Lambda's timeout as the field's AppSync error
    assert body["data"] == {"spin": None}
    (error,) = body["errors"]
    assert error["errorType"] == "Sandbox.Timedout"
    assert re.fullmatch(r"RequestId: \S+ Error: Task timed out after \d+\.\d\d seconds", error["message"])
    assert error["path"] == ["spin"]
    # AND the function answers the next request
    assert (await execute(executor, '{ node(id: "1") { id } }'))["data"] == {"node": {"id": "1"}}


async def test_a_result_lambda_cannot_marshal_fails_as_on_lambda(executor: Executor) -> None:
    body = await execute(executor, "{ unmarshalable }")
    assert body["errors"][0]["errorType"] == "Runtime.MarshalError"


async def test_query_depth_limit(executor: Executor) -> None:
    body = await execute(
        executor, '{ node(id: "1") { parent { parent { parent { parent { parent { id } } } } } } }'
    )
    assert body["data"] is None
    assert "depth" in body["errors"][0]["message"]
    assert not calls(executor)  # refused before any resolver ran


async def test_resolver_count_limit(executor: Executor) -> None:
    # 1 resolver for nodes + 25 label resolvers > 20
    body = await execute(executor, "{ nodes(count: 25) { label } }")
    assert any(e["errorType"] == "ResolverCountLimitExceeded" for e in body["errors"])


async def test_introspection_disabled_hides_schema_and_suggestions() -> None:
    executor = executor_for(sample_config(introspection="DISABLED"))
    body = await execute(executor, "{ __schema { types { name } } }")
    assert body["data"] is None and body["errors"]
    typo = await execute(executor, '{ nod(id: "1") { id } }')
    assert "Did you mean" not in typo["errors"][0]["message"]


async def test_introspection_enabled_suggests() -> None:
    executor = executor_for(sample_config())
    body = await execute(executor, "{ __schema { queryType { name } } }")
    assert body == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


def test_a_root_field_without_a_binding_is_refused() -> None:
    config = sample_config()
    bindings = BindingRegistry([b for b in BindingRegistry.discover(config) if b.key != "Query.fail"])
    with pytest.raises(BindingError, match=re.escape("Query.fail has no resolver binding")):
        Executor(
            app_schema=sample_schema,
            api=config.api,
            bindings=bindings,
            functions={},
            rules=AuthRules.from_sdl(appsync_sdl(sample_schema), "API_KEY", ()),
        )


def test_a_field_bound_twice_is_refused() -> None:
    bindings = list(BindingRegistry.discover(sample_config()))
    with pytest.raises(BindingError, match="two bindings"):
        BindingRegistry([*bindings, bindings[0]])
