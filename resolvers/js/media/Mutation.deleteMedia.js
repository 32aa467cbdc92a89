// Unit resolver on the Media table: removes an item from the catalog and returns it. Nothing signs URLs for
// its files any more (mediaPlaybackUrl reads the item first); its purchases stay, showing no media.
import { util } from '@aws-appsync/utils';

import { existingMediaWritten, itemExists, shownMedia } from '../lib/media.js';

export function request(ctx) {
  return {
    operation: 'DeleteItem',
    key: util.dynamodb.toMapValues({ id: ctx.args.id }),
    condition: itemExists,
  };
}

export function response(ctx) {
  return shownMedia(ctx, existingMediaWritten(ctx, ctx.args.id));
}
