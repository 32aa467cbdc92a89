// Unit resolver on the Media table: one catalog item. An item that is not READY reads as missing to all but
// admins, so the public catalog shows only what plays.
import { util } from '@aws-appsync/utils';

import { shownMedia, visibleTo } from '../lib/media.js';
import { dataSourceResult } from '../lib/results.js';

export function request(ctx) {
  return { operation: 'GetItem', key: util.dynamodb.toMapValues({ id: ctx.args.id }) };
}

export function response(ctx) {
  const item = dataSourceResult(ctx);
  return visibleTo(ctx, item) ? shownMedia(ctx, item) : null;
}
