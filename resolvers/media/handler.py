"""The media Lambda function: playback and upload URLs, and premium users (fields listed by the routers below)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from resolvers.media.routers import mutation, query, user
from resolvers.routing import AppSyncResolver

logger = Logger(service="media")
app = AppSyncResolver()
app.include_router(query.router)
app.include_router(mutation.router)
app.include_router(user.router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.APPSYNC_RESOLVER)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    return app.resolve(event, context)
