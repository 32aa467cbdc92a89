// AppSync function on the Posts table: one page of posts, newest first.
// - no authorId: the PUBLISHED partition of byStatusCreatedAt;
// - authorId: that author's partition of byAuthorCreatedAt, drafts included only for the author themself.
// tag filters on `contains(tags, :tag)`, and someone else's drafts are filtered out of an author's partition.
// DynamoDB applies `limit` before a filter, so such a page may hold fewer posts than asked (even none) while
// nextToken is not null; the client keeps following nextToken. Full pages would need an index per view: a
// sparse `authorId#PUBLISHED` key for an author's public posts, and one item per tag and post for tags.
import { util } from '@aws-appsync/utils';

import { normalizeTag } from '../../lib/posts.js';
import { dataSourceResult, pageOf } from '../../lib/results.js';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

export function request(ctx) {
  const { authorId, nextToken } = ctx.args;
  const limit = Math.min(Math.max(ctx.args.limit ?? DEFAULT_LIMIT, 1), MAX_LIMIT);
  const filters = [];
  const names = {};
  const values = {};
  if (authorId && authorId !== ctx.identity?.sub) {
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
    limit,
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
  return pageOf(result.items, result.nextToken);
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
