// AppSync function on the Purchases table: one page of the user's purchases (in media id order).
import { util } from '@aws-appsync/utils';

import { dataSourceResult, pageOf } from '../../lib/results.js';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

export function request(ctx) {
  const request = {
    operation: 'Query',
    query: {
      expression: '#userId = :userId',
      expressionNames: { '#userId': 'userId' },
      expressionValues: util.dynamodb.toMapValues({ ':userId': ctx.source.id }),
    },
    limit: Math.min(Math.max(ctx.args.limit ?? DEFAULT_LIMIT, 1), MAX_LIMIT),
  };
  if (ctx.args.nextToken) {
    request.nextToken = ctx.args.nextToken;
  }
  return request;
}

export function response(ctx) {
  const result = dataSourceResult(ctx);
  return pageOf(result.items, result.nextToken);
}
