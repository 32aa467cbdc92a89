// AppSync function on the Posts table: one page of posts, newest first.
// - no authorId: the PUBLISHED partition of byStatusCreatedAt;
// - authorId: that author's partition of byAuthorCreatedAt, drafts included only for the author themself.
// tag filters on `contains(tags, :tag)`, and someone else's drafts are filtered out of an author's partition.
// DynamoDB applies `limit` before a filter, so one Query may return fewer posts than asked (even none). The
// listPosts pipeline therefore runs this function up to QUERY_ROUNDS times (appsync.toml): each round asks
// for the posts still missing, from where the previous round stopped, until the page is full or the
// partition ends (or the rounds run out). Paging counts the posts the caller may see, not hidden drafts.
// Each round hands the page so far on as its result (ctx.prev.result of the next round); the stash keeps only
// how far the rounds got (`postsRound`), so a round that has nothing left to do hands the page on untouched.
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
  const round = ctx.stash.postsRound;
  if (round && (round.count >= limit || !round.nextToken)) {
    runtime.earlyReturn(ctx.prev.result);
  }
  const nextToken = round ? round.nextToken : ctx.args.nextToken;
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
    limit: round ? limit - round.count : limit,
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
  const earlier = ctx.stash.postsRound ? ctx.prev.result.items : [];
  const page = pageOf([...earlier, ...result.items], result.nextToken);
  ctx.stash.postsRound = { count: page.items.length, nextToken: page.nextToken };
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
