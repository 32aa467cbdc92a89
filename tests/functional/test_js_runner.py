"""JsResolverRunner runs unit and pipeline APPSYNC_JS resolvers with AppSync's semantics, on fake data sources."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from appdef.bindings import Binding, PipelineFunction
from appsync_local.auth.oidc import oidc_identity
from appsync_local.errors import AppSyncFieldError
from appsync_local.js import DataSourceError, JsResolverRunner, NoneDataSource
from appsync_local.resolver_context import ResolverInvocation

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "js"


class FakeTable:
    """A data source that records requests and answers from a dict, or fails with a DataSourceError."""

    def __init__(self, name: str, items: dict[str, Any], failure: DataSourceError | None = None) -> None:
        self.name = name
        self.items = items
        self.failure = failure
        self.requests: list[dict[str, Any]] = []

    async def invoke(self, request: dict[str, Any], invocation: ResolverInvocation) -> Any:
        self.requests.append(request)
        if self.failure is not None:
            raise self.failure
        return self.items.get(request["key"]["id"]["S"])


def _invocation(**arguments: Any) -> ResolverInvocation:
    return ResolverInvocation(
        arguments=arguments,
        source=None,
        identity=None,
        auth_type="API_KEY",
        request_headers={},
        info={
            "fieldName": "getPost",
            "parentTypeName": "Query",
            "variables": {},
            "selectionSetList": [],
            "selectionSetGraphQL": "",
        },
        request_id="r1",
    )


def _unit(file: str, data_source: str = "posts") -> Binding:
    return Binding("Query", "getPost", "JS", data_source=data_source, code=FIXTURES / file)


def _pipeline() -> Binding:
    functions = tuple(
        PipelineFunction(n, "none", FIXTURES / "functions" / f"{n}.js") for n in ("addOne", "double")
    )
    return Binding("Query", "compute", "PIPELINE", code=FIXTURES / "pipeline.js", functions=functions)


async def test_unit_resolver_sends_the_request_and_shapes_the_result() -> None:
    # GIVEN a GetItem resolver on a table holding one post
    table = FakeTable("posts", {"p1": {"id": "p1", "title": "Hello"}})
    runner = JsResolverRunner({"posts": table})

    # WHEN the field resolves
    result = await runner.run(_unit("getItem.js"), _invocation(id="p1"))

    # THEN the table got AppSync's request and the response saw the result and the stash
    assert table.requests == [{"operation": "GetItem", "key": {"id": {"S": "p1"}}}]
    assert result == {"id": "p1", "title": "Hello", "requested": "p1"}


async def test_a_data_source_error_reaches_the_response_handler_as_ctx_error() -> None:
    # GIVEN a failing table and a response handler that raises ctx.error
    failure = DataSourceError("The conditional request failed", "DynamoDB:ConditionalCheckFailedException")
    runner = JsResolverRunner({"posts": FakeTable("posts", {}, failure)})

    # WHEN the field resolves
    with pytest.raises(AppSyncFieldError) as caught:
        await runner.run(_unit("getItem.js"), _invocation(id="p1"))

    # THEN the field error is the data source's
    assert caught.value.error_type == "DynamoDB:ConditionalCheckFailedException"
    assert caught.value.message == "The conditional request failed"


async def test_a_response_that_ignores_ctx_error_returns_its_value() -> None:
    # GIVEN a failing table and a response handler that returns what it sees
    failure = DataSourceError("boom", "DynamoDB:ResourceNotFoundException")
    runner = JsResolverRunner({"posts": FakeTable("posts", {}, failure)})

    # WHEN the field resolves
    result = await runner.run(_unit("ignoresError.js"), _invocation(id="p1"))

    # THEN no error is raised and the handler saw ctx.error
    assert result == {
        "error": {"message": "boom", "type": "DynamoDB:ResourceNotFoundException"},
        "result": None,
    }


async def test_early_return_skips_the_data_source_and_the_response() -> None:
    # GIVEN a resolver that returns early when asked
    table = FakeTable("posts", {})
    runner = JsResolverRunner({"posts": table})

    # WHEN it returns early
    result = await runner.run(_unit("earlyReturn.js"), _invocation(cached=True))

    # THEN the data source was never called and the early value is the field's
    assert result == {"cached": True}
    assert table.requests == []


@pytest.mark.parametrize(
    ("arguments", "message", "error_type", "data", "info"),
    [
        ({"typed": True, "id": "p1"}, "Post not found", "NotFound", {"id": "p1"}, {"code": 404}),
        ({}, "plain failure", "CustomTemplateException", None, None),
    ],
)
async def test_util_error_fails_the_field(
    arguments: dict[str, Any], message: str, error_type: str, data: Any, info: Any
) -> None:
    # GIVEN a resolver calling util.error
    runner = JsResolverRunner({"none": NoneDataSource()})

    # WHEN it runs
    with pytest.raises(AppSyncFieldError) as caught:
        await runner.run(_unit("utilError.js", "none"), _invocation(**arguments))

    # THEN the field error carries message, type, data and info
    error = caught.value
    assert (error.message, error.error_type, error.data, error.error_info) == (
        message,
        error_type,
        data,
        info,
    )


async def test_util_unauthorized_reports_an_unauthorized_error() -> None:
    # GIVEN a resolver calling util.unauthorized()
    runner = JsResolverRunner({"none": NoneDataSource()})

    # WHEN it runs
    with pytest.raises(AppSyncFieldError) as caught:
        await runner.run(_unit("unauthorized.js", "none"), _invocation())

    # THEN AppSync's Unauthorized error names the field
    assert caught.value.error_type == "Unauthorized"
    assert caught.value.message == "Not Authorized to access getPost on type Query"


async def test_append_error_keeps_data_and_extensions_are_recorded() -> None:
    # GIVEN a NONE resolver that appends an error and uses extensions
    runner = JsResolverRunner({"none": NoneDataSource()})
    invocation = _invocation()

    # WHEN it runs
    result = await runner.run(_unit("appendError.js", "none"), invocation)

    # THEN the data is kept, the error appended and each extension recorded for the realtime and cache layers
    assert result == {"ok": True}
    [appended] = invocation.appended_errors
    assert (appended.message, appended.error_type, appended.data, appended.error_info) == (
        "partial failure",
        "PartialError",
        {"id": 1},
        {"hint": "x"},
    )
    assert invocation.extensions == {
        "subscriptionFilter": {
            "filterGroup": [{"filters": [{"fieldName": "ownerId", "operator": "eq", "value": "u1"}]}]
        },
        "invalidateSubscriptions": [{"subscriptionField": "onPost", "payload": {"id": "p1"}}],
        "evictFromApiCache": [{"typeName": "Query", "fieldName": "getPost", "keys": {"ctx.args.id": "p1"}}],
    }


async def test_a_runtime_error_in_the_code_is_a_code_error_naming_file_and_line() -> None:
    # GIVEN a response handler that reads a property of null on line 7
    runner = JsResolverRunner({"none": NoneDataSource()})

    # WHEN it runs
    with pytest.raises(AppSyncFieldError) as caught:
        await runner.run(_unit("codeError.js", "none"), _invocation())

    # THEN the error says where
    assert caught.value.error_type == "Code"
    assert f"{FIXTURES / 'codeError.js'}:7" in caught.value.message
    assert "TypeError" in caught.value.message


async def test_a_file_appsync_would_reject_fails_the_field_clearly(tmp_path: Path) -> None:
    # GIVEN a resolver file with a while loop
    path = tmp_path / "Query.getPost.js"
    path.write_text(
        "export function request(ctx) { while (true) {} }\nexport function response(ctx) { return 1; }\n"
    )
    runner = JsResolverRunner({"none": NoneDataSource()})

    # WHEN it runs
    with pytest.raises(AppSyncFieldError) as caught:
        await runner.run(Binding("Query", "getPost", "JS", data_source="none", code=path), _invocation())

    # THEN the field error names the file, line and rule
    assert caught.value.error_type == "Code"
    assert f"{path}:1:" in caught.value.message and "no-while" in caught.value.message


async def test_pipeline_chains_prev_result_and_shares_the_stash() -> None:
    # GIVEN a pipeline: before → addOne → double → after, on the NONE data source
    runner = JsResolverRunner({"none": NoneDataSource()})

    # WHEN it runs from 4
    result = await runner.run(_pipeline(), _invocation(start=4))

    # THEN each step saw the previous result and the stash went through every step
    assert result == {
        "value": {"total": 10},
        "trail": ["before", "addOne", "double", "double.response", "after"],
    }


async def test_each_handler_gets_its_own_copy_of_the_stash_and_the_previous_result() -> None:
    # GIVEN a pipeline whose first function returns a page and keeps the same object in the stash, and whose
    # second function's request handler changes the page it is handed as ctx.prev.result
    functions = tuple(
        PipelineFunction(n, "none", FIXTURES / "copies" / f"{n}.js") for n in ("keepPage", "changePrev")
    )
    binding = Binding(
        "Query", "compute", "PIPELINE", code=FIXTURES / "copies" / "pipeline.js", functions=functions
    )
    runner = JsResolverRunner({"none": NoneDataSource()})

    # WHEN it runs
    result = await runner.run(binding, _invocation())

    # THEN the change stayed in that handler's copy: neither its own response handler nor the stash saw it
    assert result["prev"] == {"prevInResponse": {"items": [1]}}
    assert result["stash"]["page"] == {"items": [1]}
    # AND ctx had AppSync's members in their order
    assert result["stash"]["keys"] == [
        "arguments",
        "identity",
        "source",
        "stash",
        "prev",
        "result",
        "error",
        "request",
        "info",
        "env",
        "args",
    ]
    assert result["result"] == result["prev"]


async def test_early_return_in_a_function_skips_its_data_source_and_response() -> None:
    # GIVEN the pipeline, asked to skip the second function's work
    runner = JsResolverRunner({"none": NoneDataSource()})

    # WHEN it runs
    result = await runner.run(_pipeline(), _invocation(start=4, skipDouble=True))

    # THEN the early value went on as prev.result and the function's response never ran
    assert result == {"value": {"total": 5}, "trail": ["before", "addOne", "double", "after"]}


async def test_early_return_in_the_pipeline_request_skips_every_function() -> None:
    # GIVEN the pipeline, asked to skip everything
    runner = JsResolverRunner({"none": NoneDataSource()})

    # WHEN it runs
    result = await runner.run(_pipeline(), _invocation(skipAll=True))

    # THEN the response handler got the early value directly
    assert result == {"value": {"skipped": True}, "trail": ["before", "after"]}


def test_check_reports_the_first_rejected_file(tmp_path: Path) -> None:
    # GIVEN a binding whose file uses ++
    path = tmp_path / "Query.getPost.js"
    path.write_text(
        "export function request(ctx) { let i = 0;\n i++; return {}; }\nexport function response(c) { return 1; }\n"
    )
    runner = JsResolverRunner({})

    # WHEN / THEN checking the bindings raises with file, line and rule
    from appsync_local.js import JsCodeError

    with pytest.raises(JsCodeError) as caught:
        runner.check([Binding("Query", "getPost", "JS", data_source="none", code=path)])
    assert (caught.value.path, caught.value.line, caught.value.rule) == (
        path,
        2,
        "no-disallowed-unary-operators",
    )


async def test_an_oidc_caller_reaches_the_resolver_as_appsyncs_oidc_identity() -> None:
    # GIVEN a request authorized by OPENID_CONNECT
    claims = {"sub": "partner-1", "iss": "https://login.example.com", "aud": "app", "email": "p@example.com"}
    invocation = dataclasses.replace(
        _invocation(), identity=oidc_identity(claims), auth_type="OPENID_CONNECT"
    )
    runner = JsResolverRunner({"none": NoneDataSource()})

    # WHEN a resolver reads ctx.identity and util.authType()
    result = await runner.run(_unit("identity.js", "none"), invocation)

    # THEN it sees AppSync's OIDC identity (sub, issuer, claims) and auth type
    assert result == {
        "identity": {"sub": "partner-1", "issuer": "https://login.example.com", "claims": claims},
        "authType": "Open ID Connect Authorization",
    }
