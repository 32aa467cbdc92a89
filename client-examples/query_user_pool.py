"""listTodos as a signed-in user (Cognito user pools): only the caller's own todos.

From the repository root, with `make run` serving:

    export APPSYNC_URL=http://127.0.0.1:4000/graphql
    export APPSYNC_ID_TOKEN=$(.venv/bin/python -m appsync_local token alice)
    .venv/bin/python client-examples/query_user_pool.py [--limit 5]
"""

from __future__ import annotations

from _env import arguments, graphql_url, host, id_token, print_json, run
from gql import Client, GraphQLRequest
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.appsync_auth import AppSyncJWTAuthentication

LIST_TODOS = """
query ListTodos($limit: Int) {
  listTodos(limit: $limit) { items { id title done dueDate version } nextToken }
}
"""


async def main(limit: int) -> None:
    auth = AppSyncJWTAuthentication(host=host(), jwt=id_token())
    transport = AIOHTTPTransport(url=graphql_url(), auth=auth)
    async with Client(transport=transport) as session:
        result = await session.execute(GraphQLRequest(LIST_TODOS, variable_values={"limit": limit}))
        print_json(result)


if __name__ == "__main__":
    parser = arguments(__doc__)
    parser.add_argument("--limit", type=int, default=5)
    run(main(parser.parse_args().limit))
