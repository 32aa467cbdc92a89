// Unit resolver on the IngestionReports table: one page of reports, newest first. With a source, that
// source's reports of the kind asked (byKindSourceCreatedAt: kind#source); without, every source's (byKindCreatedAt).
import { util } from '@aws-appsync/utils';

import { dataSourceResult, pageOf } from '../lib/results.js';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

export function request(ctx) {
  const kind = ctx.args.kind ?? 'BATCH';
  const source = ctx.args.source;
  const query = source
    ? {
        index: 'byKindSourceCreatedAt',
        expression: '#kindSource = :kindSource',
        expressionNames: { '#kindSource': 'kindSource' },
        expressionValues: util.dynamodb.toMapValues({ ':kindSource': `${kind}#${source}` }),
      }
    : {
        index: 'byKindCreatedAt',
        expression: '#kind = :kind',
        expressionNames: { '#kind': 'kind' },
        expressionValues: util.dynamodb.toMapValues({ ':kind': kind }),
      };
  const request = {
    operation: 'Query',
    index: query.index,
    query: {
      expression: query.expression,
      expressionNames: query.expressionNames,
      expressionValues: query.expressionValues,
    },
    limit: Math.min(Math.max(ctx.args.limit ?? DEFAULT_LIMIT, 1), MAX_LIMIT),
    scanIndexForward: false,
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
