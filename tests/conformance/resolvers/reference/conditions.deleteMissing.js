// AppSync doc: js-aws-appsync-resolver-reference-dynamodb-condition-expressions#Checking for the desired result
// (DeleteItem: when no item comes back after a failed condition, the delete is a success).
import { util } from '@aws-appsync/utils';
export function request(ctx) {
  return {
    operation: 'DeleteItem',
    key: util.dynamodb.toMapValues({ id: ctx.args.id }),
    condition: { expression: 'attribute_exists(id)' },
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result;
}
