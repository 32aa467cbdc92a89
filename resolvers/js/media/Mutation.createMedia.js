// Unit resolver on the Media table: a new catalog item, PENDING_UPLOAD until its file arrives
// (createMediaUploadUrl, then the media-uploads function). Admins only (the schema's directive).
import { util } from '@aws-appsync/utils';

import { validateMediaInput } from '../lib/media.js';
import { dataSourceResult } from '../lib/results.js';

export function request(ctx) {
  const fields = validateMediaInput(ctx.args.input, ['title', 'premium']);
  const now = util.time.nowISO8601();
  const item = { status: 'PENDING_UPLOAD', createdAt: now, updatedAt: now };
  for (const [field, value] of Object.entries(fields)) {
    if (value != null) {
      item[field] = value;
    }
  }
  return {
    operation: 'PutItem',
    key: util.dynamodb.toMapValues({ id: util.autoId() }),
    attributeValues: util.dynamodb.toMapValues(item),
    condition: { expression: 'attribute_not_exists(#id)', expressionNames: { '#id': 'id' } },
  };
}

export function response(ctx) {
  return dataSourceResult(ctx);
}
