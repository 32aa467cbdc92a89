"""AppSync data sources for APPSYNC_JS resolvers, run against the local AWS services."""

from __future__ import annotations

from appsync_local.datasources.dynamodb import DynamoDBDataSource
from appsync_local.datasources.pagination import PaginationTokens

__all__ = ["DynamoDBDataSource", "PaginationTokens"]
