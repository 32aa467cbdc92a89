"""AppSync's wire shapes as TypedDicts: what the runtime builds and reads, one module per protocol.

- `identity`: `ctx.identity` / a Lambda event's `identity`, one shape per auth mode;
- `resolver_event`: the event AppSync sends a direct Lambda resolver (and APPSYNC_JS's `ctx`);
- `response`: the GraphQL response body and its `errors[]` entries;
- `authorizer`: the AWS_LAMBDA authorizer's event and response;
- `realtime` (in `appsync_local.realtime.messages`): the WebSocket messages.
"""
