// AppSync function on the Posts table: publishes the caller's own post (a condition of the write).
// publishedAt keeps the first publication's time when a post is published again.
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  return {
    operation: 'UpdateItem',
    key: util.dynamodb.toMapValues({ id: ctx.args.id }),
    update: {
      expression: 'SET #status = :published, #updatedAt = :now, #publishedAt = if_not_exists(#publishedAt, :now)',
      expressionNames: { '#status': 'status', '#updatedAt': 'updatedAt', '#publishedAt': 'publishedAt' },
      expressionValues: util.dynamodb.toMapValues({ ':published': 'PUBLISHED', ':now': util.time.nowISO8601() }),
    },
    condition: {
      expression: '#authorId = :caller',
      expressionNames: { '#authorId': 'authorId' },
      expressionValues: util.dynamodb.toMapValues({ ':caller': ctx.identity.sub }),
    },
  };
}

export function response(ctx) {
  if (ctx.error) {
    if (ctx.error.type === 'DynamoDB:ConditionalCheckFailedException') {
      util.error(`Post '${ctx.args.id}' not found`, 'NotFoundError');
    }
    util.error(ctx.error.message, ctx.error.type);
  }
  if (!ctx.result) {
    // AppSync may count a failed condition as success when the item is already in the state the write wanted
    // (for a delete: absent); with no item to return, that is still "not found" to the caller.
    util.error(`Post '${ctx.args.id}' not found`, 'NotFoundError');
  }
  return { items: [ctx.result], nextToken: null };
}
