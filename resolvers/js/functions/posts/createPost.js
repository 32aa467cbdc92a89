// AppSync function on the Posts table: writes a new DRAFT post by the caller.
import { util } from '@aws-appsync/utils';

import { validatePostInput } from '../../lib/posts.js';
import { dataSourceResult, pageOf } from '../../lib/results.js';

export function request(ctx) {
  const { photoUrl, ...fields } = validatePostInput(ctx.args.input, ['title', 'body', 'tags']);
  const now = util.time.nowISO8601();
  const post = { ...fields, authorId: ctx.identity.sub, status: 'DRAFT', createdAt: now, updatedAt: now };
  if (photoUrl != null) {
    post.photoUrl = photoUrl;
  }
  return {
    operation: 'PutItem',
    key: util.dynamodb.toMapValues({ id: util.autoId() }),
    attributeValues: util.dynamodb.toMapValues(post),
    condition: { expression: 'attribute_not_exists(#id)', expressionNames: { '#id': 'id' } },
  };
}

export function response(ctx) {
  return pageOf([dataSourceResult(ctx)]);
}
