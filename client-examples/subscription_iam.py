"""onIngestionResult signed with IAM (SigV4): the pipeline's results as they are published.

From the repository root, with `make run` serving:

    export APPSYNC_URL=http://127.0.0.1:4000/graphql
    export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=…   # `.venv/bin/python -m appsync_local iam-credentials`
    .venv/bin/python client-examples/subscription_iam.py [--source sensors] [--count 1] [--timeout 60]
"""

from __future__ import annotations

from _env import host, print_events, region, run, subscription_arguments
from gql.transport.appsync_auth import AppSyncIAMAuthentication

ON_INGESTION_RESULT = """
subscription OnIngestionResult($source: String) {
  onIngestionResult(source: $source) { source batchId recordCount status summary publishedAt }
}
"""


async def main(source: str | None, count: int, timeout: float) -> None:
    # The connection and every subscription are signed with credentials from the standard AWS chain.
    auth = AppSyncIAMAuthentication(host=host(), region_name=region())
    await print_events(auth, ON_INGESTION_RESULT, {"source": source}, count, timeout)


if __name__ == "__main__":
    parser = subscription_arguments(__doc__)
    parser.add_argument("--source", help="only results from this source")
    args = parser.parse_args()
    run(main(args.source, args.count, args.timeout))
