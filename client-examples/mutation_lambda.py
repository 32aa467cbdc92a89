"""ingestEvents as a partner: a partner token in `Authorization`, checked by the API's Lambda authorizer.

A partner sends events as its own sources only (acme: acme-pos, acme-web); events of other sources come back
as InvalidEvent, the others with their Kinesis sequence numbers.

From the repository root, with `make run` serving:

    export APPSYNC_URL=http://127.0.0.1:4000/graphql
    export APPSYNC_PARTNER_TOKEN=ptk_…          # the README lists the local demo partners' tokens
    .venv/bin/python client-examples/mutation_lambda.py --source acme-pos --events 3
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from _env import arguments, graphql_url, partner_token, print_json, run
from gql import Client, GraphQLRequest
from gql.transport.aiohttp import AIOHTTPTransport

INGEST = """
mutation Ingest($events: [IngestEventInput!]!) {
  ingestEvents(events: $events) {
    acceptedCount failedCount events { eventId sequenceNumber errorCode errorMessage }
  }
}
"""


async def main(source: str, count: int) -> None:
    # The token travels as is: the authorizer, not the client, knows what it means.
    transport = AIOHTTPTransport(url=graphql_url(), headers={"Authorization": partner_token()})
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    events = [
        {
            "eventId": f"{source}-{uuid.uuid4()}",
            "source": source,
            "type": "sale",
            "occurredAt": now,
            "payload": json.dumps({"amount": index + 1}),  # AWSJSON travels as a string
        }
        for index in range(count)
    ]
    async with Client(transport=transport) as session:
        print_json(await session.execute(GraphQLRequest(INGEST, variable_values={"events": events})))


if __name__ == "__main__":
    parser = arguments(__doc__)
    parser.add_argument("--source", default="acme-pos", help="the event source (one of the partner's)")
    parser.add_argument("--events", type=int, default=1, help="how many events to send (1-500)")
    args = parser.parse_args()
    run(main(args.source, args.events))
