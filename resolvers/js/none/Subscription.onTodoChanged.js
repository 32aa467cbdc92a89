// Subscription resolver (NONE data source): a todo reaches only its owner. The filter is built from the
// caller's verified identity, never from an argument a client could choose.
import { util, extensions } from '@aws-appsync/utils';

export function request() {
  return { payload: null };
}

export function response(ctx) {
  extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter({ ownerId: { eq: ctx.identity.sub } }));
  return null;
}
