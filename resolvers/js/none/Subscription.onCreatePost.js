// Subscription resolver (NONE data source): only published posts, optionally one author's or one tag's.
import { util, extensions } from '@aws-appsync/utils';

import { normalizeTag } from '../lib/posts.js';

export function request() {
  return { payload: null };
}

export function response(ctx) {
  const filter = { status: { eq: 'PUBLISHED' } };
  if (ctx.args.authorId) {
    filter.authorId = { eq: ctx.args.authorId };
  }
  if (ctx.args.tag) {
    filter.tags = { contains: normalizeTag(ctx.args.tag) };
  }
  extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter(filter));
  return null;
}
