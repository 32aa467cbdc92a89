// AppSync doc: js-aws-appsync-resolver-reference-dynamodb-typed-values-request: the typed values of the page's
// examples arrive as the `attributeValues` argument and are written as they are.
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  return {
    operation: 'PutItem',
    key: util.dynamodb.toMapValues({ id: ctx.args.id }),
    attributeValues: ctx.args.attributeValues,
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result;
}
