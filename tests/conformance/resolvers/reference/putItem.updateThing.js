// AppSync doc: js-aws-appsync-resolver-reference-dynamodb-putitem#Example 1, and
// js-aws-appsync-resolver-reference-dynamodb-condition-expressions#Example 1 (the same code).
import { util } from '@aws-appsync/utils';
export function request(ctx) {
  const { foo, bar, ...values} = ctx.args
  return {
    operation: 'PutItem',
    key: util.dynamodb.toMapValues({foo, bar}),
    attributeValues: util.dynamodb.toMapValues(values),
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result;
}
