// AppSync doc: js-aws-appsync-resolver-reference-dynamodb-scan#Example 2. The doc writes the filter object as
// { filter: { beginsWith: title } }, which names an attribute called "filter"; its text says the title must start
// with the argument, so the attribute is `title` here (the only change).
export function request(ctx) {
  const { title } = ctx.args;
  const filter = { title: { beginsWith: title } };
  return {
    operation: 'Scan',
    filter: JSON.parse(util.transform.toDynamoDBFilterExpression(filter)),
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result;
}
