// Unit resolver on the Media table: changes the details an admin sent, on an existing item only. Its file,
// status and poster are the upload pipeline's to change.
import { util } from '@aws-appsync/utils';

import { existingMediaWritten, itemExists, shownMedia, validateMediaInput } from '../lib/media.js';

export function request(ctx) {
  const input = ctx.args.input;
  const changes = validateMediaInput(input, []);
  const sets = ['#updatedAt = :updatedAt'];
  const removes = [];
  const names = { '#updatedAt': 'updatedAt' };
  const values = { ':updatedAt': util.time.nowISO8601() };
  for (const [field, value] of Object.entries(changes)) {
    names[`#${field}`] = field;
    if (value == null) {
      removes.push(`#${field}`);
    } else {
      sets.push(`#${field} = :${field}`);
      values[`:${field}`] = value;
    }
  }
  const removal = removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : '';
  return {
    operation: 'UpdateItem',
    key: util.dynamodb.toMapValues({ id: input.id }),
    update: {
      expression: `SET ${sets.join(', ')}${removal}`,
      expressionNames: names,
      expressionValues: util.dynamodb.toMapValues(values),
    },
    condition: itemExists,
  };
}

export function response(ctx) {
  return shownMedia(ctx, existingMediaWritten(ctx, ctx.args.input.id));
}
