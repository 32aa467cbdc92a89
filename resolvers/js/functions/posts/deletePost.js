// AppSync function on the Posts table: deletes the caller's own post (a condition of the write) and returns it.
import { util } from '@aws-appsync/utils';

import { authoredByCaller, ownPostWritten } from '../../lib/ownership.js';

export function request(ctx) {
  return {
    operation: 'DeleteItem',
    key: util.dynamodb.toMapValues({ id: ctx.args.id }),
    condition: authoredByCaller(ctx),
  };
}

export function response(ctx) {
  return ownPostWritten(ctx, ctx.args.id);
}
