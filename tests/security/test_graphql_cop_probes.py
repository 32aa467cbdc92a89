"""What graphql-cop asks an API, asked of the local runtime in both profiles (issue 12, item 8).

graphql-cop is not on PyPI, so each of its probes is written here as the request it sends and the answer
that makes it report a finding. The production profile (`introspection = "DISABLED"`, `[local] graphiql =
false`) must give it nothing to report; the development defaults expose introspection and the IDE, and nothing
else. The app is tests/fixtures/realtime_app (queries, mutations, subscriptions), served on 127.0.0.1.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from appdef import AppConfig
from appsync_local.graphiql.assets import ASSETS, ASSETS_PREFIX
from appsync_local.runtime import build_runtime
from tests.contract.test_realtime_protocol import realtime_config
from tests.security.conftest import Served, serve

TYPENAME = "query cop { __typename }"
ADD_ITEM = 'mutation cop { addItem(room: "lobby", text: "forged") { id } }'
IDE_WORDS = ("graphiql", "graphql playground", "graphql-playground")


def profile(*, production: bool) -> AppConfig:
    """The fixture app with the development defaults, or with introspection and GraphiQL off."""
    config = realtime_config(with_js=False)
    if not production:
        return config
    return config.model_copy(
        update={
            "api": config.api.model_copy(update={"introspection": "DISABLED"}),
            "local": config.local.model_copy(update={"graphiql": False}),
        }
    )


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from serve(build_runtime(profile(production=True), tmp_path_factory.mktemp("cop-production")))


@pytest.fixture(scope="module")
def development(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from serve(build_runtime(profile(production=False), tmp_path_factory.mktemp("cop-development")))


def post(served: Served, body: Any) -> httpx.Response:
    return httpx.post(served.url, json=body, headers={"x-api-key": served.api_key}, timeout=30)


def query(served: Served, document: str) -> dict[str, Any]:
    body = post(served, {"query": document, "operationName": "cop"}).json()
    assert isinstance(body, dict)
    return body


def data(body: Any) -> dict[str, Any]:
    """The response's data, or {} when it has none (an error answer, a refusal)."""
    found = body.get("data") if isinstance(body, dict) else None
    return found if isinstance(found, dict) else {}


def messages(body: dict[str, Any]) -> list[str]:
    return [str(error.get("message")) for error in body.get("errors") or []]


# -- the probes: each returns True when the answer is what graphql-cop reports as a finding -----------------


def alias_overloading(served: Served) -> bool:
    aliases = " ".join(f"a{i}: __typename" for i in range(101))
    return "a100" in data(query(served, f"query cop {{ {aliases} }}"))


def array_batching(served: Served) -> bool:
    answer = post(served, [{"query": TYPENAME}] * 10).json()
    return isinstance(answer, list) and len(answer) >= 10


def directive_overloading(served: Served) -> bool:
    # Ten unknown directives on one field, each reported on its own, means the server validated them all.
    body = query(served, "query cop { __typename" + " @aa" * 10 + " }")
    return len(body.get("errors") or []) == 10


def circular_introspection(served: Served) -> bool:
    nested = "fields { type { " * 4 + "name" + " } }" * 4
    body = query(served, f"query cop {{ __schema {{ types {{ {nested} }} }} }}")
    return len(data(body).get("__schema", {}).get("types") or []) > 0


def field_suggestions(served: Served) -> bool:
    answers = [
        query(served, "query cop { __schema { directive } }"),
        query(served, 'query cop { iten(id: "1") { id } }'),
    ]
    return any("did you mean" in m.lower() for body in answers for m in messages(body))


def get_query(served: Served) -> bool:
    response = httpx.get(served.url, params={"query": TYPENAME}, headers={"x-api-key": served.api_key})
    return response.headers.get("content-type", "").startswith("application/json") and bool(
        data(response.json())
    )


def get_mutation(served: Served) -> bool:
    response = httpx.get(served.url, params={"query": ADD_ITEM}, headers={"x-api-key": served.api_key})
    return response.headers.get("content-type", "").startswith("application/json") and bool(
        data(response.json())
    )


def form_post(served: Served) -> bool:
    # A form a browser submits cross-site without a preflight.
    response = httpx.post(served.url, data={"query": TYPENAME}, headers={"x-api-key": served.api_key})
    return bool(data(response.json()))


def trace_mode(served: Served) -> bool:
    body = query(served, TYPENAME)
    return "tracing" in json.dumps(body.get("extensions") or {}) or any(
        "tracing" in (error.get("extensions") or {}) for error in body.get("errors") or []
    )


def unhandled_errors(served: Served) -> bool:
    body = query(served, "qwerty cop { abc }")
    text = json.dumps(body)
    return (
        any("exception" in (error.get("extensions") or {}) for error in body.get("errors") or [])
        or "Traceback" in text
    )


def graphql_ide(served: Served) -> bool:
    page = httpx.get(served.url, headers={"accept": "text/html", "x-api-key": served.api_key})
    return any(word in page.text.lower() for word in IDE_WORDS)


def introspection(served: Served) -> bool:
    body = query(served, "query cop { __schema { types { name fields { name } } } }")
    return bool(data(body).get("__schema", {}).get("types"))


PROBES: dict[str, Callable[[Served], bool]] = {
    probe.__name__: probe
    for probe in (
        alias_overloading,
        array_batching,
        directive_overloading,
        circular_introspection,
        field_suggestions,
        get_query,
        get_mutation,
        form_post,
        trace_mode,
        unhandled_errors,
        graphql_ide,
        introspection,
    )
}
DEVELOPMENT_EXPOSES = {"graphql_ide", "introspection"}


@pytest.mark.parametrize("name", PROBES)
def test_the_production_profile_gives_no_probe_a_finding(production: Served, name: str) -> None:
    # GIVEN an API with introspection disabled and GraphiQL off
    # WHEN graphql-cop's probe asks it
    found = PROBES[name](production)

    # THEN the answer is nothing graphql-cop reports
    assert not found


@pytest.mark.parametrize("name", PROBES)
def test_the_development_defaults_expose_only_introspection_and_the_ide(
    development: Served, name: str
) -> None:
    # GIVEN the development defaults (introspection enabled, GraphiQL served)
    # WHEN graphql-cop's probe asks
    found = PROBES[name](development)

    # THEN only the introspection and IDE probes find something
    assert found == (name in DEVELOPMENT_EXPOSES)


def test_without_graphiql_a_get_is_answered_as_appsync_answers_it(production: Served) -> None:
    # GIVEN the production profile
    # WHEN a browser opens the endpoint
    response = httpx.get(production.url, headers={"accept": "text/html,application/xhtml+xml"})

    # THEN it gets AppSync's refusal of a GET, not a page
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["errors"][0]["errorType"] == "MethodNotAllowedException"


def test_without_graphiql_its_files_and_its_socket_dialect_are_not_served(production: Served) -> None:
    # GIVEN the production profile
    base = production.server.url

    # WHEN GraphiQL's files are asked for
    statuses = {httpx.get(f"{base}{ASSETS_PREFIX}/{asset.name}").status_code for asset in ASSETS}

    # THEN none is there, and the graphql-transport-ws dialect GraphiQL subscribes with is refused
    assert statuses == {404}
    with pytest.raises(InvalidStatus), connect(production.ws_url, subprotocols=["graphql-transport-ws"]):  # type: ignore[list-item]
        pass


def test_with_graphiql_its_files_are_served(development: Served) -> None:
    response = httpx.get(f"{development.server.url}{ASSETS_PREFIX}/graphiql.min.js")
    assert response.status_code == 200


def test_field_suggestions_stay_hidden_when_introspection_is_disabled(production: Served) -> None:
    # GIVEN introspection disabled
    # WHEN a query misspells a field of the schema
    body = query(production, 'query cop { iten(id: "1") { id } }')

    # THEN the error names the misspelt field and no field of the schema
    (message,) = messages(body)
    assert "iten" in message
    assert "did you mean" not in message.lower()
    assert "item" not in message.replace("iten", "")


def test_unhandled_errors_are_appsync_shaped(production: Served) -> None:
    body = query(production, "qwerty cop { abc }")
    (error,) = body["errors"]
    # AppSync's syntax error: its message and locations, no errorType and no trace (docs/appsync-parity.md)
    assert error["message"].startswith("Invalid Syntax : offending token 'qwerty'")
    assert set(error) <= {"path", "locations", "message"}
