// Pipeline resolver: its functions (appsync.toml) fetch a page of at most one post, then attach its author.
export function request() {
  return {};
}

export function response(ctx) {
  return ctx.prev.result.items[0] ?? null;
}
