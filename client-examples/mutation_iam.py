"""publishIngestionResult signed with IAM (SigV4): only IAM principals, i.e. the pipeline, may call it.

Every onIngestionResult subscriber (of that source, or of all) receives the result; nothing is stored.

From the repository root, with `make run` serving:

    export APPSYNC_URL=http://127.0.0.1:4000/graphql
    export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=…   # `.venv/bin/python -m appsync_local iam-credentials`
    .venv/bin/python client-examples/mutation_iam.py --source sensors --record-count 3 [--status PARTIAL]
"""

from __future__ import annotations

import json
import uuid

from _env import arguments, graphql_url, host, print_json, region, run
from gql import Client, GraphQLRequest
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.appsync_auth import AppSyncIAMAuthentication

PUBLISH = """
mutation Publish($input: IngestionResultInput!) {
  publishIngestionResult(input: $input) { source batchId recordCount status summary publishedAt }
}
"""


async def main(source: str, batch_id: str, record_count: int, status: str) -> None:
    auth = AppSyncIAMAuthentication(host=host(), region_name=region())
    transport = AIOHTTPTransport(url=graphql_url(), auth=auth)
    async with Client(transport=transport) as session:
        result_input = {
            "source": source,
            "batchId": batch_id,
            "recordCount": record_count,
            "status": status,
            "summary": json.dumps({"records": record_count}),  # AWSJSON travels as a string
        }
        print_json(await session.execute(GraphQLRequest(PUBLISH, variable_values={"input": result_input})))


if __name__ == "__main__":
    parser = arguments(__doc__)
    parser.add_argument("--source", default="sensors")
    parser.add_argument("--batch-id", default=f"batch-{uuid.uuid4().hex[:8]}")
    parser.add_argument("--record-count", type=int, default=0)
    parser.add_argument("--status", choices=("SUCCEEDED", "PARTIAL", "FAILED"), default="SUCCEEDED")
    args = parser.parse_args()
    run(main(args.source, args.batch_id, args.record_count, args.status))
