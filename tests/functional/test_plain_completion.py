"""Objects whose selected fields are all plain leaves are completed directly (appsync_local/plain_completion.py).

What a client sees must not change: every response here is compared with graphql-core's own completion of
the same request (strawberry's stock execution context), including the errors, their paths and the nulls
they leave.
"""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from appsync_local.executor import Executor
from appsync_local.plain_completion import PlainCompletion
from tests.functional.sample_app import handler
from tests.functional.test_executor import execute, executor_for, sample_config

QUERIES = [
    '{ shapes(kind: "%s") { id name color } }',
    '{ shapes(kind: "%s") { __typename a: name b: name id ...F } } fragment F on Node { color }',
    '{ shapes(kind: "%s") { id parent { name color } } }',
    '{ shapes(kind: "%s") { name @include(if: false) id @skip(if: true) color } }',
    '{ shapes(kind: "%s") { name label } }',  # a bound field in the selection: the generic path
    '{ shapes(kind: "%s") { id tags parent { id name tags parent { id } } } }',
    '{ nodes(count: 2) { id } shapes(kind: "%s") { tags p: parent { __typename name color } } }',
]


@pytest.fixture
def executors() -> tuple[Executor, Executor]:
    direct = executor_for(sample_config())
    generic = executor_for(sample_config())
    generic.schema.execution_context_class = StrawberryGraphQLCoreExecutionContext
    assert direct.schema.execution_context_class is PlainCompletion
    return direct, generic


@pytest.mark.parametrize("kind", sorted(handler.SHAPES))
@pytest.mark.parametrize("query", QUERIES)
async def test_the_direct_path_answers_as_graphql_core_does(
    executors: tuple[Executor, Executor], kind: str, query: str
) -> None:
    direct, generic = executors
    document = query % kind
    expected: dict[str, Any] = await execute(generic, document)
    # GIVEN a list whose second item is `kind` WHEN it is completed THEN data and errors are graphql-core's
    assert await execute(direct, document) == expected
    assert expected["data"] is not None


async def test_a_refused_leaf_is_reported_at_its_path(executors: tuple[Executor, Executor]) -> None:
    direct, _ = executors
    body = await execute(direct, '{ shapes(kind: "no-name") { id name } }')
    # THEN the item missing a non-null field is null, its error names the field, the other items are whole
    assert body["data"]["shapes"] == [
        {"id": "0", "name": "node-0"},
        None,
        None,
        {"id": "3", "name": "node-3"},
    ]
    (error,) = body["errors"]
    assert error["path"] == ["shapes", 1, "name"]
    assert error["message"] == "Cannot return null for non-nullable field Node.name."


async def test_numbers_serialize_as_strings_for_string_and_id(executors: tuple[Executor, Executor]) -> None:
    direct, _ = executors
    body = await execute(direct, '{ shapes(kind: "number-name") { __typename id name color } }')
    assert body["data"]["shapes"][1] == {"__typename": "Node", "id": "7", "name": "7", "color": "BLUE"}
    assert "errors" not in body


async def test_only_objects_the_direct_path_refuses_go_the_generic_way(
    executors: tuple[Executor, Executor], monkeypatch: pytest.MonkeyPatch
) -> None:
    direct, _ = executors
    generic_completions: list[str] = []
    original = StrawberryGraphQLCoreExecutionContext.complete_object_value

    def counting(self: Any, return_type: Any, *args: Any) -> Any:
        generic_completions.append(return_type.name)
        return original(self, return_type, *args)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "complete_object_value", counting)
    # WHEN every item is well formed THEN no Node goes through graphql-core's per-field completion
    await execute(direct, "{ nodes(count: 5) { id name color } }")
    assert generic_completions == []
    # nor do nested plain objects and lists
    await execute(direct, "{ nodes(count: 3) { id tags parent { __typename name tags parent { id } } } }")
    assert generic_completions == []
    # WHEN one item misses a non-null field THEN that item alone does (and reports the error)
    body = await execute(direct, '{ shapes(kind: "no-name") { id name } }')
    assert generic_completions == ["Node"] and len(body["errors"]) == 1
    # WHEN the selection has a field with a resolver THEN every item does
    generic_completions.clear()
    await execute(direct, "{ nodes(count: 2) { name label } }")
    assert generic_completions == ["Node", "Node"]
