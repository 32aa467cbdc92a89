"""Nothing is lost when `make run` stops in the middle of a flow: started again on the same data, it finishes
what was under way, and sends no e-mail twice. The server runs as `make run` runs it (a process of its own,
DynamoDB Local on Java), stopped with SIGTERM as a terminal's Ctrl+C or a process manager stops it."""

from __future__ import annotations

import json
import signal
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import httpx

from appdef import load_config
from appsync_local.runtime import local_user_pool
from tests.fixtures.command_line import PROJECT_ROOT, serving
from tests.fixtures.events import wait_until
from tests.functional.images import jpeg

PHOTO_FIELDS = "id imageStatus thumbnails { width url }"


def _graphql(url: str, query: str, token: str, **variables: Any) -> Any:
    answer = httpx.post(
        f"{url}/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": token},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "errors" not in body, body
    return body["data"]


def _mails_to(data_dir: Path, recipient: str) -> list[Path]:
    return [
        p for p in (data_dir / "mail").glob("*.eml") if f"To: {recipient}" in p.read_text(errors="replace")
    ]


def test_flows_under_way_finish_after_a_restart_and_no_email_is_sent_twice(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    pool = local_user_pool(load_config(PROJECT_ROOT / "appsync.toml"), data_dir)
    assert pool is not None
    reader = f"reader-{uuid.uuid4().hex[:8]}"
    with serving("--data-dir", str(data_dir), "serve", "--port", "0") as first:
        url = first.wait_for_line(r"AppSync API\s+(http://127\.0\.0\.1:\d+)/graphql").group(1)
        # GIVEN a new user's first sign-in (their welcome e-mail now on its way through the stream)
        _graphql(url, "{ me { id } }", pool.mint(reader))
        # AND an author's photo just uploaded (its thumbnails now on their way through two queues)
        author = pool.mint("alice")
        post = _graphql(
            url, 'mutation { createPost(input: {title: "T", body: "B", tags: []}) { id } }', author
        )
        post_id = post["createPost"]["id"]
        upload = _graphql(
            url,
            "mutation($p: ID!, $t: String!) { createPostImageUploadUrl(postId: $p, contentType: $t) { url fields } }",
            author,
            p=post_id,
            t="image/jpeg",
        )["createPostImageUploadUrl"]
        sent = httpx.post(
            upload["url"], data=json.loads(upload["fields"]), files={"file": ("p.jpg", jpeg(800, 600))}
        )
        assert sent.status_code == 204
        # WHEN the server is stopped at once
        assert first.stop(signal.SIGTERM) == 0
    # AND started again on the same data
    with serving("--data-dir", str(data_dir), "serve", "--port", "0") as second:
        url = second.wait_for_line(r"AppSync API\s+(http://127\.0\.0\.1:\d+)/graphql").group(1)
        # THEN the photo gets its thumbnails
        get_post = f"query($id: ID!) {{ getPost(id: $id) {{ {PHOTO_FIELDS} }} }}"
        done = wait_until(
            lambda: (
                (p := _graphql(url, get_post, author, id=post_id)["getPost"])["imageStatus"] == "READY" and p
            ),
            timeout=60,
            what="the thumbnails",
        )
        assert [t["width"] for t in done["thumbnails"]] == [320, 800]  # 1024 would enlarge an 800 px photo
        # AND the posters seeded at the first start are shown at this server's address (it has another port),
        # as the photo is: items keep keys, and the URLs are made as they are read
        media = _graphql(url, "{ listMedia { items { thumbnailUrl } } }", author)["listMedia"]["items"]
        posters = [item["thumbnailUrl"] for item in media if item["thumbnailUrl"]]
        assert posters and all(p.startswith(f"{url}/_cdn/premium-media/posters/") for p in posters)
        assert all(t["url"].startswith(f"{url}/_cdn/post-photos/") for t in done["thumbnails"])
        for shown in (posters[0], done["thumbnails"][0]["url"]):
            assert httpx.get(shown, timeout=10).status_code == 200
        # AND the reader has their welcome e-mail, once: a later user's arrives and theirs is still alone
        later = f"reader-{uuid.uuid4().hex[:8]}"
        _graphql(url, "{ me { id } }", pool.mint(later))
        wait_until(lambda: _mails_to(data_dir, f"{later}@example.com"), 60, "the later user's e-mail")
        assert len(_mails_to(data_dir, f"{reader}@example.com")) == 1
        assert second.stop(signal.SIGTERM) == 0


REPORTS = "query($s: String) { listIngestionReports(source: $s, limit: 100) { items { batchId accepted duplicates } } }"


def test_a_batch_under_way_when_the_server_is_killed_is_reported_once_after_the_restart(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    pool = local_user_pool(load_config(PROJECT_ROOT / "appsync.toml"), data_dir)
    assert pool is not None
    source = f"killed-{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC).isoformat()
    records = [
        {"Data": json.dumps({"eventId": f"{source}-{i}", "source": source, "type": "t", "occurredAt": now}).encode(),
         "PartitionKey": source}
        for i in range(30)
    ]  # fmt: skip
    kinesis_line = r"Kinesis\s+(http://127\.0\.0\.1:\d+)\s"
    with serving("--data-dir", str(data_dir), "serve", "--port", "0") as first:
        endpoint = first.wait_for_line(kinesis_line).group(1)
        kinesis = boto3.client(
            "kinesis", endpoint_url=endpoint, region_name="us-east-1",
            aws_access_key_id="device", aws_secret_access_key="device",
        )  # fmt: skip
        # GIVEN 30 events a device put on the stream, still in Firehose's buffer (it flushes after 5 s)
        assert kinesis.put_records(StreamName="ingest-events", Records=records)["FailedRecordCount"] == 0
        # WHEN the server is killed outright (SIGKILL: no shutdown of any kind)
        first.stop(signal.SIGKILL)
    # AND started again on the same data
    with serving("--data-dir", str(data_dir), "serve", "--port", "0") as second:
        url = second.wait_for_line(r"AppSync API\s+(http://127\.0\.0\.1:\d+)/graphql").group(1)
        token = pool.mint("bob")
        # THEN the batch is delivered, transformed and reported, each event accepted once
        reports = wait_until(
            lambda: _graphql(url, REPORTS, token, s=source)["listIngestionReports"]["items"],
            timeout=60,
            what="the batch's report",
        )
        assert [(r["accepted"], r["duplicates"]) for r in reports] == [(30, 0)]
        assert second.stop(signal.SIGTERM) == 0
