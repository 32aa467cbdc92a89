"""listPosts signed with IAM (SigV4): what a backend job or an identity-pool app reads.

From the repository root, with `make run` serving:

    export APPSYNC_URL=http://127.0.0.1:4000/graphql
    export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=…   # `.venv/bin/python -m appsync_local iam-credentials`
    .venv/bin/python client-examples/query_iam.py [--limit 5]
"""

from __future__ import annotations

from _env import arguments, graphql_url, host, print_json, region, run
from gql import Client, GraphQLRequest
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.appsync_auth import AppSyncIAMAuthentication

LIST_POSTS = """
query ListPosts($limit: Int) {
  listPosts(limit: $limit) { items { id title authorId status } nextToken }
}
"""


async def main(limit: int) -> None:
    # Credentials come from the standard AWS chain (environment, profile, role), as boto3's do.
    auth = AppSyncIAMAuthentication(host=host(), region_name=region())
    transport = AIOHTTPTransport(url=graphql_url(), auth=auth)
    async with Client(transport=transport) as session:
        result = await session.execute(GraphQLRequest(LIST_POSTS, variable_values={"limit": limit}))
        print_json(result)


if __name__ == "__main__":
    parser = arguments(__doc__)
    parser.add_argument("--limit", type=int, default=5)
    run(main(parser.parse_args().limit))
