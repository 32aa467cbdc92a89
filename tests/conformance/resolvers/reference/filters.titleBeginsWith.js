// AppSync doc: js-aws-appsync-resolver-reference-dynamodb-filter#Example: the page's filter section, in a Scan.
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  const filter = util.transform.toDynamoDBFilterExpression({
    title: { beginsWith: 'far away' },
  });

  const request = {};
  request.filter = JSON.parse(filter);
  request.operation = 'Scan';
  return request;
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result;
}
