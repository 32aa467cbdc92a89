// Pipeline resolver: its functions (appsync.toml) record the upload's outcome on the post, then attach its author.
export function request() {
  return {};
}

export function response(ctx) {
  return ctx.prev.result.items[0];
}
