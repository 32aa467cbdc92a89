// AppSync doc: js-aws-appsync-resolver-reference-dynamodb-batch-get-item, the example written with the request
// structure the same page declares (tables: { [tableName]: { keys: [...] } }).
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  const { authorId, postId } = ctx.args;
  return {
    operation: 'BatchGetItem',
    tables: {
      conformance_authors: { keys: [util.dynamodb.toMapValues({ authorId })] },
      conformance_author_posts: { keys: [util.dynamodb.toMapValues({ authorId, postId })] },
    },
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result;
}
