"""The API's Lambda authorizer (AWS_LAMBDA): partner tokens for the ingestion pipeline.

AppSync calls it with the caller's `Authorization` value (tokens that do not match the API's
identity_validation_expression never get here) and caches the answer per token. An allowed partner gets its
id, sources and scopes as `resolverContext` (`ctx.identity.resolverContext` in resolvers), the fields of the
scopes it lacks as `deniedFields`, and a `ttlOverride` that ends with its grant.
"""

from __future__ import annotations

import os
import time
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes import event_source
from aws_lambda_powertools.utilities.data_classes.appsync_authorizer_event import (
    AppSyncAuthorizerEvent,
    AppSyncAuthorizerResponse,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.partner_authorizer.dynamodb_grants import DynamoDBGrants
from functions.partner_authorizer.grants import decide

DEFAULT_CACHE_SECONDS = 300

logger = Logger(service="partner-authorizer")


@cache
def _grants(table_name: str) -> DynamoDBGrants:
    return DynamoDBGrants.named(table_name)


def _table_name() -> str:
    name = os.environ.get("PARTNER_TOKENS_TABLE", "").strip()
    if not name:
        raise RuntimeError("The environment variable PARTNER_TOKENS_TABLE is not set")
    return name


@logger.inject_lambda_context(clear_state=True)
@event_source(data_class=AppSyncAuthorizerEvent)
def lambda_handler(event: AppSyncAuthorizerEvent, context: LambdaContext) -> dict[str, Any]:
    logger.append_keys(request_id=event.request_context.request_id)
    cache_seconds = int(os.environ.get("DECISION_CACHE_SECONDS") or DEFAULT_CACHE_SECONDS)
    verdict = decide(event.authorization_token, _grants(_table_name()), int(time.time()), cache_seconds)
    if not verdict.allowed:
        logger.info("Partner token refused")
        return AppSyncAuthorizerResponse(authorize=False).asdict()
    logger.info("Partner token allowed", extra={"partner_id": verdict.context["partnerId"]})
    return AppSyncAuthorizerResponse(
        authorize=True,
        max_age=verdict.ttl_seconds,
        resolver_context=verdict.context,
        deny_fields=list(verdict.denied_fields),
    ).asdict()
