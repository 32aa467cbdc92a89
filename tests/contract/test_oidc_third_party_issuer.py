"""A real third-party OIDC issuer, configured by URL: the runtime discovers its keys as AppSync does.

The issuer is a separate tiny server on 127.0.0.1 (tests/fixtures/oidc_issuer.py); the API is the realtime
sample app with `[auth.oidc] issuer` set to its URL and `[local] oidc_issuer = "discover"`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from appdef import parse_config
from appsync_local.runtime import build_runtime
from tests.contract.test_realtime_protocol import (
    FIXTURE,
    SUBSCRIBE_ITEMS,
    RealtimeServer,
    _serve,
    realtime_config,
    receive,
    send,
)
from tests.fixtures.oidc_issuer import TinyOidcIssuer


@pytest.fixture(scope="module")
def issuer() -> Iterator[TinyOidcIssuer]:
    with TinyOidcIssuer().serving() as running:
        yield running


@pytest.fixture(scope="module")
def server(issuer: TinyOidcIssuer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealtimeServer]:
    raw: dict[str, Any] = realtime_config(with_js=False).model_dump(by_alias=True, exclude_unset=True)
    data_dir = tmp_path_factory.mktemp("third-party-oidc")
    raw = {
        "api": {**raw["api"], "js_resolvers": "no-js"},
        "auth": {
            **raw["auth"],
            "oidc": {"issuer": issuer.issuer, "client_id": "partner-(app|web)", "iat_ttl": 3_600_000},
        },
        "functions": raw["functions"],
        "data_sources": raw["data_sources"],
        "local": {**raw["local"], "oidc_issuer": "discover"},
    }
    yield from _serve(build_runtime(parse_config(raw, FIXTURE), data_dir), data_dir)


def whoami(server: RealtimeServer, token: str) -> httpx.Response:
    return httpx.post(server.http_url, json={"query": "{ whoami }"}, headers={"Authorization": token})


def test_the_issuers_token_reaches_the_lambda_as_appsyncs_oidc_identity(
    server: RealtimeServer, issuer: TinyOidcIssuer
) -> None:
    # GIVEN a token the third-party issuer signed
    token = issuer.mint("partner-42", audience="partner-app", email="p42@example.com")
    # WHEN it calls a Lambda-backed field
    response = whoami(server, token)
    # THEN the Lambda event's identity is AppSync's OIDC identity
    assert response.status_code == 200, response.text
    identity = json.loads(response.json()["data"]["whoami"])
    assert set(identity) == {"sub", "issuer", "claims"}
    assert identity["sub"] == "partner-42" and identity["issuer"] == issuer.issuer
    assert identity["claims"]["email"] == "p42@example.com" and identity["claims"]["aud"] == "partner-app"
    # AND the runtime found the keys through the issuer's discovery document
    assert "/tenant/.well-known/openid-configuration" in issuer.fetches
    # AND no local issuer stands in (its routes are not served)
    assert server.runtime.oidc_issuer is None


def test_a_rotated_issuer_key_is_picked_up(server: RealtimeServer, issuer: TinyOidcIssuer) -> None:
    # GIVEN the runtime knows the issuer's current key
    assert whoami(server, issuer.mint(audience="partner-web")).status_code == 200
    # WHEN the issuer rotates to a new kid
    issuer.rotate()
    # THEN tokens signed with the new key are accepted without a restart
    response = whoami(server, issuer.mint(audience="partner-web"))
    assert response.status_code == 200, response.text


def test_the_issuers_tokens_are_refused_when_wrong(server: RealtimeServer, issuer: TinyOidcIssuer) -> None:
    bad = {
        "another client": issuer.mint(audience="partner-desktop"),
        "issued too long ago (iat_ttl)": issuer.mint(
            audience="partner-app", issued_at=time.time() - 7200, ttl_seconds=86400
        ),
        "expired": issuer.mint(audience="partner-app", issued_at=time.time() - 700, ttl_seconds=600),
    }
    for name, token in bad.items():
        response = whoami(server, token)
        assert response.status_code == 401, name
        assert response.json()["errors"][0]["errorType"] == "UnauthorizedException", name


async def test_the_issuers_token_opens_the_realtime_connection_with_plain_headers(
    server: RealtimeServer, issuer: TinyOidcIssuer
) -> None:
    token = issuer.mint(audience="partner-app")
    async with connect(
        server.ws_url(), subprotocols=["graphql-ws"], additional_headers={"Authorization": token}, proxy=None
    ) as ws:
        await send(ws, {"type": "connection_init"})
        assert (await receive(ws))["type"] == "connection_ack"
        data = json.dumps({"query": SUBSCRIBE_ITEMS, "variables": {"room": "partners"}})
        authorization = {"host": server.host, "Authorization": token}
        await send(
            ws,
            {
                "id": "1",
                "type": "start",
                "payload": {"data": data, "extensions": {"authorization": authorization}},
            },
        )
        assert await receive(ws) == {"type": "start_ack", "id": "1"}
