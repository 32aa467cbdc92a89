"""onCreatePost with a token of the API's OpenID Connect issuer: posts as they are published, one JSON line each.

From the repository root, with `make run` serving:

    export APPSYNC_URL=http://127.0.0.1:4000/graphql
    export APPSYNC_OIDC_TOKEN=$(.venv/bin/python -m appsync_local token alice --issuer oidc)
    .venv/bin/python client-examples/subscription_oidc.py [--tag python] [--count 1] [--timeout 60]
"""

from __future__ import annotations

import asyncio

from _env import host, oidc_token, print_json, realtime_url, run, subscription_arguments
from gql import Client, GraphQLRequest
from gql.transport.appsync_auth import AppSyncJWTAuthentication
from gql.transport.appsync_websockets import AppSyncWebsocketsTransport

ON_CREATE_POST = """
subscription OnCreatePost($tag: String) {
  onCreatePost(tag: $tag) { id title authorId tags status }
}
"""


async def main(tag: str | None, count: int, timeout: float) -> None:
    auth = AppSyncJWTAuthentication(host=host(), jwt=oidc_token())
    transport = AppSyncWebsocketsTransport(url=realtime_url(), auth=auth)
    async with asyncio.timeout(timeout), Client(transport=transport) as session:
        subscription = GraphQLRequest(ON_CREATE_POST, variable_values={"tag": tag})
        async for event in session.subscribe(subscription):
            print_json(event, indent=None)
            count -= 1
            if count == 0:
                return


if __name__ == "__main__":
    parser = subscription_arguments(__doc__)
    parser.add_argument("--tag", help="only posts with this tag")
    args = parser.parse_args()
    run(main(args.tag, args.count, args.timeout))
