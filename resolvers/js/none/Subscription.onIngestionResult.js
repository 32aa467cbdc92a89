// Subscription resolver (NONE data source): a partner (Lambda authorizer) receives the results of its own
// sources only, read from the authorizer's resolverContext; other callers receive every source's.
import { util, extensions } from '@aws-appsync/utils';

// AppSync's limit of values for the `in` operator.
const MAX_IN_VALUES = 5;

export function request() {
  return { payload: null };
}

export function response(ctx) {
  if (util.authType() === 'Lambda Authorization') {
    const sources = `${ctx.identity.resolverContext.sources ?? ''}`.split(',').filter((s) => s !== '');
    if (sources.length === 0 || sources.length > MAX_IN_VALUES) {
      util.unauthorized();
    }
    extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter({ source: { in: sources } }));
  }
  return null;
}
