// AppSync doc: js-aws-appsync-resolver-reference-dynamodb-batch-put-item (table names adapted).
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  const { authorId, postId, name, title } = ctx.args;
  return {
    operation: 'BatchPutItem',
    tables: {
      conformance_authors: [util.dynamodb.toMapValues({ authorId, name })],
      conformance_author_posts: [util.dynamodb.toMapValues({ authorId, postId, title })],
    },
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result;
}
