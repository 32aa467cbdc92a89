"""listPosts with a token of the API's OpenID Connect issuer: the blog's published posts, as a partner app reads them.

From the repository root, with `make run` serving:

    export APPSYNC_URL=http://127.0.0.1:4000/graphql
    export APPSYNC_OIDC_TOKEN=$(.venv/bin/python -m appsync_local token alice --issuer oidc)
    .venv/bin/python client-examples/query_oidc.py [--limit 5]
"""

from __future__ import annotations

from _env import arguments, graphql_url, host, oidc_token, print_json, run
from gql import Client, GraphQLRequest
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.appsync_auth import AppSyncJWTAuthentication

LIST_POSTS = """
query ListPosts($limit: Int) {
  listPosts(limit: $limit) { items { id title tags author { name } } nextToken }
}
"""


async def main(limit: int) -> None:
    # An OIDC token travels like a user-pool token: in `Authorization`; AppSync tells them apart by issuer.
    auth = AppSyncJWTAuthentication(host=host(), jwt=oidc_token())
    transport = AIOHTTPTransport(url=graphql_url(), auth=auth)
    async with Client(transport=transport) as session:
        result = await session.execute(GraphQLRequest(LIST_POSTS, variable_values={"limit": limit}))
        print_json(result)


if __name__ == "__main__":
    parser = arguments(__doc__)
    parser.add_argument("--limit", type=int, default=5)
    run(main(parser.parse_args().limit))
