// AppSync doc: js-aws-appsync-resolver-reference-dynamodb-condition-expressions#Following the "reject" strategy.
// Request: the page's PutItem on `version = :expectedVersion` (without equalsIgnore, so the condition is rejected).
// Response: the page's handler; it tests an undefined `error`, read here as ctx.error (the only change).
import { util } from '@aws-appsync/utils';
export function request(ctx) {
  const { id, name, expectedVersion } = ctx.args;
  return {
    operation: 'PutItem',
    key: util.dynamodb.toMapValues({ id }),
    attributeValues: util.dynamodb.toMapValues({ name, version: expectedVersion + 1 }),
    condition: {
      expression: "version = :expectedVersion",
      expressionValues: util.dynamodb.toMapValues({ ':expectedVersion': expectedVersion }),
    },
  };
}

export function response(ctx) {
  const { version, ...values } = ctx.result;
  const result = { ...values, theVersion: version };
  if (ctx.error) {
    const error = ctx.error;
    if (error) {
      return util.appendError(error.message, error.type, result, null);
    }
  }
  return result
}
