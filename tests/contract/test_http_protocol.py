"""AppSync's HTTP wire: POST only, its error shapes, request-level auth, the API's limits."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import httpx
import pytest

from tests.fixtures.live_server import LiveServer

UNAUTHORIZED = "UnauthorizedException"
SEED = Path(__file__).resolve().parents[2] / "seed" / "demo.json"


def seeded_user_names() -> dict[str, str]:
    return {item["id"]: item["name"] for item in json.loads(SEED.read_text())["tables"]["Users"]}


def post(server: LiveServer, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(
        server.url,
        json=body,
        headers={"x-api-key": server.api_key} if headers is None else headers,
        timeout=30,
    )


def test_a_query_answers_with_data_and_a_request_id(live_server: LiveServer) -> None:
    # GIVEN the public profile query, WHEN sent with the API key
    response = post(
        live_server,
        {
            "query": "query($id: ID!) { getProfile(id: $id) { id name } }",
            "variables": {"id": live_server.sub("alice")},
        },
    )
    # THEN AppSync's shape comes back, with the seeded profile
    assert response.status_code == 200
    seeded = seeded_user_names()
    assert response.json() == {
        "data": {"getProfile": {"id": live_server.sub("alice"), "name": seeded["${sub:alice}"]}}
    }
    assert response.headers["x-amzn-RequestId"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-api-key": "da2-notthekeyatall00000000000"},
        {"Authorization": "not-a-jwt"},
        {
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIAFAKE/20260101/us-east-1/appsync/aws4_request, "
            "SignedHeaders=host, Signature=00"
        },
    ],
    ids=["no-credentials", "wrong-api-key", "garbage-token", "forged-sigv4"],
)
def test_bad_credentials_are_rejected_with_401(live_server: LiveServer, headers: dict[str, str]) -> None:
    response = post(live_server, {"query": "{ me { id } }"}, headers=headers)
    assert response.status_code == 401
    (error,) = response.json()["errors"]
    assert error["errorType"] == UNAUTHORIZED
    assert error["message"]


def test_an_expired_token_is_rejected(live_server: LiveServer) -> None:
    token = live_server.token("alice", now=1_000_000_000)
    response = post(live_server, {"query": "{ me { id } }"}, headers={"Authorization": token})
    assert response.status_code == 401
    assert response.json()["errors"][0]["errorType"] == UNAUTHORIZED


def test_get_queries_are_rejected(live_server: LiveServer) -> None:
    response = httpx.get(
        live_server.url, params={"query": "{ __typename }"}, headers={"x-api-key": live_server.api_key}
    )
    assert response.status_code == 405
    assert "POST" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_other_methods_are_refused_in_appsyncs_shape(live_server: LiveServer, method: str) -> None:
    response = httpx.request(
        method, live_server.url, json={"query": "{ __typename }"}, headers={"x-api-key": live_server.api_key}
    )
    assert response.status_code == 405
    assert response.json()["errors"][0]["errorType"] == "MethodNotAllowedException"


def test_a_client_hanging_up_mid_request_is_not_an_internal_error(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    url = httpx.URL(live_server.url)
    # GIVEN a client that announces 1,000 bytes, sends 10 and hangs up
    with caplog.at_level("ERROR"), socket.create_connection((url.host, url.port), timeout=10) as raw:
        raw.sendall(
            f"POST {url.raw_path.decode()} HTTP/1.1\r\nHost: {url.netloc.decode()}\r\n"
            f"x-api-key: {live_server.api_key}\r\ncontent-type: application/json\r\n"
            'Content-Length: 1000\r\n\r\n{"query": '.encode()
        )
        raw.shutdown(socket.SHUT_WR)
        # THEN the server closes the connection without an answer
        assert raw.recv(1024) == b""
        # AND the next request is served, and nothing was logged as an internal error
        assert post(live_server, {"query": "{ __typename }"}).json() == {"data": {"__typename": "Query"}}
    assert "internal error" not in caplog.text


def test_array_batching_is_rejected(live_server: LiveServer) -> None:
    response = post(live_server, [{"query": "{ __typename }"}, {"query": "{ __typename }"}])
    # AppSync answers a batch as any body it cannot read (graphql/graphql-over-http#81)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"errorType": "MalformedHttpRequestException", "message": "Unable to parse GraphQL query."}
    ]


@pytest.mark.parametrize(
    "raw", [b"{not json", b"42", b'{"query": 7}', b'{"query": "{ __typename }", "variables": []}']
)
def test_malformed_bodies_get_a_clear_error(live_server: LiveServer, raw: bytes) -> None:
    response = httpx.post(
        live_server.url,
        content=raw,
        headers={"x-api-key": live_server.api_key, "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["errorType"] == "MalformedHttpRequestException"


def test_json_nested_too_deeply_is_malformed_not_a_crash(live_server: LiveServer) -> None:
    response = httpx.post(
        live_server.url,
        content=b"[" * 100_000 + b"]" * 100_000,
        headers={"x-api-key": live_server.api_key, "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["errorType"] == "MalformedHttpRequestException"


def test_several_operations_need_an_operation_name(live_server: LiveServer) -> None:
    query = "query A { __typename } query B { __typename }"
    unnamed = post(live_server, {"query": query}).json()
    assert unnamed["data"] is None
    assert (
        unnamed["errors"][0]["message"]
        == "Must provide operation name if query contains multiple operations."
    )
    assert post(live_server, {"query": query, "operationName": "B"}).json() == {
        "data": {"__typename": "Query"}
    }


def test_an_empty_operation_name_runs_the_documents_only_operation(live_server: LiveServer) -> None:
    # graphql-java, AppSync's engine, reads an empty name as none given
    assert post(live_server, {"query": "{ __typename }", "operationName": ""}).json() == {
        "data": {"__typename": "Query"}
    }
    several = post(
        live_server, {"query": "query A { __typename } query B { __typename }", "operationName": ""}
    )
    assert several.json()["errors"][0]["message"] == (
        "Must provide operation name if query contains multiple operations."
    )


def test_syntax_and_validation_errors_have_appsync_shape(live_server: LiveServer) -> None:
    # AppSync sends engine errors with path null, the locations, graphql-java's text and no errorType
    syntax = post(live_server, {"query": "{ getProfile(id: "}).json()
    assert syntax == {
        "data": None,
        "errors": [
            {
                "path": None,
                "locations": [{"line": 1, "column": 18, "sourceName": None}],
                "message": "Invalid Syntax : offending token '<EOF>' at line 1 column 18",
            }
        ],
    }

    unknown = post(live_server, {"query": "{ nope }"}).json()
    assert unknown["errors"] == [
        {
            "path": None,
            "locations": [{"line": 1, "column": 3, "sourceName": None}],
            "message": "Validation error of type FieldUndefined: Field 'nope' in type 'Query' is undefined @ 'nope'",
        }
    ]


def test_missing_argument_is_a_validation_error(live_server: LiveServer) -> None:
    body = post(live_server, {"query": "{ getProfile { id } }"}).json()
    assert body["data"] is None
    assert "errorType" not in body["errors"][0]
    assert body["errors"][0]["message"] == (
        "Validation error of type MissingFieldArgument: Missing field argument id @ 'getProfile'"
    )


def test_the_server_keeps_serving_after_bad_requests(live_server: LiveServer) -> None:
    for raw in (b"\xff\xfe", b"[]", b'{"query": "{"}'):
        httpx.post(live_server.url, content=raw, headers={"x-api-key": live_server.api_key})
    assert post(live_server, {"query": "{ __typename }"}).json() == {"data": {"__typename": "Query"}}


def test_graphiql_is_served_to_browsers(live_server: LiveServer) -> None:
    response = httpx.get(live_server.url, headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
    assert "https://" not in response.text  # every asset comes from this server
