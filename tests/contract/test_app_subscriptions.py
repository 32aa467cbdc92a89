"""The app's subscriptions over AppSync's realtime protocol, with gql's AppSync transport: what a mobile app sees."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from botocore.credentials import Credentials
from gql import Client, GraphQLRequest
from gql.transport.appsync_auth import (
    AppSyncApiKeyAuthentication,
    AppSyncIAMAuthentication,
    AppSyncJWTAuthentication,
)
from gql.transport.appsync_websockets import AppSyncWebsocketsTransport
from gql.transport.exceptions import TransportQueryError

from subscriptions.publisher import PublishError, publish_ingestion_result
from tests.contract.clients import api_key_client, run, user_client
from tests.fixtures.live_server import LiveServer

TIMEOUT = 5.0
ON_CREATE_POST = "subscription($tag: String) { onCreatePost(tag: $tag) { id title status } }"
# body (String!) is a field the publishing mutations below do not select.
ON_CREATE_POST_WITH_BODY = "subscription { onCreatePost { id title body } }"
CREATE_POST = (
    "mutation($input: CreatePostInput!) { createPost(input: $input) { id title status authorId tags } }"
)
PUBLISH_POST = "mutation($id: ID!) { publishPost(id: $id) { id title status authorId tags } }"
ON_TODO = "subscription { onTodoChanged { id title ownerId } }"
CREATE_TODO = "mutation($t: String!) { createTodo(input: {title: $t}) { id title ownerId } }"


class Subscriber:
    """One subscription held open on its own connection, collecting what arrives."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def pump(self) -> None:
        try:
            async for event in self.stream:
                await self.events.put(dict(event))
        except TransportQueryError as error:  # an event with errors ends gql's subscription
            await self.events.put({"errors": error.errors, "data": error.data})

    async def next(self) -> dict[str, Any]:
        return await asyncio.wait_for(self.events.get(), TIMEOUT)


@asynccontextmanager
async def subscribed(live: LiveServer, auth: Any, query: str, **variables: Any) -> AsyncIterator[Subscriber]:
    transport = AppSyncWebsocketsTransport(url=live.ws_url, auth=auth)
    before = live.subscriptions()
    async with Client(transport=transport) as session:
        subscriber = Subscriber(session.subscribe(GraphQLRequest(query, variable_values=variables or None)))
        task = asyncio.ensure_future(subscriber.pump())
        await live.wait_for_subscriptions(before + 1)
        try:
            yield subscriber
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


def api_key_auth(live: LiveServer) -> AppSyncApiKeyAuthentication:
    return AppSyncApiKeyAuthentication(host=live.host, api_key=live.api_key)


def jwt_auth(live: LiveServer, username: str) -> AppSyncJWTAuthentication:
    return AppSyncJWTAuthentication(host=live.host, jwt=live.token(username))


async def author_runs(live: LiveServer, query: str, **variables: Any) -> dict[str, Any]:
    """An author of the `authors` group (not a seeded one, so other suites' listings stay as seeded)."""
    author = user_client(live.url, live.token("dinah", groups=["authors"]))
    return await asyncio.to_thread(run, author, query, **variables)


async def test_a_published_post_reaches_public_subscribers_and_a_draft_never_does(
    live_server: LiveServer,
) -> None:
    # GIVEN a public (API key) subscriber to new posts
    async with subscribed(live_server, api_key_auth(live_server), ON_CREATE_POST) as subscriber:
        # WHEN an author creates a draft, then publishes it
        draft = await author_runs(live_server, CREATE_POST, input={"title": "Live!", "body": "b", "tags": []})
        await author_runs(live_server, PUBLISH_POST, id=draft["createPost"]["id"])
        # THEN only the published post arrives, with the fields the mutation selected
        event = (await subscriber.next())["onCreatePost"]
        assert (event["id"], event["status"], event["title"]) == (
            draft["createPost"]["id"],
            "PUBLISHED",
            "Live!",
        )
        assert subscriber.events.empty()


async def test_a_subscriber_asking_for_a_field_the_mutation_did_not_select_gets_appsyncs_error(
    live_server: LiveServer,
) -> None:
    # GIVEN a subscriber asking for body (String!), which publishPost's selection below leaves out
    async with subscribed(live_server, api_key_auth(live_server), ON_CREATE_POST_WITH_BODY) as subscriber:
        # WHEN a post is published
        draft = await author_runs(
            live_server, CREATE_POST, input={"title": "Bodiless", "body": "b", "tags": []}
        )
        await author_runs(live_server, PUBLISH_POST, id=draft["createPost"]["id"])
        # THEN the event carries no post, and the error says which field was missing, as on AppSync: the body is
        # never invented, nor sent as a null the schema forbids
        event = await subscriber.next()
        assert event["data"] == {"onCreatePost": None}
        assert event["errors"] == [
            {
                "message": "Cannot return null for non-nullable type: 'String' within parent 'Post' "
                "(/onCreatePost/body)",
                "path": ["onCreatePost", "body"],
            }
        ]


async def test_the_tag_filter(live_server: LiveServer) -> None:
    tag = f"t{uuid.uuid4().hex[:6]}"
    async with subscribed(live_server, api_key_auth(live_server), ON_CREATE_POST, tag=tag) as subscriber:
        for title, tags in (("untagged", []), ("tagged", [tag.upper()])):
            post = await author_runs(
                live_server, CREATE_POST, input={"title": title, "body": "b", "tags": tags}
            )
            await author_runs(live_server, PUBLISH_POST, id=post["createPost"]["id"])
        assert (await subscriber.next())["onCreatePost"]["title"] == "tagged"
        assert subscriber.events.empty()


async def test_todo_changes_reach_only_their_owner(live_server: LiveServer) -> None:
    # GIVEN alice and bob both subscribed to their todo changes
    async with (
        subscribed(live_server, jwt_auth(live_server, "alice"), ON_TODO) as alice,
        subscribed(live_server, jwt_auth(live_server, "bob"), ON_TODO) as bob,
    ):
        # WHEN bob, then alice, create a todo
        await asyncio.to_thread(
            run, user_client(live_server.url, live_server.token("bob")), CREATE_TODO, t="bob's"
        )
        await asyncio.to_thread(
            run, user_client(live_server.url, live_server.token("alice")), CREATE_TODO, t="alice's"
        )
        # THEN each sees only their own
        assert (await alice.next())["onTodoChanged"]["title"] == "alice's"
        assert (await bob.next())["onTodoChanged"]["title"] == "bob's"
        assert alice.events.empty() and bob.events.empty()


async def test_the_api_key_cannot_subscribe_to_todos(live_server: LiveServer) -> None:
    transport = AppSyncWebsocketsTransport(url=live_server.ws_url, auth=api_key_auth(live_server))
    async with Client(transport=transport) as session:
        with pytest.raises(TransportQueryError, match="Not Authorized to access onTodoChanged"):
            async for _ in session.subscribe(GraphQLRequest(ON_TODO)):
                pass


async def test_ingestion_results_are_published_with_iam_and_filtered_by_source(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN an IAM-signed subscriber to one source's results, and the pipeline's credentials
    creds = live_server.iam
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds.secret_access_key)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    auth = AppSyncIAMAuthentication(
        host=live_server.host,
        region_name="us-east-1",
        credentials=Credentials(creds.access_key_id, creds.secret_access_key),
    )
    query = (
        'subscription { onIngestionResult(source: "sensors") { source batchId recordCount status summary } }'
    )
    async with subscribed(live_server, auth, query) as subscriber:
        # WHEN the publisher signs publishIngestionResult for two sources
        for source in ("orders", "sensors"):
            await asyncio.to_thread(
                publish_ingestion_result,
                {
                    "source": source,
                    "batchId": f"b-{source}",
                    "recordCount": 3,
                    "status": "SUCCEEDED",
                    "summary": '{"max": 41.5}',
                },
                url=live_server.url,
            )
        # THEN the subscriber gets the sensors batch only, summary as AWSJSON
        event = (await subscriber.next())["onIngestionResult"]
        assert (event["source"], event["batchId"], event["recordCount"]) == ("sensors", "b-sensors", 3)
        assert event["summary"] == '{"max":41.5}'
        assert subscriber.events.empty()


def test_only_iam_may_publish_ingestion_results(live_server: LiveServer) -> None:
    public = api_key_client(live_server.url, live_server.api_key)
    with pytest.raises(TransportQueryError, match="Not Authorized to access publishIngestionResult"):
        run(
            public,
            'mutation { publishIngestionResult(input: {source: "x", batchId: "1", recordCount: 0, '
            "status: FAILED}) { batchId } }",
        )


def test_the_publisher_reports_refusals(live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAUNKNOWN000000000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x" * 40)
    with pytest.raises(PublishError, match="401"):
        publish_ingestion_result(
            {"source": "s", "batchId": "1", "recordCount": 0, "status": "FAILED"}, url=live_server.url
        )
