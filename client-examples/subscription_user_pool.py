"""onTodoChanged as a signed-in user (Cognito user pools): the caller's own todos as they change.

The server filters on the caller's identity: nobody receives someone else's todos.

From the repository root, with `make run` serving:

    export APPSYNC_URL=http://127.0.0.1:4000/graphql
    export APPSYNC_ID_TOKEN=$(.venv/bin/python -m appsync_local token alice)
    .venv/bin/python client-examples/subscription_user_pool.py [--count 1] [--timeout 60]
"""

from __future__ import annotations

from _env import host, id_token, print_events, run, subscription_arguments
from gql.transport.appsync_auth import AppSyncJWTAuthentication

ON_TODO_CHANGED = """
subscription OnTodoChanged {
  onTodoChanged { id ownerId title done version }
}
"""


async def main(count: int, timeout: float) -> None:
    auth = AppSyncJWTAuthentication(host=host(), jwt=id_token())
    await print_events(auth, ON_TODO_CHANGED, None, count, timeout)


if __name__ == "__main__":
    args = subscription_arguments(__doc__).parse_args()
    run(main(args.count, args.timeout))
