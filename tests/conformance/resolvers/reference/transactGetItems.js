// AppSync doc: js-aws-appsync-resolver-reference-dynamodb-transact-get-items (table names adapted).
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  const { authorId, postId } = ctx.args;
  return {
    operation: 'TransactGetItems',
    transactItems: [
      {
        table: 'conformance_posts',
        key: util.dynamodb.toMapValues({ postId }),
      },
      {
        table: 'conformance_authors',
        key: util.dynamodb.toMapValues({ authorId }),
      },
    ],
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result;
}
