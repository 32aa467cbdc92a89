// Amplify JS v6 with an OpenID Connect token (a partner app's user): one query (listPosts), then a subscription
// (onCreatePost). Amplify sends an OIDC token from its token provider (`authMode: 'oidc'`): an app signed in
// with its own provider hands Amplify that provider's token, as this one does with APPSYNC_OIDC_TOKEN.
// Prints JSON lines: the query's data, then one line per event; exits after --count events or --timeout seconds.
//
//   APPSYNC_URL=https://localhost:4443/graphql APPSYNC_OIDC_TOKEN="$(make -s token USER=alice ISSUER=oidc)" \
//   NODE_EXTRA_CA_CERTS=.data/tls/ca.pem node amplify_oidc.mjs [--tag python] [--count 1] [--timeout 60]
//
// Against AWS: APPSYNC_URL=https://<id>.appsync-api.<region>.amazonaws.com/graphql, AWS_REGION=<region>, and
// no NODE_EXTRA_CA_CERTS. Amplify derives the realtime URL itself (wss://, /graphql/realtime off AWS).
import { parseArgs } from 'node:util';

import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { decodeJWT } from 'aws-amplify/auth';
import { countAndTimeout, describe, endpointAndRegion, fail, printEvents } from './common.mjs';

// What a partner's app shows: the newest posts (@aws_oidc on the blog's public reads).
const PUBLIC_PAGE = /* GraphQL */ `
  query PublicPage($limit: Int) {
    listPosts(limit: $limit) { items { id title tags publishedAt } nextToken }
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
    fail(`usage: node amplify_oidc.mjs [--tag TAG] [--count N] [--timeout SECONDS] (${err.message})`);
  }
  const { count, timeout } = countAndTimeout(values);
  const { endpoint, region } = endpointAndRegion();
  const token = process.env.APPSYNC_OIDC_TOKEN;
  if (!token) fail("set APPSYNC_OIDC_TOKEN to a token of the API's OIDC issuer (`make token USER=alice ISSUER=oidc`)");
  return { endpoint, token, region, tag: values.tag ?? null, count, timeout };
}

async function main() {
  const { endpoint, token, region, tag, count, timeout } = settings();
  // Amplify's 'oidc' mode sends the token provider's access token as `Authorization` (HTTP and realtime).
  const tokenProvider = { getTokens: async () => ({ accessToken: decodeJWT(token) }) };
  Amplify.configure(
    { API: { GraphQL: { endpoint, region, defaultAuthMode: 'oidc' } } },
    { Auth: { tokenProvider } },
  );
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
