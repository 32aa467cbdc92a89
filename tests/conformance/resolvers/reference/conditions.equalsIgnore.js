// AppSync doc: js-aws-appsync-resolver-reference-dynamodb-condition-expressions#Checking for the desired result.
// The doc's key reads {foo, bar}, variables its handler never defines; the item's key there is `id`, used here.
import { util } from '@aws-appsync/utils';
export function request(ctx) {
    const { id, name, version} = ctx.args
    return {
      operation: 'PutItem',
      key: util.dynamodb.toMapValues({ id }),
      attributeValues: util.dynamodb.toMapValues({ name, version: version+1 }),
      condition: {
        expression: "version = :expectedVersion",
        expressionValues: util.dynamodb.toMapValues({':expectedVersion': version}),
        equalsIgnore: ['version']
      }
    };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result;
}
