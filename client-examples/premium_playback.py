"""Premium playback as a signed-in user (Cognito user pools): read the catalog, subscribe (or buy one item), get a
short-lived playback URL (a CloudFront signed URL), and fetch the video's first bytes through the CDN.

From the repository root, with `make run` serving:

    export APPSYNC_URL=http://127.0.0.1:4000/graphql
    export APPSYNC_ID_TOKEN=$(.venv/bin/python -m appsync_local token bob)
    .venv/bin/python client-examples/premium_playback.py [--media-id ID] [--purchase | --plan YEARLY] [--bytes 16]

Without --media-id it plays the newest premium item of the catalog. It subscribes on --plan (MONTHLY by default;
subscribing again while subscribed changes nothing), or with --purchase buys that one item instead. The fetch
is an HTTP Range request, as a video player makes one: the CDN checks the URL's signature and answers 206 with
the bytes asked for. The URL stops working at expiresAt (5 minutes).
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import requests
from _env import arguments, graphql_url, host, id_token, print_json, run
from gql import Client, GraphQLRequest
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.appsync_auth import AppSyncJWTAuthentication

LIST_MEDIA = """
query ListMedia {
  listMedia(limit: 100) { items { id title premium contentType size durationSeconds thumbnailUrl } }
}
"""
SUBSCRIBE = """
mutation Subscribe($plan: PremiumPlan!) {
  subscribePremium(plan: $plan) { plan status currentPeriodEnd active }
}
"""
PURCHASE = """
mutation Purchase($id: ID!) {
  purchaseMedia(id: $id) { mediaId purchasedAt }
}
"""
PLAYBACK_URL = """
query PlaybackUrl($id: ID!) {
  mediaPlaybackUrl(id: $id) { url expiresAt }
}
"""


def chosen(items: list[dict[str, Any]], media_id: str | None) -> dict[str, Any]:
    """The item asked for, or the newest premium one."""
    for item in items:
        if item["id"] == media_id or (media_id is None and item["premium"]):
            return item
    wanted = f"media {media_id}" if media_id else "a premium item"
    sys.exit(f"error: the catalog has no {wanted}")


def first_bytes(url: str, count: int) -> dict[str, Any]:
    """GET the first `count` bytes of `url` with a Range header, as a player does."""
    answer = requests.get(url, headers={"Range": f"bytes=0-{count - 1}"}, timeout=30)
    if answer.status_code not in (200, 206):
        sys.exit(f"error: the CDN refused the URL: HTTP {answer.status_code}: {answer.text[:300]}")
    return {
        "status": answer.status_code,
        "contentType": answer.headers.get("content-type"),
        "contentRange": answer.headers.get("content-range"),
        "bytes": len(answer.content),
        "firstBytes": answer.content[:count].hex(),
    }


async def main(media_id: str | None, purchase: bool, plan: str, count: int) -> None:
    auth = AppSyncJWTAuthentication(host=host(), jwt=id_token())
    transport = AIOHTTPTransport(url=graphql_url(), auth=auth)
    async with Client(transport=transport) as session:
        catalog = (await session.execute(GraphQLRequest(LIST_MEDIA)))["listMedia"]["items"]
        item = chosen(catalog, media_id)
        if purchase:
            request = GraphQLRequest(PURCHASE, variable_values={"id": item["id"]})
            entitlement = {"purchase": (await session.execute(request))["purchaseMedia"]}
        else:
            request = GraphQLRequest(SUBSCRIBE, variable_values={"plan": plan})
            entitlement = {"subscription": (await session.execute(request))["subscribePremium"]}
        request = GraphQLRequest(PLAYBACK_URL, variable_values={"id": item["id"]})
        playback = (await session.execute(request))["mediaPlaybackUrl"]
    fetched = await asyncio.to_thread(first_bytes, playback["url"], count)
    print_json({"media": item, **entitlement, "playback": playback, "fetch": fetched})


def _count(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 1_048_576:
        raise ValueError(text)
    return int(text)


if __name__ == "__main__":
    parser = arguments(__doc__)
    parser.add_argument("--media-id", help="the item to play (default: the newest premium one)")
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--purchase", action="store_true", help="buy the item instead of subscribing")
    choice.add_argument(
        "--plan", choices=["MONTHLY", "YEARLY"], default="MONTHLY", help="the plan to subscribe on"
    )
    parser.add_argument("--bytes", type=_count, default=16, help="how many bytes to fetch (default 16)")
    args = parser.parse_args()
    run(main(args.media_id, args.purchase, args.plan, args.bytes))
