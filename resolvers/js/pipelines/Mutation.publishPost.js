// Pipeline resolver: its functions (appsync.toml) write the post, then attach its author.
export function request() {
  return {};
}

export function response(ctx) {
  return ctx.prev.result.items[0];
}
