// Pipeline resolver: its functions (appsync.toml) delete the post, then attach its author to the result.
export function request() {
  return {};
}

export function response(ctx) {
  return ctx.prev.result.items[0] ?? null;
}
