// What the Amplify JS examples share: failing with a one-line message, reading AppSync's errors out of
// Amplify's rejections, the region of an endpoint, and a subscription that ends the process after N events.
import WebSocket from 'ws';

// Node 20 has no global WebSocket (Node 22 has one); Amplify's realtime client expects the browser's.
globalThis.WebSocket ??= WebSocket;

export function fail(message) {
  console.error(`error: ${message}`);
  process.exit(message.startsWith('usage') ? 2 : 1);
}

/** --count and --timeout, checked: a whole number of events of at least 1, and seconds above 0. */
export function countAndTimeout(values) {
  const count = Number(values.count);
  const timeout = Number(values.timeout);
  if (!Number.isInteger(count) || count < 1) fail('usage: --count must be a whole number of at least 1');
  if (!(timeout > 0)) fail('usage: --timeout must be a number of seconds above 0');
  return { count, timeout };
}

/** APPSYNC_URL, and the region: read from an AppSync URL (AWS_REGION wins); off AWS it only has to be valid. */
export function endpointAndRegion() {
  const endpoint = process.env.APPSYNC_URL;
  if (!endpoint) fail("set APPSYNC_URL to the API's GraphQL URL, e.g. https://localhost:4443/graphql");
  const region = process.env.AWS_REGION ?? endpoint.match(/appsync-api\.([a-z0-9-]+)\./)?.[1] ?? 'us-east-1';
  return { endpoint, region };
}

/** Amplify rejects with `{ data, errors }`: AppSync's own errors, or one wrapping an HTTP or network failure. */
export function describe(err) {
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

/** Print each event of `observable` as a JSON line; exit 0 after `count` of them, 1 on an error or timeout. */
export function printEvents(observable, { count, timeout, what = 'events' }) {
  let received = 0;
  let subscription;
  const finish = (code, message) => {
    clearTimeout(timer);
    subscription?.unsubscribe();
    if (message) console.error(message);
    process.exit(code);
  };
  const timer = setTimeout(
    () => finish(1, `error: timed out: ${received} of ${count} ${what} within ${timeout} s`),
    timeout * 1000,
  );
  subscription = observable.subscribe({
    next: ({ data }) => {
      console.log(JSON.stringify(data));
      received += 1;
      if (received === count) finish(0);
    },
    error: (err) => finish(1, `error: ${describe(err)}`),
  });
}
