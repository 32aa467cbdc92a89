// Evicting a written post's reads from AppSync's API cache (appsync.toml: getPost and listPosts are cached per
// caller, keyed on `$context.identity.sub` and `$context.identity.issuer`: a `sub` alone would let a token of
// another issuer that claims an author's `sub` (OpenID Connect lets an issuer say anything) read the author's
// cached drafts). A mutation can evict exact keys only, so it evicts the reads that change for sure and that
// readers ask for most: the post by id, and the first page of the published feed and of the author's listing
// (without a limit, and with the site's 20), as readers who are not signed in see them (API key and IAM
// callers have no sub or issuer) and as the author sees them (authors are the user pool's users: its issuer is
// `ctx.env.AUTHORS_ISSUER`, whoever makes the change, a function included). Other entries (later pages, tags,
// other signed-in readers) end with their TTL.
import { extensions } from '@aws-appsync/utils';

const FIRST_PAGE_LIMITS = [null, 20];

export function evictPostReads(ctx, post) {
  if (!post) {
    return;
  }
  const callers = [
    [null, null],
    [post.authorId, ctx.env.AUTHORS_ISSUER],
  ];
  for (const [sub, issuer] of callers) {
    extensions.evictFromApiCache('Query', 'getPost', {
      'context.identity.sub': sub,
      'context.identity.issuer': issuer,
      'context.arguments.id': post.id,
    });
    for (const authorId of [null, post.authorId]) {
      for (const limit of FIRST_PAGE_LIMITS) {
        extensions.evictFromApiCache('Query', 'listPosts', {
          'context.identity.sub': sub,
          'context.identity.issuer': issuer,
          'context.arguments.authorId': authorId,
          'context.arguments.tag': null,
          'context.arguments.limit': limit,
          'context.arguments.nextToken': null,
        });
      }
    }
  }
}
