// AppSync function on the Posts table: reads one post as a page of at most one post.
// A draft counts as missing unless the caller is its author, so nobody learns that someone else's draft exists.
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  return {
    operation: 'GetItem',
    key: util.dynamodb.toMapValues({ id: ctx.args.id }),
    consistentRead: true,
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  const post = ctx.result;
  const visible = !!post && (post.status === 'PUBLISHED' || post.authorId === ctx.identity?.sub);
  return { items: visible ? [post] : [], nextToken: null };
}
