// AppSync function on the Users table: sets `author` on every post of the previous function's page
// ({items, nextToken}) with ONE BatchGetItem of the page's distinct authors, so a page costs the same number
// of data-source calls whatever its size (Post.author has no resolver of its own: no N+1). As the last function
// of every posts pipeline, it also shows each post's photo through the photos' CDN (lib/posts.js shownPost).
import { util, runtime } from '@aws-appsync/utils';

import { shownPost } from '../../lib/posts.js';
import { dataSourceResult, pageOf } from '../../lib/results.js';

export function request(ctx) {
  const authorIds = [];
  for (const post of ctx.prev.result.items) {
    if (!authorIds.includes(post.authorId)) {
      authorIds.push(post.authorId);
    }
  }
  if (authorIds.length === 0) {
    // DynamoDB refuses a BatchGetItem without keys; an empty page needs no authors.
    runtime.earlyReturn(ctx.prev.result);
  }
  // BatchGetItem names tables, not data sources: the API's environment holds the Users table's name.
  const tables = {};
  tables[ctx.env.USERS_TABLE] = { keys: authorIds.map((id) => util.dynamodb.toMapValues({ id })), consistentRead: false };
  return { operation: 'BatchGetItem', tables };
}

export function response(ctx) {
  const result = dataSourceResult(ctx);
  // Only the public side of a user leaves this function (never email or username). An author without a
  // profile, or one DynamoDB left in unprocessedKeys, gets a null author rather than failing the page.
  const profiles = {};
  for (const user of result.data[ctx.env.USERS_TABLE] ?? []) {
    if (user) {
      profiles[user.id] = { id: user.id, name: user.name ?? null, bio: user.bio ?? null };
    }
  }
  const page = ctx.prev.result;
  return pageOf(
    page.items.map((post) => ({ ...shownPost(ctx, post), author: profiles[post.authorId] ?? null })),
    page.nextToken,
  );
}
