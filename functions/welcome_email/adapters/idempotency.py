"""Run a function at most once per key: Powertools Idempotency on a DynamoDB table.

The table's partition key is `id` (string) and its TTL attribute `expiration`, Powertools' defaults. A call
whose key has completed returns the first call's result without running again; one still in progress
(another container, or a crash mid-way) raises, so the record is retried after that call's Lambda timeout.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

Payload = dict[str, Any]


class OncePerKey:
    """Wraps functions of one ``payload`` dict so each runs once per the payload's key.

    Parameters
    ----------
    table_name
        The idempotency table.
    key_prefix
        Begins each record's key (``<key_prefix>.<function>#<hash>``): a stable name, where Powertools' default
        would be the deployed function's generated name, which changes when the function is replaced.
    key_path
        A JMESPath into the payload giving its key (for the welcome e-mail: ``id``, the user's id).
    expires_after_seconds
        How long a completed call is remembered.
    client
        A boto3 DynamoDB client.
    """

    def __init__(
        self, table_name: str, *, key_prefix: str, key_path: str, expires_after_seconds: int, client: Any
    ) -> None:
        self._key_prefix = key_prefix
        self._persistence = DynamoDBPersistenceLayer(table_name=table_name, boto3_client=client)
        self._config = IdempotencyConfig(
            event_key_jmespath=key_path,
            expires_after_seconds=expires_after_seconds,
            raise_on_no_idempotency_key=True,
        )

    def register_lambda_context(self, context: LambdaContext) -> None:
        """Let a call left in progress by a crash expire with this invocation's timeout."""
        self._config.register_lambda_context(context)

    def wrap(self, function: Callable[[Payload], Payload]) -> Callable[..., Payload]:
        """``function``, run at most once per key; call it as ``wrapped(payload=…)``."""
        wrapped: Callable[..., Payload] = idempotent_function(
            function,
            data_keyword_argument="payload",
            persistence_store=self._persistence,
            config=self._config,
            key_prefix=f"{self._key_prefix}.{function.__name__}",
        )
        return wrapped
