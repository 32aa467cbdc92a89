// AppSync doc: js-aws-appsync-resolver-reference-dynamodb-batch-delete-item (table names adapted).
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  const { authorId, postId } = ctx.args;
  return {
    operation: 'BatchDeleteItem',
    tables: {
      conformance_authors: [util.dynamodb.toMapValues({ authorId })],
      conformance_author_posts: [util.dynamodb.toMapValues({ authorId, postId })],
    },
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result;
}
