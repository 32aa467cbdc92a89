"""onCreatePost with the API key: posts as they are published, one JSON line per event.

From the repository root, with `make run` serving:

    export APPSYNC_URL=http://127.0.0.1:4000/graphql
    export APPSYNC_API_KEY=$(.venv/bin/python -m appsync_local api-key)
    .venv/bin/python client-examples/subscription_api_key.py [--tag python] [--count 1] [--timeout 60]
"""

from __future__ import annotations

from _env import api_key, host, print_events, run, subscription_arguments
from gql.transport.appsync_auth import AppSyncApiKeyAuthentication

# Subscribers receive only what the publishing mutation (createPost/publishPost) selected.
ON_CREATE_POST = """
subscription OnCreatePost($tag: String) {
  onCreatePost(tag: $tag) { id title authorId tags status }
}
"""


async def main(tag: str | None, count: int, timeout: float) -> None:
    auth = AppSyncApiKeyAuthentication(host=host(), api_key=api_key())
    await print_events(auth, ON_CREATE_POST, {"tag": tag}, count, timeout)


if __name__ == "__main__":
    parser = subscription_arguments(__doc__)
    parser.add_argument("--tag", help="only posts with this tag")
    args = parser.parse_args()
    run(main(args.tag, args.count, args.timeout))
