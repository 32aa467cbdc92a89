// AppSync doc: js-aws-appsync-resolver-reference-dynamodb-projections#Example 1: the page's projection section
// on a GetItem.
import { util } from '@aws-appsync/utils';
export function request(ctx) {
  return {
    operation: 'GetItem',
    key: util.dynamodb.toMapValues({ id: ctx.args.id }),
    projection : {
        expression : "#author, id",
        expressionNames : {
            "#author" : "author"
        }
    }
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result;
}
