"""A local AWS AppSync runtime: the same resolver code, AppSync's own wire protocols, no AWS account.

Generic by design: it reads an app's description (`appsync.toml`), its strawberry schema and its binding
registry (Powertools routers, APPSYNC_JS files), and knows nothing of any particular app.

- `config`: the app's description; `bindings`: which resolver serves each field
- `executor`, `lambda_runtime`, `js/`, `datasources/`: GraphQL execution with AppSync's semantics
- `auth/`: every verified auth mode and the `@aws_*` directive rules
- `http_app`, `realtime/`, `graphiql/`, `tls`: the HTTP and WebSocket endpoints
- `local_aws/`: DynamoDB Local and moto, provisioned and seeded; `server`: `make run`
"""
