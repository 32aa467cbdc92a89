"""Every file in client-examples/ run as a user runs it: a subprocess configured only by environment variables."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import uvicorn

from appsync_local.local_aws import LocalAws
from appsync_local.realtime.protocol import CONNECTION_TIMEOUT_MS, KEEP_ALIVE_SECONDS
from appsync_local.serving import bind_socket, uvicorn_config
from appsync_local.tls import ensure_local_tls
from subscriptions.publisher import publish_ingestion_result
from tests.contract import partners
from tests.contract.clients import api_key_client, run, user_client
from tests.contract.conftest import ROOT
from tests.fixtures.live_server import LiveServer
from tests.functional.images import jpeg

EXAMPLES = ROOT / "client-examples"
JS_EXAMPLE = EXAMPLES / "js"
# Subprocesses start a Python or Node interpreter and connect; far below this on any machine.
RUN_TIMEOUT = 60.0
SERVER_START_TIMEOUT = 15.0
NPM_TIMEOUT = 600.0

PYTHON_EXAMPLES = sorted(path.name for path in EXAMPLES.glob("*.py") if not path.name.startswith("_"))

CREATE_POST = (
    "mutation($input: CreatePostInput!) { createPost(input: $input) { id title status authorId tags } }"
)
PUBLISH_POST = "mutation($id: ID!) { publishPost(id: $id) { id title status authorId tags } }"
LIST_POSTS = "query { listPosts(limit: 5) { items { id } } }"
LIST_MEDIA = "query { listMedia(limit: 5) { items { id } } }"


@dataclass
class Finished:
    """What an example printed, and how it ended."""

    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        assert self.returncode == 0, f"exit {self.returncode}: {self.stderr}"
        return json.loads(self.stdout)

    def json_lines(self) -> list[Any]:
        assert self.returncode == 0, f"exit {self.returncode}: {self.stderr}"
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]


def environment(tmp_home: Path, **settings: str) -> dict[str, str]:
    """Only what a user would set: the URL and the credentials (and PATH/HOME so interpreters start)."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_home), **settings}


def api_key_env(live: LiveServer, home: Path) -> dict[str, str]:
    return environment(home, APPSYNC_URL=live.url, APPSYNC_API_KEY=live.api_key)


def user_env(live: LiveServer, home: Path, username: str) -> dict[str, str]:
    return environment(home, APPSYNC_URL=live.url, APPSYNC_ID_TOKEN=live.token(username))


def oidc_env(live: LiveServer, home: Path, username: str = "partner") -> dict[str, str]:
    """A token of the local OIDC issuer, as `make token USER=… ISSUER=oidc` prints it."""
    assert live.runtime.oidc_issuer is not None
    return environment(home, APPSYNC_URL=live.url, APPSYNC_OIDC_TOKEN=live.runtime.oidc_issuer.mint(username))


def iam_env(live: LiveServer, home: Path) -> dict[str, str]:
    creds = live.iam
    return environment(
        home,
        APPSYNC_URL=live.url,
        AWS_REGION="us-east-1",
        AWS_ACCESS_KEY_ID=creds.access_key_id,
        AWS_SECRET_ACCESS_KEY=creds.secret_access_key,
    )


def command(example: str) -> list[str]:
    if example.endswith(".mjs"):
        return ["node", str(JS_EXAMPLE / example)]
    return [sys.executable, str(EXAMPLES / example)]


@asynccontextmanager
async def started(example: str, env: dict[str, str], *args: str) -> AsyncIterator[asyncio.subprocess.Process]:
    """The example running in the background; killed on the way out if it has not ended by itself."""
    process = await asyncio.create_subprocess_exec(
        *command(example),
        *args,
        env=env,
        cwd=EXAMPLES,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def finished(process: asyncio.subprocess.Process, timeout: float = RUN_TIMEOUT) -> Finished:
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode is not None
    return Finished(process.returncode, stdout.decode(), stderr.decode())


async def run_example(example: str, env: dict[str, str], *args: str) -> Finished:
    async with started(example, env, *args) as process:
        return await finished(process)


async def author_publishes(live: LiveServer, title: str, tags: list[str]) -> dict[str, Any]:
    """A member of `authors` creates a post and publishes it (no example may: writes need a user or IAM)."""
    author = user_client(live.url, live.token("example-author", groups=["authors"]))
    draft = await asyncio.to_thread(
        run, author, CREATE_POST, input={"title": title, "body": "b", "tags": tags}
    )
    published = await asyncio.to_thread(run, author, PUBLISH_POST, id=draft["createPost"]["id"])
    return dict(published["publishPost"])


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty home folder, so no ~/.aws configuration of the machine leaks into an example."""
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


# -- queries and mutations -----------------------------------------------------------------------


async def test_query_api_key_lists_the_published_posts(live_server: LiveServer, home: Path) -> None:
    # GIVEN the API's published posts, as the API key reads them
    expected = run(api_key_client(live_server.url, live_server.api_key), LIST_POSTS)
    # WHEN the API key example runs
    result = (await run_example("query_api_key.py", api_key_env(live_server, home))).json()
    # THEN it prints the same page, as JSON
    assert [post["id"] for post in result["listPosts"]["items"]] == [
        p["id"] for p in expected["listPosts"]["items"]
    ]
    assert result["listPosts"]["items"], "the seeded posts are published"


async def test_query_oidc_lists_the_published_posts(live_server: LiveServer, home: Path) -> None:
    # GIVEN the published posts, as the API key reads them
    expected = run(api_key_client(live_server.url, live_server.api_key), LIST_POSTS)
    # WHEN the OIDC example runs with a token of the API's OIDC issuer
    result = (await run_example("query_oidc.py", oidc_env(live_server, home))).json()
    # THEN it reads the same posts
    assert [post["id"] for post in result["listPosts"]["items"]] == [
        p["id"] for p in expected["listPosts"]["items"]
    ]


async def test_query_iam_lists_the_published_posts(live_server: LiveServer, home: Path) -> None:
    # WHEN the IAM example runs with keys from the environment (the standard AWS chain)
    result = (await run_example("query_iam.py", iam_env(live_server, home))).json()
    # THEN it prints the published posts
    assert result["listPosts"]["items"]
    assert {post["status"] for post in result["listPosts"]["items"]} == {"PUBLISHED"}


async def test_a_todo_created_by_mutation_user_pool_is_listed_by_query_user_pool(
    live_server: LiveServer, home: Path
) -> None:
    # GIVEN a user with no todos yet
    username = f"example-{uuid.uuid4().hex[:8]}"
    env = user_env(live_server, home, username)
    # WHEN the user-pool mutation example creates one
    created = (await run_example("mutation_user_pool.py", env, "--title", "From the example")).json()[
        "createTodo"
    ]
    # THEN it belongs to the caller
    assert (created["title"], created["ownerId"], created["done"]) == (
        "From the example",
        live_server.sub(username),
        False,
    )
    # AND the user-pool query example lists it, and nothing else
    listed = (await run_example("query_user_pool.py", env)).json()["listTodos"]
    assert [todo["id"] for todo in listed["items"]] == [created["id"]]


async def test_mutation_iam_publishes_an_ingestion_result(live_server: LiveServer, home: Path) -> None:
    # WHEN the IAM mutation example publishes a batch
    args = ("--source", "orders", "--batch-id", "b-42", "--record-count", "7", "--status", "PARTIAL")
    result = (await run_example("mutation_iam.py", iam_env(live_server, home), *args)).json()
    # THEN it prints what AppSync returned, summary as AWSJSON
    published = result["publishIngestionResult"]
    assert (published["source"], published["batchId"], published["recordCount"], published["status"]) == (
        "orders",
        "b-42",
        7,
        "PARTIAL",
    )
    assert json.loads(published["summary"]) == {"records": 7}


def partner_env(live: LiveServer, home: Path, token: str) -> dict[str, str]:
    return environment(home, APPSYNC_URL=live.url, APPSYNC_PARTNER_TOKEN=token)


async def test_mutation_lambda_sends_events_with_a_partner_token(live_server: LiveServer, home: Path) -> None:
    # WHEN the Lambda-mode example sends two events as acme, one of its own sources
    args = ("--source", "acme-web", "--events", "2")
    result = (
        await run_example("mutation_lambda.py", partner_env(live_server, home, partners.ACME), *args)
    ).json()
    # THEN both are written to the stream
    answer = result["ingestEvents"]
    assert (answer["acceptedCount"], answer["failedCount"]) == (2, 0)
    assert all(event["sequenceNumber"] for event in answer["events"])


async def test_mutation_lambda_with_a_revoked_token_prints_appsyncs_401(
    live_server: LiveServer, home: Path
) -> None:
    result = await run_example("mutation_lambda.py", partner_env(live_server, home, partners.INITECH))
    # THEN it prints AppSync's answer as JSON on stderr (no stack trace)
    assert result.returncode == 1
    assert json.loads(result.stderr)["errors"] == [
        {"errorType": "UnauthorizedException", "message": "You are not authorized to make this call."}
    ]


async def test_upload_post_photo_creates_a_draft_and_uploads_the_photo(
    live_server: LiveServer, local_aws: LocalAws, home: Path
) -> None:
    # GIVEN a member of `authors` and a photo on disk
    username = f"example-author-{uuid.uuid4().hex[:8]}"
    env = environment(
        home, APPSYNC_URL=live_server.url, APPSYNC_ID_TOKEN=live_server.token(username, groups=["authors"])
    )
    photo = home / "spring flowers.jpg"
    photo.write_bytes(jpeg(640, 480))
    # WHEN the example runs, waiting for the thumbnails as a person would
    result = (await run_example("upload_post_photo.py", env, "--file", str(photo))).json()
    # THEN it made a draft of the caller's, put the photo at the key the API gave, and saw the sizes made
    post, key = result["post"], result["upload"]["key"]
    assert post["status"] == "DRAFT"
    assert key.startswith(f"originals/{live_server.sub(username)}/{post['id']}/") and key.endswith(".jpg")
    s3 = boto3.client("s3", endpoint_url=local_aws.endpoints.s3, region_name="us-east-1")
    stored = s3.get_object(Bucket="post-photos", Key=key)
    assert (stored["ContentType"], stored["Body"].read()) == ("image/jpeg", photo.read_bytes())
    image = result["image"]
    assert image["imageStatus"] == "READY"
    assert [(t["width"], t["height"]) for t in image["thumbnails"]] == [(320, 240), (640, 480)]


async def test_upload_post_photo_without_a_file_says_so(live_server: LiveServer, home: Path) -> None:
    env = environment(home, APPSYNC_URL=live_server.url, APPSYNC_ID_TOKEN=live_server.token("alice"))
    result = await run_example("upload_post_photo.py", env)
    assert result.returncode == 1
    assert (
        result.stderr.strip() == "error: give the photo to upload with --file PATH (a JPEG, PNG, WebP or GIF)"
    )


SEEDED_PREMIUM_MEDIA = "3d0c1a5e-0000-4000-8000-00000000e001"  # seed/demo.json: a READY premium WebM


async def test_premium_playback_subscribes_and_fetches_the_first_bytes_through_the_cdn(
    live_server: LiveServer, home: Path
) -> None:
    # GIVEN a signed-in user with no subscription, like bob
    env = user_env(live_server, home, f"example-viewer-{uuid.uuid4().hex[:8]}")
    # WHEN the example plays the seeded premium video, subscribing first
    result = (
        await run_example("premium_playback.py", env, "--media-id", SEEDED_PREMIUM_MEDIA, "--plan", "YEARLY")
    ).json()
    # THEN it subscribed, got a URL on the local CDN, and the CDN served the first 16 bytes of the WebM
    assert (result["subscription"]["plan"], result["subscription"]["active"]) == ("YEARLY", True)
    assert result["playback"]["url"].startswith(f"{live_server.base_url}/_cdn/premium-media/")
    fetched = result["fetch"]
    assert (fetched["status"], fetched["contentType"], fetched["bytes"]) == (206, "video/webm", 16)
    assert fetched["contentRange"] == f"bytes 0-15/{result['media']['size']}"
    assert fetched["firstBytes"].startswith("1a45dfa3")  # the WebM (EBML) signature


async def test_premium_playback_can_buy_the_newest_premium_item_instead(
    live_server: LiveServer, home: Path
) -> None:
    username = f"example-buyer-{uuid.uuid4().hex[:8]}"
    result = (
        await run_example("premium_playback.py", user_env(live_server, home, username), "--purchase")
    ).json()
    assert result["media"]["premium"] is True
    assert result["purchase"]["mediaId"] == result["media"]["id"]
    assert (result["fetch"]["status"], result["fetch"]["contentType"]) == (
        206,
        result["media"]["contentType"],
    )


async def test_the_device_simulator_sends_both_ways_and_the_reports_add_up_to_what_it_printed(
    live_server: LiveServer, local_aws: LocalAws, home: Path
) -> None:
    # GIVEN a fleet sending 80 events (30 % resent, 10 % malformed) by Kinesis and by ingestEvents
    source = f"sim-{uuid.uuid4().hex[:8]}"
    env = environment(
        home,
        APPSYNC_URL=live_server.url,
        APPSYNC_API_KEY=live_server.api_key,
        AWS_ENDPOINT_URL_KINESIS=local_aws.endpoints.kinesis,
        AWS_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="device",
        AWS_SECRET_ACCESS_KEY="device",
    )
    args = ("--events", "80", "--sources", source, "--duplicates", "0.3", "--malformed", "0.1", "--seed", "7")
    # WHEN it runs
    printed = (await run_example("device_simulator.py", env, *args)).stdout.splitlines()
    expected = json.loads(printed[-1])
    assert printed[0].startswith("kinesis PutRecords: {'written': ")
    assert expected["sent"] == 80 and expected["duplicates"] > 0 and expected["dropped"] > 0
    # THEN the pipeline's reports for that source add up to what it printed
    want = {
        "accepted": expected["accepted"],
        "duplicates": expected["duplicates"],
        "dropped": expected["droppedBySource"].get(source, 0),
    }
    reader = user_client(live_server.url, live_server.token("bob"))
    query = "query($s: String) { listIngestionReports(source: $s, limit: 100) { items { accepted duplicates dropped } } }"
    deadline = time.monotonic() + 90
    while True:
        items = (await asyncio.to_thread(run, reader, query, s=source))["listIngestionReports"]["items"]
        totals = {k: sum(item[k] for item in items) for k in ("accepted", "duplicates", "dropped")}
        if totals == want or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    assert totals == want


async def test_mutation_iam_without_aws_credentials_says_what_is_missing(
    live_server: LiveServer, home: Path
) -> None:
    # GIVEN the IAM mutation example, but with no AWS credentials, only the API key
    env = api_key_env(live_server, home)
    env["AWS_REGION"] = "us-east-1"
    # WHEN it runs
    result = await run_example("mutation_iam.py", env)
    # THEN it says what is missing, without a stack trace
    assert result.returncode != 0
    assert "no AWS credentials found" in result.stderr
    assert "Traceback" not in result.stderr


async def test_an_unauthorized_call_prints_appsyncs_error(live_server: LiveServer, home: Path) -> None:
    # WHEN the user-pool query example runs with something that is not a token
    env = environment(home, APPSYNC_URL=live_server.url, APPSYNC_ID_TOKEN="not-a-token")
    result = await run_example("query_user_pool.py", env)
    # THEN it fails with AppSync's answer, as JSON on stderr (no stack trace)
    assert result.returncode == 1
    assert [error["errorType"] for error in json.loads(result.stderr)["errors"]] == ["UnauthorizedException"]
    assert result.stdout == ""


@pytest.mark.parametrize("example", PYTHON_EXAMPLES)
async def test_an_example_without_settings_says_what_to_set(example: str, home: Path) -> None:
    # WHEN an example runs with nothing set
    result = await run_example(example, environment(home))
    # THEN it names the variable, without a stack trace
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == "error: set APPSYNC_URL to the API's GraphQL URL, e.g. http://127.0.0.1:4000/graphql"
    )


# -- subscriptions: start the example, wait until the server holds it, then trigger the mutation -----------


async def test_subscription_api_key_prints_a_published_post(live_server: LiveServer, home: Path) -> None:
    # GIVEN the API key subscription example, listening for one tag
    tag = f"t{uuid.uuid4().hex[:8]}"
    before = live_server.subscriptions()
    async with started("subscription_api_key.py", api_key_env(live_server, home), "--tag", tag) as example:
        await live_server.wait_for_subscriptions(before + 1, timeout=RUN_TIMEOUT)
        # WHEN an author publishes a post with that tag
        post = await author_publishes(live_server, "Seen by the example", [tag])
        # THEN the example prints it and ends by itself
        events = (await finished(example)).json_lines()
    assert [event["onCreatePost"]["id"] for event in events] == [post["id"]]
    assert events[0]["onCreatePost"]["status"] == "PUBLISHED"


async def test_subscription_lambda_prints_the_partners_results_only(
    live_server: LiveServer, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the Lambda-mode subscription example, running as acme, and the pipeline's IAM credentials
    creds = live_server.iam
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds.secret_access_key)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    before = live_server.subscriptions()
    env = partner_env(live_server, home, partners.ACME)
    async with started("subscription_lambda.py", env, "--count", "1") as example:
        await live_server.wait_for_subscriptions(before + 1, timeout=RUN_TIMEOUT)
        # WHEN results of another partner's source, then of acme's, are published
        for source, batch in (("globex-iot", "not-acmes"), ("acme-pos", "acmes")):
            result = {"source": source, "batchId": batch, "recordCount": 1, "status": "SUCCEEDED"}
            await asyncio.to_thread(publish_ingestion_result, result, url=live_server.url)
        # THEN the example prints acme's only and ends by itself
        events = (await finished(example)).json_lines()
    assert [(e["onIngestionResult"]["source"], e["onIngestionResult"]["batchId"]) for e in events] == [
        ("acme-pos", "acmes")
    ]


async def test_subscription_oidc_prints_a_published_post(live_server: LiveServer, home: Path) -> None:
    # GIVEN the OIDC subscription example (its connection authorized by the OIDC token), listening for one tag
    tag = f"t{uuid.uuid4().hex[:8]}"
    before = live_server.subscriptions()
    async with started("subscription_oidc.py", oidc_env(live_server, home), "--tag", tag) as example:
        await live_server.wait_for_subscriptions(before + 1, timeout=RUN_TIMEOUT)
        # WHEN an author publishes a post with that tag
        post = await author_publishes(live_server, "Seen by a partner app", [tag])
        # THEN the example prints it and ends by itself
        events = (await finished(example)).json_lines()
    assert [event["onCreatePost"]["id"] for event in events] == [post["id"]]


async def test_subscription_user_pool_prints_the_callers_todo_changes(
    live_server: LiveServer, home: Path
) -> None:
    # GIVEN the user-pool subscription example, running as one user
    username = f"example-{uuid.uuid4().hex[:8]}"
    env = user_env(live_server, home, username)
    before = live_server.subscriptions()
    async with started("subscription_user_pool.py", env, "--count", "1") as example:
        await live_server.wait_for_subscriptions(before + 1, timeout=RUN_TIMEOUT)
        # WHEN someone else, then that user (with the mutation example), create a todo
        await asyncio.to_thread(
            run,
            user_client(live_server.url, live_server.token("example-other")),
            'mutation { createTodo(input: {title: "not yours"}) { id ownerId } }',
        )
        created = (await run_example("mutation_user_pool.py", env, "--title", "mine")).json()["createTodo"]
        # THEN the example prints only the user's own todo, and ends
        events = (await finished(example)).json_lines()
    assert [event["onTodoChanged"]["id"] for event in events] == [created["id"]]
    assert events[0]["onTodoChanged"]["title"] == "mine"


async def test_subscription_iam_prints_results_published_by_mutation_iam(
    live_server: LiveServer, home: Path
) -> None:
    # GIVEN the IAM subscription example, listening for one source, waiting for two events
    env = iam_env(live_server, home)
    before = live_server.subscriptions()
    async with started("subscription_iam.py", env, "--source", "sensors", "--count", "2") as example:
        await live_server.wait_for_subscriptions(before + 1, timeout=RUN_TIMEOUT)
        # WHEN the IAM mutation example publishes for another source, then twice for that one
        for source, batch in (("orders", "o-1"), ("sensors", "s-1"), ("sensors", "s-2")):
            assert (
                await run_example("mutation_iam.py", env, "--source", source, "--batch-id", batch)
            ).returncode == 0
        # THEN the example prints the two sensors batches, one JSON line each, and ends
        events = (await finished(example)).json_lines()
    assert [event["onIngestionResult"]["batchId"] for event in events] == ["s-1", "s-2"]


async def test_a_subscription_example_gives_up_after_its_timeout(live_server: LiveServer, home: Path) -> None:
    # WHEN the subscription example waits for an event that never comes
    tag = f"t{uuid.uuid4().hex[:8]}"
    result = await run_example(
        "subscription_api_key.py", api_key_env(live_server, home), "--tag", tag, "--timeout", "1"
    )
    # THEN it ends by itself, saying so, with nothing printed
    assert result.returncode == 1
    assert result.stderr.startswith("error: timed out")
    assert result.stdout == ""


# -- Amplify JS over HTTPS/WSS with the local CA ------------------------------------------------------


@dataclass(frozen=True)
class TlsEndpoint:
    url: str
    ca_cert: Path


@pytest.fixture(scope="module")
def live_tls(live_server: LiveServer) -> Iterator[TlsEndpoint]:
    """The same app (so the same subscriptions) served over HTTPS/WSS, as `serve --tls` does."""
    tls = ensure_local_tls(live_server.runtime_data_dir)
    sock = bind_socket()
    server = uvicorn.Server(
        uvicorn_config(live_server.app, ssl_certfile=str(tls.cert_file), ssl_keyfile=str(tls.key_file))
    )
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="asgi-tls-examples", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the TLS server did not start"
            time.sleep(0.01)
        yield TlsEndpoint(f"https://127.0.0.1:{sock.getsockname()[1]}/graphql", tls.ca_cert)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="session")
def amplify_js() -> Path:
    """client-examples/js with its node_modules, installed with `npm ci` on first use."""
    stamp = JS_EXAMPLE / "node_modules" / ".installed"
    lock = JS_EXAMPLE / "package-lock.json"
    if stamp.exists() and stamp.stat().st_mtime >= max(
        lock.stat().st_mtime, (JS_EXAMPLE / "package.json").stat().st_mtime
    ):
        return JS_EXAMPLE
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.fail(
            "node and npm are needed for client-examples/js (Node.js 18 or newer: https://nodejs.org)"
        )
    try:
        installed = subprocess.run(
            [npm, "ci", "--prefix", str(JS_EXAMPLE), "--no-audit", "--no-fund", "--loglevel=error"],
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"`npm ci --prefix client-examples/js` did not finish within {NPM_TIMEOUT:g} s")
    if installed.returncode != 0:
        pytest.fail(
            "`npm ci --prefix client-examples/js` failed (it needs the npm registry once):\n"
            + (installed.stderr or installed.stdout)[-2000:]
        )
    stamp.touch()
    return JS_EXAMPLE


async def test_amplify_js_queries_and_subscribes_over_wss_with_the_local_ca(
    live_server: LiveServer, live_tls: TlsEndpoint, amplify_js: Path, home: Path
) -> None:
    # GIVEN the Amplify JS example, trusting the local CA through Node's own setting, listening for one tag
    tag = f"t{uuid.uuid4().hex[:8]}"
    env = environment(
        home,
        APPSYNC_URL=live_tls.url,
        APPSYNC_API_KEY=live_server.api_key,
        AWS_REGION="us-east-1",
        NODE_EXTRA_CA_CERTS=str(live_tls.ca_cert),
    )
    before = live_server.subscriptions()
    async with started("amplify_api_key.mjs", env, "--tag", tag, "--count", "1") as example:
        # (Amplify subscribes once its query has answered)
        await live_server.wait_for_subscriptions(before + 1, timeout=RUN_TIMEOUT)
        # WHEN an author publishes a post with that tag
        post = await author_publishes(live_server, "Seen by Amplify", [tag])
        # THEN the example printed the query's page, then the event, and ended by itself
        lines = (await finished(example)).json_lines()
    assert lines[0]["listPosts"]["items"], "the seeded posts are published"
    # AND the page's catalog is the API's newest five READY items, as the API key reads them
    expected = run(api_key_client(live_server.url, live_server.api_key), LIST_MEDIA)["listMedia"]["items"]
    assert [item["id"] for item in lines[0]["listMedia"]["items"]] == [item["id"] for item in expected]
    assert [line["onCreatePost"]["id"] for line in lines[1:]] == [post["id"]]
    assert lines[1]["onCreatePost"]["tags"] == [tag]


async def test_amplify_js_oidc_mode_queries_and_subscribes_with_the_issuers_token(
    live_server: LiveServer, live_tls: TlsEndpoint, amplify_js: Path, home: Path
) -> None:
    # GIVEN the Amplify JS OIDC example with a token of the API's OIDC issuer, listening for one tag
    tag = f"t{uuid.uuid4().hex[:8]}"
    assert live_server.runtime.oidc_issuer is not None
    env = environment(
        home,
        APPSYNC_URL=live_tls.url,
        APPSYNC_OIDC_TOKEN=live_server.runtime.oidc_issuer.mint("partner"),
        AWS_REGION="us-east-1",
        NODE_EXTRA_CA_CERTS=str(live_tls.ca_cert),
    )
    before = live_server.subscriptions()
    async with started("amplify_oidc.mjs", env, "--tag", tag, "--count", "1") as example:
        await live_server.wait_for_subscriptions(before + 1, timeout=RUN_TIMEOUT)
        # WHEN an author publishes a post with that tag
        post = await author_publishes(live_server, "Seen by a partner's Amplify app", [tag])
        # THEN the example printed the page of posts, then the event, and ended by itself
        lines = (await finished(example)).json_lines()
    assert lines[0]["listPosts"]["items"], "the seeded posts are published"
    assert [line["onCreatePost"]["id"] for line in lines[1:]] == [post["id"]]


async def test_amplify_js_oidc_mode_with_a_foreign_token_prints_appsyncs_401(
    live_tls: TlsEndpoint, amplify_js: Path, home: Path
) -> None:
    # GIVEN a token no configured issuer signed (a user-pool-shaped JWT of an unknown issuer)
    header = base64.urlsafe_b64encode(b'{"alg":"RS256","kid":"x"}').rstrip(b"=").decode()
    payload = base64.urlsafe_b64encode(b'{"sub":"s","iss":"https://elsewhere.example.com","exp":4102444800}')
    token = f"{header}.{payload.rstrip(b'=').decode()}.c2ln"
    env = environment(
        home,
        APPSYNC_URL=live_tls.url,
        APPSYNC_OIDC_TOKEN=token,
        AWS_REGION="us-east-1",
        NODE_EXTRA_CA_CERTS=str(live_tls.ca_cert),
    )
    # WHEN the example runs, THEN it prints AppSync's 401 and fails
    result = await run_example("amplify_oidc.mjs", env, "--timeout", "5")
    assert result.returncode == 1
    assert "UnauthorizedException: HTTP 401" in result.stderr


async def test_amplify_js_without_the_local_ca_refuses_the_certificate(
    live_server: LiveServer, live_tls: TlsEndpoint, amplify_js: Path, home: Path
) -> None:
    # WHEN the Amplify JS example runs without trusting the local CA
    env = environment(home, APPSYNC_URL=live_tls.url, APPSYNC_API_KEY=live_server.api_key)
    result = await run_example("amplify_api_key.mjs", env, "--timeout", "5")
    # THEN it stops at its first request with the TLS error, printed on one line
    assert result.returncode == 1
    assert result.stderr.startswith("error: A network error has occurred.")
    assert "certificate" in result.stderr
    assert result.stdout == ""


async def test_amplify_js_prints_appsyncs_error_for_a_wrong_api_key(
    live_tls: TlsEndpoint, amplify_js: Path, home: Path
) -> None:
    # WHEN the Amplify JS example runs with an API key the API does not know
    env = environment(
        home,
        APPSYNC_URL=live_tls.url,
        APPSYNC_API_KEY="da2-unknown",
        NODE_EXTRA_CA_CERTS=str(live_tls.ca_cert),
    )
    result = await run_example("amplify_api_key.mjs", env, "--timeout", "5")
    # THEN it says the API refused it, and exits
    assert result.returncode == 1
    assert "HTTP 401" in result.stderr, result.stderr
    assert result.stdout == ""


def test_keep_alives_come_often_enough_for_amplifys_watchdog(amplify_js: Path) -> None:
    # GIVEN Amplify JS v6's own keep-alive constants, read from the installed package
    constants = amplify_js / "node_modules/@aws-amplify/api-graphql/dist/esm/Providers/constants.mjs"
    script = f"import * as c from {json.dumps(constants.as_uri())}; console.log(JSON.stringify(c));"
    printed = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=True,
        cwd=amplify_js,
    )
    amplify = json.loads(printed.stdout)
    # THEN a `ka` every KEEP_ALIVE_SECONDS (the first comes with the ack) is never older than Amplify's alert
    # (65 s) when its heartbeat (every 5 s) looks, with a heartbeat's worth of margin for delivery
    alert_ms = amplify["DEFAULT_KEEP_ALIVE_ALERT_TIMEOUT"]
    heartbeat_ms = amplify["DEFAULT_KEEP_ALIVE_HEARTBEAT_TIMEOUT"]
    assert (alert_ms, heartbeat_ms) == (65_000, 5_000), "Amplify changed its watchdog: check the margin"
    assert alert_ms - heartbeat_ms >= KEEP_ALIVE_SECONDS * 1000
    # AND far inside the connection timeout the server announces, after which Amplify closes the socket
    assert KEEP_ALIVE_SECONDS * 1000 < CONNECTION_TIMEOUT_MS


async def test_amplify_js_lambda_mode_ingests_and_receives_the_partners_results(
    live_server: LiveServer,
    live_tls: TlsEndpoint,
    amplify_js: Path,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN the Amplify JS Lambda-mode example as acme, watching acme-web's results, and the pipeline's IAM
    # credentials (only IAM may publish results)
    creds = live_server.iam
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds.secret_access_key)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    env = environment(
        home,
        APPSYNC_URL=live_tls.url,
        APPSYNC_PARTNER_TOKEN=partners.ACME,
        AWS_REGION="us-east-1",
        NODE_EXTRA_CA_CERTS=str(live_tls.ca_cert),
    )
    args = ("--source", "acme-pos", "--events", "2", "--results-of", "acme-web", "--count", "1")
    before = live_server.subscriptions()
    async with started("amplify_lambda.mjs", env, *args) as example:
        # (Amplify subscribes once its mutation has answered)
        await live_server.wait_for_subscriptions(before + 1, timeout=RUN_TIMEOUT)
        # WHEN a result of another partner's source, then one of acme-web, are published
        batch = f"b-{uuid.uuid4().hex[:8]}"
        for source, batch_id in (("globex-iot", "not-acmes"), ("acme-web", batch)):
            result = {"source": source, "batchId": batch_id, "recordCount": 2, "status": "SUCCEEDED"}
            await asyncio.to_thread(publish_ingestion_result, result, url=live_server.url)
        # THEN the example printed the mutation's answer, then acme-web's result only, and ended by itself
        lines = (await finished(example)).json_lines()
    answer = lines[0]["ingestEvents"]
    assert (answer["acceptedCount"], answer["failedCount"]) == (2, 0)
    assert all(event["sequenceNumber"] for event in answer["events"])
    assert [
        (line["onIngestionResult"]["source"], line["onIngestionResult"]["batchId"]) for line in lines[1:]
    ] == [("acme-web", batch)]


async def test_amplify_js_lambda_mode_with_a_revoked_token_prints_appsyncs_401(
    live_tls: TlsEndpoint, amplify_js: Path, home: Path
) -> None:
    # WHEN the Amplify JS Lambda-mode example runs with a revoked partner's token
    env = environment(
        home,
        APPSYNC_URL=live_tls.url,
        APPSYNC_PARTNER_TOKEN=partners.INITECH,
        NODE_EXTRA_CA_CERTS=str(live_tls.ca_cert),
    )
    result = await run_example("amplify_lambda.mjs", env, "--timeout", "5")
    # THEN the authorizer's denial reaches it as AppSync's 401, and it exits having printed nothing
    assert result.returncode == 1
    assert "UnauthorizedException: HTTP 401" in result.stderr, result.stderr
    assert result.stdout == ""
