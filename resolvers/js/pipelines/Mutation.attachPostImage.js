// Pipeline resolver: its functions (appsync.toml) record the upload's outcome on the post, then attach its author.
// The post's cached reads are evicted (lib/postsCache.js), so readers see the change at once.
import { evictPostReads } from '../lib/postsCache.js';

export function request() {
  return {};
}

export function response(ctx) {
  const post = ctx.prev.result.items[0];
  evictPostReads(ctx, post);
  return post;
}
