// Unit resolver on the Media table: one page of the catalog, newest first, from the byStatusCreatedAt index.
// READY items for everyone; admins may ask for the PENDING_UPLOAD or FAILED ones.
import { util } from '@aws-appsync/utils';

import { isAdmin, shownMedia } from '../lib/media.js';
import { dataSourceResult, pageOf } from '../lib/results.js';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

export function request(ctx) {
  const status = ctx.args.status ?? 'READY';
  if (status !== 'READY' && !isAdmin(ctx)) {
    util.unauthorized();
  }
  const request = {
    operation: 'Query',
    index: 'byStatusCreatedAt',
    query: {
      expression: '#status = :status',
      expressionNames: { '#status': 'status' },
      expressionValues: util.dynamodb.toMapValues({ ':status': status }),
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
  return pageOf(
    result.items.map((item) => shownMedia(ctx, item)),
    result.nextToken,
  );
}
