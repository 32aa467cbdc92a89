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
import WebSocket from 'ws';

// Node 20 has no global WebSocket (Node 22 has one); Amplify's realtime client expects the browser's.
globalThis.WebSocket ??= WebSocket;

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

function fail(message) {
  console.error(`error: ${message}`);
  process.exit(message.startsWith('usage') ? 2 : 1);
}

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
  const count = Number(values.count);
  const timeout = Number(values.timeout);
  if (!Number.isInteger(count) || count < 1) fail('usage: --count must be a whole number of at least 1');
  if (!(timeout > 0)) fail('usage: --timeout must be a number of seconds above 0');
  const endpoint = process.env.APPSYNC_URL;
  const token = process.env.APPSYNC_OIDC_TOKEN;
  if (!endpoint) fail("set APPSYNC_URL to the API's GraphQL URL, e.g. https://localhost:4443/graphql");
  if (!token) fail("set APPSYNC_OIDC_TOKEN to a token of the API's OIDC issuer (`make token USER=alice ISSUER=oidc`)");
  // The region is read from an AppSync URL; off AWS it only has to be a valid name.
  const region = process.env.AWS_REGION ?? endpoint.match(/appsync-api\.([a-z0-9-]+)\./)?.[1] ?? 'us-east-1';
  return { endpoint, token, region, tag: values.tag ?? null, count, timeout };
}

/** Amplify rejects with `{ data, errors }`: AppSync's own errors, or one wrapping an HTTP or network failure. */
function describe(err) {
  const failure = err?.errors?.map((e) => e.originalError).find(Boolean);
  if (!failure) {
    return err?.errors ? JSON.stringify({ errors: err.errors, data: err.data ?? null }) : String(err?.message ?? err);
  }
  const status = failure.$metadata?.httpStatusCode;
  if (status) return `${failure.name}: HTTP ${status}`;
  let cause = failure.underlyingError ?? failure;
  while (cause.cause) cause = cause.cause;
  return `${failure.message} (${cause.message ?? cause})`;
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

  let received = 0;
  let subscription;
  const finish = (code, message) => {
    clearTimeout(timer);
    subscription?.unsubscribe();
    if (message) console.error(message);
    process.exit(code);
  };
  const timer = setTimeout(
    () => finish(1, `error: timed out: ${received} of ${count} events within ${timeout} s`),
    timeout * 1000,
  );
  subscription = client.graphql({ query: ON_CREATE_POST, variables: { tag } }).subscribe({
    next: ({ data }) => {
      console.log(JSON.stringify(data));
      received += 1;
      if (received === count) finish(0);
    },
    error: (err) => finish(1, `error: ${describe(err)}`),
  });
}

main();
