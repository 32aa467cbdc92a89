// What the blog's AppSync functions hand on: a data source's result, and pages of posts.
import { util } from '@aws-appsync/utils';

// The data source's result; a data source error becomes the field's error as it is (message and type).
export function dataSourceResult(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result;
}

// Every posts function passes a page on, so the last one (attachAuthors) handles one shape.
export function pageOf(items, nextToken) {
  return { items, nextToken: nextToken ?? null };
}
