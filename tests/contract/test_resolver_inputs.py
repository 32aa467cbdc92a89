"""What resolvers are given, as AppSync gives it: arguments, `info.variables` and `request`.

A Lambda resolver and an APPSYNC_JS resolver echo their inputs back (tests/fixtures/inputs_app); each test
asks both the same question. docs/appsync-parity.md ("Decided behaviours") names the evidence for each.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from appdef import parse_config
from appsync_local.forwarded_headers import trace_id
from appsync_local.http_app import create_app
from appsync_local.runtime import Runtime, build_runtime
from appsync_local.serving import BackgroundServer

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "inputs_app"
FIELDS = ["echoLambda", "echoJs"]


class EchoServer:
    def __init__(self, server: BackgroundServer, runtime: Runtime) -> None:
        self.server = server
        self.runtime = runtime

    @property
    def host(self) -> str:
        return f"{self.server.host}:{self.server.port}"

    def echo(
        self,
        field: str,
        arguments: str,
        variables: dict[str, Any] | None = None,
        definitions: str = "($after: String, $limit: Int)",
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """`field`'s echo for `query<definitions> { field<arguments> }` sent with `variables`."""
        assert self.runtime.api_keys is not None
        body: dict[str, Any] = {"query": f"query Echo{definitions} {{ {field}{arguments} }}"}
        if variables is not None:
            body["variables"] = variables
        response = httpx.post(
            f"http://{self.host}/graphql",
            json=body,
            headers={"x-api-key": self.runtime.api_keys.current().id, **(headers or {})},
            timeout=30,
        )
        answer = response.json()
        assert "errors" not in answer, answer
        return dict(json.loads(answer["data"][field]))


@pytest.fixture(scope="module")
def echo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EchoServer]:
    raw = {
        "api": {
            "schema": "tests.fixtures.inputs_app.schema:schema",
            "default_auth": "API_KEY",
            "js_resolvers": "js",
        },
        "functions": {
            "echo": {
                "handler": "tests.fixtures.inputs_app.handler.lambda_handler",
                "app": "tests.fixtures.inputs_app.handler:app",
            }
        },
        "data_sources": {"none": {"type": "NONE"}},
    }
    runtime = build_runtime(parse_config(raw, FIXTURE), tmp_path_factory.mktemp("inputs-data"))
    with BackgroundServer(create_app(runtime)) as server:
        yield EchoServer(server, runtime)


# -- arguments ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", FIELDS)
def test_an_unsent_nullable_variable_is_an_explicit_null_argument(
    echo_server: EchoServer, field: str
) -> None:
    # WHEN two arguments are written as variables and the request sends neither
    echoed = echo_server.echo(field, "(after: $after, limit: $limit)", variables={})
    # THEN the resolver gets both, null; the argument the document does not write is absent
    assert echoed["arguments"] == {"after": None, "limit": None}
    # AND info.variables holds only what was sent
    assert echoed["variables"] == {}


@pytest.mark.parametrize("field", FIELDS)
def test_a_variable_sent_as_null_and_one_sent_with_a_value(echo_server: EchoServer, field: str) -> None:
    echoed = echo_server.echo(field, "(after: $after, limit: $limit)", variables={"after": None, "limit": 5})
    assert echoed["arguments"] == {"after": None, "limit": 5}
    assert echoed["variables"] == {"after": None, "limit": 5}


@pytest.mark.parametrize("field", FIELDS)
def test_an_argument_the_document_does_not_write_stays_absent(echo_server: EchoServer, field: str) -> None:
    # WHEN the field is called with one literal argument and no variables at all
    echoed = echo_server.echo(field, "(limit: 3)", definitions="")
    # THEN the resolver gets that argument only
    assert echoed["arguments"] == {"limit": 3}
    assert echoed["variables"] == {}


# -- info.variables -------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", FIELDS)
def test_info_variables_hold_the_operations_defaults(echo_server: EchoServer, field: str) -> None:
    # WHEN the operation gives $limit a default and the request sends only $tag
    echoed = echo_server.echo(
        field,
        "(after: $after, limit: $limit, tag: $tag)",
        variables={"tag": "t"},
        definitions="($after: String, $limit: Int = 10, $tag: String)",
    )
    # THEN the default is in info.variables and in the arguments; the unsent $after only in the arguments
    assert echoed["variables"] == {"limit": 10, "tag": "t"}
    assert echoed["arguments"] == {"after": None, "limit": 10, "tag": "t"}


# -- request --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", FIELDS)
def test_request_headers_carry_what_appsyncs_front_adds(echo_server: EchoServer, field: str) -> None:
    # WHEN a request from a phone, which claims a country and came through a proxy, is echoed
    sent = {
        "user-agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148",
        "cloudfront-viewer-country": "US",
        "x-forwarded-for": "203.0.113.9",
        "x-custom": "kept",
    }
    request = echo_server.echo(field, "(limit: 1)", definitions="", headers=sent)["request"]
    headers = request["headers"]
    # THEN the client's own headers are there, with lower-case names
    assert headers["x-custom"] == "kept"
    assert headers["x-api-key"].startswith("da2-")
    # AND those AppSync's front adds: the API's host, the client's address after the proxy's, and CloudFront's
    assert headers["host"] == echo_server.host
    assert headers["x-forwarded-for"] == "203.0.113.9, 127.0.0.1"
    assert (headers["x-forwarded-proto"], headers["cloudfront-forwarded-proto"]) == ("http", "http")
    assert headers["x-forwarded-port"] == str(echo_server.server.port)
    assert headers["via"] == "2.0 local.cloudfront.net (CloudFront)"
    assert headers["x-amzn-trace-id"].startswith("Root=1-")
    assert headers["x-amz-cf-id"]
    # AND the viewer's own CloudFront header is replaced (a loopback viewer has no country)
    assert headers["cloudfront-viewer-country"] == "ZZ"
    assert [
        headers[f"cloudfront-is-{kind}-viewer"] for kind in ("mobile", "desktop", "tablet", "smarttv")
    ] == [
        "true",
        "false",
        "false",
        "false",
    ]
    # AND the request came through the API's own domain, not a custom one
    assert request["domainName"] is None


def test_each_request_gets_its_own_trace_and_cloudfront_ids(echo_server: EchoServer) -> None:
    first = echo_server.echo("echoJs", "(limit: 1)", definitions="")["request"]["headers"]
    second = echo_server.echo("echoJs", "(limit: 1)", definitions="")["request"]["headers"]
    assert first["x-amz-cf-id"] != second["x-amz-cf-id"]
    # A trace header the client sent is kept (functions traced in this process patch HTTP clients to send
    # one); otherwise each request gets its own.
    for headers in (first, second):
        assert re.fullmatch(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24}(;.*)?", headers["x-amzn-trace-id"])
    assert trace_id() != trace_id()
