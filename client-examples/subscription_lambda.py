"""onIngestionResult as a partner: the realtime connection and the subscription carry the partner token.

The partner receives the results of its own sources only (the subscription resolver reads them from the
authorizer's resolverContext); a token without the `results` scope is refused with Unauthorized.

From the repository root, with `make run` serving:

    export APPSYNC_URL=http://127.0.0.1:4000/graphql
    export APPSYNC_PARTNER_TOKEN=ptk_…          # the README lists the local demo partners' tokens
    .venv/bin/python client-examples/subscription_lambda.py [--count 1] [--timeout 60]
"""

from __future__ import annotations

from _env import host, partner_token, print_events, run, subscription_arguments
from gql.transport.appsync_auth import AppSyncJWTAuthentication

ON_INGESTION_RESULT = """
subscription OnIngestionResult {
  onIngestionResult { source batchId recordCount status publishedAt }
}
"""


async def main(count: int, timeout: float) -> None:
    # gql's "JWT" authentication sends {host, Authorization}: the header object every token mode uses.
    auth = AppSyncJWTAuthentication(host=host(), jwt=partner_token())
    await print_events(auth, ON_INGESTION_RESULT, None, count, timeout)


if __name__ == "__main__":
    args = subscription_arguments(__doc__).parse_args()
    run(main(args.count, args.timeout))
