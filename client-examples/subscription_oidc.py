"""onCreatePost with a token of the API's OpenID Connect issuer: posts as they are published, one JSON line each.

From the repository root, with `make run` serving:

    export APPSYNC_URL=http://127.0.0.1:4000/graphql
    export APPSYNC_OIDC_TOKEN=$(.venv/bin/python -m appsync_local token alice --issuer oidc)
    .venv/bin/python client-examples/subscription_oidc.py [--tag python] [--count 1] [--timeout 60]
"""

from __future__ import annotations

from _env import host, oidc_token, print_events, run, subscription_arguments
from gql.transport.appsync_auth import AppSyncJWTAuthentication

ON_CREATE_POST = """
subscription OnCreatePost($tag: String) {
  onCreatePost(tag: $tag) { id title authorId tags status }
}
"""


async def main(tag: str | None, count: int, timeout: float) -> None:
    auth = AppSyncJWTAuthentication(host=host(), jwt=oidc_token())
    await print_events(auth, ON_CREATE_POST, {"tag": tag}, count, timeout)


if __name__ == "__main__":
    parser = subscription_arguments(__doc__)
    parser.add_argument("--tag", help="only posts with this tag")
    args = parser.parse_args()
    run(main(args.tag, args.count, args.timeout))
