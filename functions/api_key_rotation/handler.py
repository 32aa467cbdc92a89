"""The api-key-rotation function: EventBridge's schedule (appsync.toml) runs it once a day.

A public site reads the API key from its config file. So that its reads never stop, each run makes a new key
(lasting `[api] api_key_expiry_days`) once the newest has fewer than RENEW_DAYS_BEFORE_EXPIRY days left,
writes it into the site's config file, and deletes the keys it made before once the site has carried their
successor for GRACE_DAYS. The stack's own key is never deleted: CloudFormation renews it at each deploy, and the
deploy writes it into the config file again.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.api_key_rotation.bootstrap import rotation

logger = Logger(service="api-key-rotation")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    outcome = rotation().run()
    # The key's value is a secret of sorts (it is public in the site, but logs travel further): its expiry only.
    details = {
        "key_expires": outcome.api_key.expires,
        "key_created": outcome.created,
        "key_published": outcome.published,
        "keys_deleted": len(outcome.deleted),
    }
    logger.info("API key rotation done", extra=details)
    return details
