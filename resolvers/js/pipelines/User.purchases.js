// Pipeline resolver: its functions (appsync.toml) read a page of the user's purchases, then attach their media.
export function request() {
  return {};
}

export function response(ctx) {
  return ctx.prev.result;
}
