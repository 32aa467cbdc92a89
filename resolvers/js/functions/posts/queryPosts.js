// AppSync function on the Posts table: one page of posts, newest first.
// - no authorId: the PUBLISHED partition of byStatusCreatedAt;
// - authorId: that author's partition of byAuthorCreatedAt, drafts included only for the author themself.
// tag filters on `contains(tags, :tag)`, and someone else's drafts are filtered out of an author's partition.
// DynamoDB applies `limit` before a filter, so one Query may return fewer posts than asked (even none). The
// listPosts pipeline therefore runs this function up to QUERY_ROUNDS times (appsync.toml): each round asks
// for the posts still missing, from where the previous round stopped, until the page is full or the
// partition ends (or the rounds run out). Paging counts the posts the caller may see, not hidden drafts.
// nextToken stays AppSync's own opaque token (encrypted; it cannot be read or edited).
import { util, runtime } from '@aws-appsync/utils';

import { callerAuthorId, normalizeTag } from '../../lib/posts.js';
import { dataSourceResult, pageOf } from '../../lib/results.js';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

export function request(ctx) {
  const { authorId } = ctx.args;
  const limit = Math.min(Math.max(ctx.args.limit ?? DEFAULT_LIMIT, 1), MAX_LIMIT);
  // A later round: stop once the page is full or the partition has ended.
  const page = ctx.stash.postsPage;
  if (page && (page.items.length >= limit || !page.nextToken)) {
    runtime.earlyReturn(pageOf(page.items, page.nextToken));
  }
  const nextToken = page ? page.nextToken : ctx.args.nextToken;
  const filters = [];
  const names = {};
  const values = {};
  if (authorId && authorId !== callerAuthorId(ctx)) {
    filters.push('#status = :published');
    names['#status'] = 'status';
    values[':published'] = 'PUBLISHED';
  }
  if (ctx.args.tag != null) {
    filters.push('contains(#tags, :tag)');
    names['#tags'] = 'tags';
    values[':tag'] = searchedTag(ctx.args.tag);
  }
  const request = {
    operation: 'Query',
    index: authorId ? 'byAuthorCreatedAt' : 'byStatusCreatedAt',
    query: authorId ? partition('authorId', authorId) : partition('status', 'PUBLISHED'),
    limit: page ? limit - page.items.length : limit,
    scanIndexForward: false,
  };
  if (filters.length > 0) {
    request.filter = {
      expression: filters.join(' AND '),
      expressionNames: names,
      expressionValues: util.dynamodb.toMapValues(values),
    };
  }
  if (nextToken) {
    request.nextToken = nextToken;
  }
  return request;
}

export function response(ctx) {
  const result = dataSourceResult(ctx);
  const earlier = ctx.stash.postsPage ? ctx.stash.postsPage.items : [];
  const page = pageOf([...earlier, ...result.items], result.nextToken);
  ctx.stash.postsPage = page;
  return page;
}

function partition(name, value) {
  return {
    expression: '#pk = :pk',
    expressionNames: { '#pk': name },
    expressionValues: util.dynamodb.toMapValues({ ':pk': value }),
  };
}

// Stored tags are normalized (lib/posts.js), so the filter matches whatever case was typed.
function searchedTag(tag) {
  const normalized = normalizeTag(tag);
  if (normalized.length === 0) {
    util.error('tag must not be blank', 'ValidationError');
  }
  return normalized;
}
