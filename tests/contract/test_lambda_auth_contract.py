"""The AWS_LAMBDA auth mode on the live server: partner tokens checked by the app's authorizer function.

The partners are the seeded ones (tests/contract/partners.py): acme may send as acme-pos/acme-web and watch
its results live; globex may only send; initech's token is revoked.
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.appsync_auth import AppSyncJWTAuthentication
from gql.transport.appsync_websockets import AppSyncWebsocketsTransport
from gql.transport.exceptions import TransportQueryError, TransportServerError
from websockets.asyncio.client import connect

from subscriptions.publisher import publish_ingestion_result
from tests.contract import partners
from tests.contract.clients import lambda_client, run
from tests.contract.test_app_subscriptions import subscribed
from tests.fixtures.live_server import LiveServer

NOT_AUTHORIZED = {
    "errors": [{"errorType": "UnauthorizedException", "message": "You are not authorized to make this call."}]
}
INGEST = """
mutation Ingest($events: [IngestEventInput!]!) {
  ingestEvents(events: $events) { acceptedCount failedCount events { eventId sequenceNumber errorCode errorMessage } }
}
"""
ON_RESULT = "subscription { onIngestionResult { source batchId recordCount status } }"


def event(source: str) -> dict[str, Any]:
    return {
        "eventId": f"partner-{uuid.uuid4()}",
        "source": source,
        "type": "sale",
        "occurredAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }


def post(live: LiveServer, token: str, query: str = "{ __typename }") -> httpx.Response:
    return httpx.post(live.url, json={"query": query}, headers={"Authorization": token}, timeout=30)


def authorizer_calls(live: LiveServer) -> int:
    return live.runtime.functions["partner-authorizer"].invocations


def test_a_partner_sends_events_as_its_own_sources_only(live_server: LiveServer) -> None:
    # GIVEN acme's token
    acme = lambda_client(live_server.url, partners.ACME)
    mine, theirs = event("acme-pos"), event("globex-iot")

    # WHEN it sends one event as its own source and one as another partner's
    answer = run(acme, INGEST, events=[mine, theirs])["ingestEvents"]

    # THEN its own is written to the stream; the other never leaves the resolver, which read the partner's
    # sources from ctx.identity.resolverContext
    assert (answer["acceptedCount"], answer["failedCount"]) == (1, 1)
    written, refused = answer["events"]
    assert written["eventId"] == mine["eventId"] and written["sequenceNumber"]
    assert refused["errorCode"] == "InvalidEvent"
    assert refused["errorMessage"] == "source 'globex-iot' is not one of this partner's sources"


@pytest.mark.parametrize("token", [partners.INITECH, "ptk_" + "x" * 43], ids=["revoked", "unknown"])
def test_a_token_the_authorizer_refuses_gets_appsyncs_401(live_server: LiveServer, token: str) -> None:
    # WHEN / THEN
    response = post(live_server, token, INGEST)
    assert response.status_code == 401
    assert response.json() == NOT_AUTHORIZED


def test_a_token_of_another_shape_is_refused_without_calling_the_authorizer(live_server: LiveServer) -> None:
    # GIVEN a token identity_validation_expression does not accept
    before = authorizer_calls(live_server)

    # WHEN / THEN it gets the same 401, and the function never ran
    response = post(live_server, "partner-acme-please")
    assert (response.status_code, response.json()) == (401, NOT_AUTHORIZED)
    assert authorizer_calls(live_server) == before


def test_the_decision_is_cached_per_token_for_the_ttl(live_server: LiveServer) -> None:
    # GIVEN one request with globex's token (its decision now cached, if it was not already)
    assert post(live_server, partners.GLOBEX).json() == {"data": {"__typename": "Query"}}
    after_first = authorizer_calls(live_server)

    # WHEN the same token comes back at once
    for _ in range(3):
        assert post(live_server, partners.GLOBEX).status_code == 200

    # THEN the authorizer was not called again
    assert authorizer_calls(live_server) == after_first


def test_a_partner_reaches_only_the_fields_open_to_aws_lambda(live_server: LiveServer) -> None:
    # WHEN acme reads the blog (API key, users and IAM only)
    with pytest.raises(TransportQueryError) as raised:
        run(lambda_client(live_server.url, partners.ACME), "{ listPosts(limit: 1) { items { id } } }")

    # THEN AppSync's field refusal
    (error,) = raised.value.errors or []
    assert error["errorType"] == "Unauthorized"
    assert error["message"] == "Not Authorized to access listPosts on type Query"


def publish(live: LiveServer, source: str) -> None:
    publish_ingestion_result(
        {"source": source, "batchId": f"b-{uuid.uuid4().hex[:8]}", "recordCount": 2, "status": "SUCCEEDED"},
        url=live.url,
    )


async def test_a_partner_subscribes_with_its_token_and_gets_only_its_sources_results(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the pipeline's IAM credentials, and acme subscribed over the realtime protocol with its token
    creds = live_server.iam
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds.secret_access_key)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    auth = AppSyncJWTAuthentication(host=live_server.host, jwt=partners.ACME)
    async with subscribed(live_server, auth, ON_RESULT) as subscriber:
        # WHEN results of globex's source and of acme's two sources are published
        for source in ("globex-iot", "acme-web", "acme-pos"):
            await asyncio.to_thread(publish, live_server, source)

        # THEN acme receives its own two only (the subscription resolver filtered on its resolverContext)
        received = [(await subscriber.next())["onIngestionResult"]["source"] for _ in range(2)]
        assert received == ["acme-web", "acme-pos"]
        assert subscriber.events.empty()


async def test_a_field_the_authorizer_denies_is_refused_on_start(live_server: LiveServer) -> None:
    # GIVEN globex, whose token lacks the results scope (deniedFields: Subscription.onIngestionResult)
    transport = AppSyncWebsocketsTransport(
        url=live_server.ws_url, auth=AppSyncJWTAuthentication(host=live_server.host, jwt=partners.GLOBEX)
    )
    async with Client(transport=transport) as session:
        # WHEN it subscribes / THEN the connection is accepted but the start is AppSync's Unauthorized
        with pytest.raises(
            TransportQueryError, match="Not Authorized to access onIngestionResult on type Subscription"
        ):
            async for _ in session.subscribe(GraphQLRequest(ON_RESULT)):
                pass


async def test_a_revoked_token_gets_a_connection_error(live_server: LiveServer) -> None:
    transport = AppSyncWebsocketsTransport(
        url=live_server.ws_url, auth=AppSyncJWTAuthentication(host=live_server.host, jwt=partners.INITECH)
    )
    with pytest.raises(TransportServerError, match="UnauthorizedException"):
        async with Client(transport=transport):
            pass


async def test_a_partner_token_connects_through_the_header_subprotocol(live_server: LiveServer) -> None:
    # GIVEN the header object in a `header-<base64url>` subprotocol, as Amplify JS v6 sends it
    header = json.dumps({"host": live_server.host, "Authorization": partners.ACME}).encode()
    encoded = base64.urlsafe_b64encode(header).decode().rstrip("=")
    async with connect(
        f"{live_server.ws_url}/realtime", subprotocols=["graphql-ws", f"header-{encoded}"], proxy=None
    ) as ws:
        # WHEN it initializes / THEN it is acknowledged
        await ws.send(json.dumps({"type": "connection_init"}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert ack["type"] == "connection_ack"


@pytest.mark.parametrize(
    ("token", "first"), [(partners.ACME, "connection_ack"), (partners.INITECH, "connection_error")]
)
async def test_a_partner_token_in_the_upgrades_own_headers_is_decided_by_the_authorizer(
    live_server: LiveServer, token: str, first: str
) -> None:
    # GIVEN no header object: the token in the upgrade request's own Authorization header (mobile clients)
    async with connect(
        f"{live_server.ws_url}/realtime",
        subprotocols=["graphql-ws"],
        additional_headers={"Authorization": token},
        proxy=None,
    ) as ws:
        # WHEN it initializes / THEN the authorizer's decision answers: an ack for acme, a 401 for initech
        await ws.send(json.dumps({"type": "connection_init"}))
        reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert reply["type"] == first, reply
        if first == "connection_error":
            assert reply["payload"]["errors"][0]["errorCode"] == 401
