// AppSync doc: js-aws-appsync-resolver-reference-dynamodb-scan#Example 1 (verbatim request handler).
export function request(ctx) {
  return { operation: 'Scan' };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result;
}
