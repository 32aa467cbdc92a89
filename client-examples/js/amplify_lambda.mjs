// Amplify JS v6 with a Lambda authorizer token (a partner's): one mutation (ingestEvents, as one of the
// partner's sources), then a subscription (onIngestionResult) that receives the partner's results only.
// Prints JSON lines: the mutation's data, then one line per result; exits after --count results or --timeout
// seconds.
//
//   APPSYNC_URL=https://localhost:4443/graphql APPSYNC_PARTNER_TOKEN=ptk_… \
//   NODE_EXTRA_CA_CERTS=.data/tls/ca.pem node amplify_lambda.mjs [--source acme-pos] [--events 1] \
//     [--results-of acme-web] [--count 1] [--timeout 60]
//
// The README lists the local demo partners' tokens. Against AWS: APPSYNC_URL=https://<id>.appsync-api.<region>
// .amazonaws.com/graphql, AWS_REGION=<region>, and no NODE_EXTRA_CA_CERTS.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';

import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { countAndTimeout, describe, endpointAndRegion, fail, printEvents } from './common.mjs';

const INGEST = /* GraphQL */ `
  mutation Ingest($events: [IngestEventInput!]!) {
    ingestEvents(events: $events) {
      acceptedCount failedCount events { eventId sequenceNumber errorCode errorMessage }
    }
  }
`;

// Without a source, every result of the partner's own sources (the authorizer's resolverContext says which).
const ON_INGESTION_RESULT = /* GraphQL */ `
  subscription OnIngestionResult($source: String) {
    onIngestionResult(source: $source) { source batchId recordCount status publishedAt }
  }
`;

function settings() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        source: { type: 'string', default: 'acme-pos' },
        events: { type: 'string', default: '1' },
        'results-of': { type: 'string' },
        count: { type: 'string', default: '1' },
        timeout: { type: 'string', default: '60' },
      },
    }));
  } catch (err) {
    fail(
      'usage: node amplify_lambda.mjs [--source SOURCE] [--events N] [--results-of SOURCE] [--count N] ' +
        `[--timeout SECONDS] (${err.message})`,
    );
  }
  const events = Number(values.events);
  const { count, timeout } = countAndTimeout(values);
  if (!Number.isInteger(events) || events < 1 || events > 500) fail('usage: --events must be 1 to 500');
  const { endpoint, region } = endpointAndRegion();
  const token = process.env.APPSYNC_PARTNER_TOKEN;
  if (!token) fail("set APPSYNC_PARTNER_TOKEN to a partner's token (the README lists the local demo partners')");
  return {
    endpoint,
    token,
    region,
    source: values.source,
    events,
    resultsOf: values['results-of'] ?? null,
    count,
    timeout,
  };
}

function newEvents(source, howMany) {
  const occurredAt = new Date().toISOString();
  return Array.from({ length: howMany }, (_, index) => ({
    eventId: `${source}-${randomUUID()}`,
    source,
    type: 'sale',
    occurredAt,
    payload: JSON.stringify({ amount: index + 1 }), // AWSJSON travels as a string
  }));
}

async function main() {
  const { endpoint, token, region, source, events, resultsOf, count, timeout } = settings();
  Amplify.configure({ API: { GraphQL: { endpoint, region, defaultAuthMode: 'lambda' } } });
  const client = generateClient();
  // The token travels as is (`Authorization`): the authorizer, not the client, knows what it means.
  const auth = { authMode: 'lambda', authToken: token };

  try {
    const { data } = await client.graphql({ query: INGEST, variables: { events: newEvents(source, events) }, ...auth });
    console.log(JSON.stringify(data));
  } catch (err) {
    fail(describe(err));
  }

  const variables = resultsOf ? { source: resultsOf } : {};
  printEvents(client.graphql({ query: ON_INGESTION_RESULT, variables, ...auth }), { count, timeout, what: 'results' });
}

main();
