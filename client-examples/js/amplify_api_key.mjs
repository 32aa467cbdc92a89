// Amplify JS v6 with the API key: one query (listPosts and the media catalog, listMedia), then a subscription
// (onCreatePost).
// Prints JSON lines: the query's data, then one line per event; exits after --count events or --timeout seconds.
//
//   APPSYNC_URL=https://localhost:4443/graphql APPSYNC_API_KEY=da2-… \
//   NODE_EXTRA_CA_CERTS=.data/tls/ca.pem node amplify_api_key.mjs [--tag python] [--count 1] [--timeout 60]
//
// Against AWS: APPSYNC_URL=https://<id>.appsync-api.<region>.amazonaws.com/graphql, AWS_REGION=<region>, and
// no NODE_EXTRA_CA_CERTS. Amplify derives the realtime URL itself (wss://, /graphql/realtime off AWS).
import { parseArgs } from 'node:util';

import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { countAndTimeout, describe, endpointAndRegion, fail, printEvents } from './common.mjs';

// What a public page shows: the newest posts and the media catalog (which never holds a playable URL: those
// come from mediaPlaybackUrl, for signed-in users).
const PUBLIC_PAGE = /* GraphQL */ `
  query PublicPage($limit: Int) {
    listPosts(limit: $limit) { items { id title tags publishedAt } nextToken }
    listMedia(limit: $limit) { items { id title premium durationSeconds thumbnailUrl } nextToken }
  }
`;

// Subscribers receive only what the publishing mutation (createPost/publishPost) selected.
const ON_CREATE_POST = /* GraphQL */ `
  subscription OnCreatePost($tag: String) {
    onCreatePost(tag: $tag) { id title authorId tags status }
  }
`;

function settings() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        tag: { type: 'string' },
        count: { type: 'string', default: '1' },
        timeout: { type: 'string', default: '60' },
      },
    }));
  } catch (err) {
    fail(`usage: node amplify_api_key.mjs [--tag TAG] [--count N] [--timeout SECONDS] (${err.message})`);
  }
  const { count, timeout } = countAndTimeout(values);
  const { endpoint, region } = endpointAndRegion();
  const apiKey = process.env.APPSYNC_API_KEY;
  if (!apiKey) fail('set APPSYNC_API_KEY to the API key (`make api-key` prints the local one)');
  return { endpoint, apiKey, region, tag: values.tag ?? null, count, timeout };
}

async function main() {
  const { endpoint, apiKey, region, tag, count, timeout } = settings();
  Amplify.configure({ API: { GraphQL: { endpoint, region, defaultAuthMode: 'apiKey', apiKey } } });
  const client = generateClient();

  try {
    const { data } = await client.graphql({ query: PUBLIC_PAGE, variables: { limit: 5 } });
    console.log(JSON.stringify(data));
  } catch (err) {
    fail(describe(err));
  }

  printEvents(client.graphql({ query: ON_CREATE_POST, variables: { tag } }), { count, timeout, what: 'events' });
}

main();
