"""GraphiQL served entirely from this project, with a bar to pick the request's credentials."""

from __future__ import annotations

from appsync_local.graphiql.assets import graphiql_routes
from appsync_local.graphiql.page import graphiql_page

__all__ = ["graphiql_page", "graphiql_routes"]
