// Writes on a post by its author only. Ownership is a condition of the write itself (`authorId = :caller`),
// never a read before it, and a failed condition reads as "not found": missing and someone else's look the
// same, so the caller learns nothing about other authors' posts.
import { util } from '@aws-appsync/utils';

import { pageOf } from './results.js';

// The condition to put on a write so it only changes the caller's own post.
export function authoredByCaller(ctx) {
  return {
    expression: '#authorId = :caller',
    expressionNames: { '#authorId': 'authorId' },
    expressionValues: util.dynamodb.toMapValues({ ':caller': ctx.identity.sub }),
  };
}

// The result of a write made with authoredByCaller on post `id`, as a page of that one post.
export function ownPostWritten(ctx, id) {
  if (ctx.error) {
    if (ctx.error.type === 'DynamoDB:ConditionalCheckFailedException') {
      util.error(`Post '${id}' not found`, 'NotFoundError');
    }
    util.error(ctx.error.message, ctx.error.type);
  }
  if (!ctx.result) {
    // AppSync may count a failed condition as success when the item is already in the state the write wanted
    // (for a delete: absent); with no item to return, that is still "not found" to the caller.
    util.error(`Post '${id}' not found`, 'NotFoundError');
  }
  return pageOf([ctx.result]);
}
