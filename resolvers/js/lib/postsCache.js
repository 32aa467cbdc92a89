// Evicting a written post's reads from AppSync's API cache (appsync.toml: getPost and listPosts are cached per
// caller, `$context.identity.sub` first). A mutation can evict exact keys only, so it evicts the reads that
// change for sure and that readers ask for most: the post by id, and the first page of the published feed and
// of the author's listing (without a limit, and with the site's 20), each as readers who are not signed in
// (API key and IAM callers have no sub) and as the author see them. Other entries (later pages, tags, other
// signed-in readers) end with their TTL.
import { extensions } from '@aws-appsync/utils';

const FIRST_PAGE_LIMITS = [null, 20];

export function evictPostReads(post) {
  if (!post) {
    return;
  }
  for (const sub of [null, post.authorId]) {
    extensions.evictFromApiCache('Query', 'getPost', {
      'context.identity.sub': sub,
      'context.arguments.id': post.id,
    });
    for (const authorId of [null, post.authorId]) {
      for (const limit of FIRST_PAGE_LIMITS) {
        extensions.evictFromApiCache('Query', 'listPosts', {
          'context.identity.sub': sub,
          'context.arguments.authorId': authorId,
          'context.arguments.tag': null,
          'context.arguments.limit': limit,
          'context.arguments.nextToken': null,
        });
      }
    }
  }
}
