// Subscription resolver (NONE data source): edits of published posts only (a draft's edits never leak).
import { util, extensions } from '@aws-appsync/utils';

export function request() {
  return { payload: null };
}

export function response(ctx) {
  const filter = { status: { eq: 'PUBLISHED' } };
  if (ctx.args.id) {
    filter.id = { eq: ctx.args.id };
  }
  if (ctx.args.authorId) {
    filter.authorId = { eq: ctx.args.authorId };
  }
  extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter(filter));
  return null;
}
