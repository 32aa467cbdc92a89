"""createTodo as a signed-in user (Cognito user pools): the todo belongs to the caller.

From the repository root, with `make run` serving:

    export APPSYNC_URL=http://127.0.0.1:4000/graphql
    export APPSYNC_ID_TOKEN=$(.venv/bin/python -m appsync_local token alice)
    .venv/bin/python client-examples/mutation_user_pool.py --title "Buy milk" [--description …]
"""

from __future__ import annotations

from _env import arguments, graphql_url, host, id_token, print_json, run
from gql import Client, GraphQLRequest
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.appsync_auth import AppSyncJWTAuthentication

# ownerId is selected so that onTodoChanged subscribers (filtered on the owner) receive the change.
CREATE_TODO = """
mutation CreateTodo($input: CreateTodoInput!) {
  createTodo(input: $input) { id ownerId title description done dueDate version createdAt }
}
"""


async def main(title: str, description: str | None) -> None:
    auth = AppSyncJWTAuthentication(host=host(), jwt=id_token())
    transport = AIOHTTPTransport(url=graphql_url(), auth=auth)
    async with Client(transport=transport) as session:
        variables = {"input": {"title": title, "description": description}}
        print_json(await session.execute(GraphQLRequest(CREATE_TODO, variable_values=variables)))


if __name__ == "__main__":
    parser = arguments(__doc__)
    parser.add_argument("--title", default="Try the client examples")
    parser.add_argument("--description")
    args = parser.parse_args()
    run(main(args.title, args.description))
