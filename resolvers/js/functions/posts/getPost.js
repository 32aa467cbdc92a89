// AppSync function on the Posts table: reads one post as a page of at most one post.
// A draft counts as missing unless the caller is its author, so nobody learns that someone else's draft exists.
import { util } from '@aws-appsync/utils';

import { callerAuthorId } from '../../lib/posts.js';
import { dataSourceResult, pageOf } from '../../lib/results.js';

export function request(ctx) {
  return {
    operation: 'GetItem',
    key: util.dynamodb.toMapValues({ id: ctx.args.id }),
    consistentRead: true,
  };
}

export function response(ctx) {
  const post = dataSourceResult(ctx);
  const visible = !!post && (post.status === 'PUBLISHED' || post.authorId === callerAuthorId(ctx));
  return pageOf(visible ? [post] : []);
}
