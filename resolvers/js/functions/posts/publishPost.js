// AppSync function on the Posts table: publishes the caller's own post (a condition of the write).
// publishedAt keeps the first publication's time when a post is published again.
import { util } from '@aws-appsync/utils';

import { authoredByCaller, ownPostWritten } from '../../lib/ownership.js';

export function request(ctx) {
  return {
    operation: 'UpdateItem',
    key: util.dynamodb.toMapValues({ id: ctx.args.id }),
    update: {
      expression: 'SET #status = :published, #updatedAt = :now, #publishedAt = if_not_exists(#publishedAt, :now)',
      expressionNames: { '#status': 'status', '#updatedAt': 'updatedAt', '#publishedAt': 'publishedAt' },
      expressionValues: util.dynamodb.toMapValues({ ':published': 'PUBLISHED', ':now': util.time.nowISO8601() }),
    },
    condition: authoredByCaller(ctx),
  };
}

export function response(ctx) {
  return ownPostWritten(ctx, ctx.args.id);
}
