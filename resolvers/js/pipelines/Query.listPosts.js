// Pipeline resolver: queryPosts reads one page of posts, attachAuthors fills in their authors in one call.
export function request() {
  return {};
}

export function response(ctx) {
  return ctx.prev.result;
}
