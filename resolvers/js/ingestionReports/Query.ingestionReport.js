// Unit resolver on the IngestionReports table: one report by id, or null.
import { util } from '@aws-appsync/utils';

import { dataSourceResult } from '../lib/results.js';

export function request(ctx) {
  return { operation: 'GetItem', key: util.dynamodb.toMapValues({ id: ctx.args.id }) };
}

export function response(ctx) {
  return dataSourceResult(ctx) ?? null;
}
