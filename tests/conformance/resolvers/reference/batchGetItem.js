// AppSync doc: js-aws-appsync-resolver-reference-dynamodb-batch-get-item (the page's example request handler;
// table names adapted to this suite's tables).
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  const { authorId, postId } = ctx.args;
  return {
    operation: 'BatchGetItem',
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
