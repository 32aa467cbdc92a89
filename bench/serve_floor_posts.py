"""The floor for `bench/listposts.py`: the least work that answers the same `listPosts(limit: 100)` request.

A bare ASGI handler under the same server (uvicorn) that checks the same API key and makes the same two
DynamoDB calls as the app's `Query.listPosts` pipeline against the same DynamoDB Local (one Query on
`byStatusCreatedAt` for the newest 100 published posts, one BatchGetItem of their distinct authors' profiles),
then writes the same JSON body. The calls go through the runtime's own DynamoDB client (botocore for the
request, signing and HTTP; the answer read as DynamoDB wrote it, `wire_reads`), the cheapest way this machine
has to make them; the floor then picks the fields it writes straight out of DynamoDB's JSON and writes the
body with orjson. No GraphQL, no APPSYNC_JS, no auth rules, no conversion it does not need: whatever a runtime
adds on top of this is its own cost. It answers any POST as the one benchmark query.

It prints ``{"port": N}`` once it listens, and ``{"calls": {...}}`` (the DynamoDB calls made) on SIGUSR2, the
interface of `serve_runtime.py`.

Usage: ``python bench/serve_floor_posts.py --data-dir DIR [--config appsync.toml]``
"""

from __future__ import annotations

import argparse
import base64
import hmac
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import orjson
from serve_runtime import serve_floor

from appdef import load_config
from appsync_local.datasources.dynamodb import default_client_factory
from appsync_local.runtime import api_key_store

PAGE = 100


def fetch_page(dynamodb: Any, calls: Counter[str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The two DynamoDB calls: the newest published posts, then their distinct authors (DynamoDB JSON)."""
    calls["Query"] += 1
    page = dynamodb.query(
        TableName="Posts",
        IndexName="byStatusCreatedAt",
        KeyConditionExpression="#pk = :pk",
        ExpressionAttributeNames={"#pk": "status"},
        ExpressionAttributeValues={":pk": {"S": "PUBLISHED"}},
        ScanIndexForward=False,
        Limit=PAGE,
    )
    author_ids = sorted({post["authorId"]["S"] for post in page.get("Items", [])})
    users: list[dict[str, Any]] = []
    if author_ids:
        calls["BatchGetItem"] += 1
        found = dynamodb.batch_get_item(
            RequestItems={"Users": {"Keys": [{"id": {"S": author}} for author in author_ids]}}
        )
        users = found["Responses"].get("Users", [])
    return page, users


def page_body(page: dict[str, Any], users: list[dict[str, Any]]) -> bytes:
    """The response body: the fields the benchmark query selects, picked straight out of DynamoDB's JSON."""
    names = {user["id"]["S"]: user["name"]["S"] if "name" in user else None for user in users}
    items = [
        {
            "id": post["id"]["S"],
            "title": post["title"]["S"],
            "tags": [tag["S"] for tag in post["tags"]["L"]],
            "status": post["status"]["S"],
            "createdAt": post["createdAt"]["S"],
            "author": {"name": names.get(post["authorId"]["S"])},
        }
        for post in page.get("Items", [])
    ]
    last = page.get("LastEvaluatedKey")
    token = base64.urlsafe_b64encode(orjson.dumps(last)).decode() if last else None
    return orjson.dumps({"data": {"listPosts": {"items": items, "nextToken": token}}})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "appsync.toml")
    parser.add_argument("--data-dir", type=Path, required=True, help="where the runtime's API key is")
    args = parser.parse_args(argv)

    config = load_config(args.config)
    api_key = api_key_store(config, args.data_dir).current().id.encode()
    dynamodb = default_client_factory()
    calls: Counter[str] = Counter()

    def answer(key: bytes) -> tuple[int, bytes]:
        if not hmac.compare_digest(key, api_key):
            return 401, b'{"errors":[{"errorType":"UnauthorizedException"}]}'
        return 200, page_body(*fetch_page(dynamodb, calls))

    return serve_floor(answer, b"x-api-key", lambda: calls)


if __name__ == "__main__":
    sys.exit(main())
