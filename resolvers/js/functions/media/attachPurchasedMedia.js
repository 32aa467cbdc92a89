// AppSync function on the Media table: sets `media` on every purchase of the previous function's page with ONE
// BatchGetItem of the page's items (Purchase.media has no resolver of its own: no call per purchase).
import { util, runtime } from '@aws-appsync/utils';

import { shownMedia } from '../../lib/media.js';
import { dataSourceResult, pageOf } from '../../lib/results.js';

export function request(ctx) {
  const mediaIds = [];
  for (const purchase of ctx.prev.result.items) {
    if (!mediaIds.includes(purchase.mediaId)) {
      mediaIds.push(purchase.mediaId);
    }
  }
  if (mediaIds.length === 0) {
    // DynamoDB refuses a BatchGetItem without keys; an empty page needs no media.
    runtime.earlyReturn(ctx.prev.result);
  }
  // BatchGetItem names tables, not data sources: the API's environment holds the Media table's name.
  const tables = {};
  tables[ctx.env.MEDIA_TABLE] = { keys: mediaIds.map((id) => util.dynamodb.toMapValues({ id })), consistentRead: false };
  return { operation: 'BatchGetItem', tables };
}

export function response(ctx) {
  const result = dataSourceResult(ctx);
  const found = {};
  for (const item of result.data[ctx.env.MEDIA_TABLE] ?? []) {
    if (item) {
      found[item.id] = shownMedia(ctx, item);
    }
  }
  // A bought item that left the catalog (or that DynamoDB left in unprocessedKeys) shows no media.
  const page = ctx.prev.result;
  return pageOf(
    page.items.map((purchase) => ({
      mediaId: purchase.mediaId,
      purchasedAt: purchase.purchasedAt,
      media: found[purchase.mediaId] ?? null,
    })),
    page.nextToken,
  );
}
