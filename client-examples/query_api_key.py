"""listPosts with the API key: what a signed-out reader of the blog sees.

From the repository root, with `make run` serving:

    export APPSYNC_URL=http://127.0.0.1:4000/graphql
    export APPSYNC_API_KEY=$(.venv/bin/python -m appsync_local api-key)
    .venv/bin/python client-examples/query_api_key.py [--limit 5]
"""

from __future__ import annotations

from _env import api_key, arguments, graphql_url, host, print_json, run
from gql import Client, GraphQLRequest
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.appsync_auth import AppSyncApiKeyAuthentication

LIST_POSTS = """
query ListPosts($limit: Int) {
  listPosts(limit: $limit) { items { id title tags publishedAt author { name } } nextToken }
}
"""


async def main(limit: int) -> None:
    auth = AppSyncApiKeyAuthentication(host=host(), api_key=api_key())
    transport = AIOHTTPTransport(url=graphql_url(), auth=auth)
    async with Client(transport=transport) as session:
        result = await session.execute(GraphQLRequest(LIST_POSTS, variable_values={"limit": limit}))
        print_json(result)


if __name__ == "__main__":
    parser = arguments(__doc__)
    parser.add_argument("--limit", type=int, default=5)
    run(main(parser.parse_args().limit))
