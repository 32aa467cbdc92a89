"""Lambda functions invoked in-process, with the event and context AWS Lambda would give them.

Each function behaves like one warm Lambda container: its module is imported once, on first use, and
it serves one invocation at a time (Powertools' resolver app keeps per-invocation state on a module
global, exactly as it may on Lambda). Events and results cross a JSON boundary, as they do on AWS, so a
handler that returns something Lambda could not marshal (a `Decimal`, a `datetime`) fails here too.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .config import FunctionConfig
from .errors import LambdaError

ACCOUNT_ID = "000000000000"


@dataclass
class LambdaContext:
    """The attributes of AWS Lambda's context object that handlers and Powertools read."""

    function_name: str
    region: str
    timeout_seconds: int
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    _deadline: float = 0.0

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds
        self.invoked_function_arn = f"arn:aws:lambda:{self.region}:{ACCOUNT_ID}:function:{self.function_name}"
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = f"local/{self.aws_request_id}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _import_handler(spec: str) -> Callable[[Any, Any], Any]:
    module_name, _, attribute = spec.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)


class LocalFunction:
    """One Lambda function, invoked in-process."""

    def __init__(self, config: FunctionConfig, region: str) -> None:
        self.config = config
        self.region = region
        self.invocations = 0
        self._handler: Callable[[Any, Any], Any] | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.config.name

    def _context(self) -> LambdaContext:
        return LambdaContext(self.config.name, self.region, self.config.timeout_seconds)

    def invoke(self, event: Any) -> Any:
        """Invoke synchronously; a raised exception becomes `LambdaError(errorType, errorMessage)`."""
        payload = json.dumps(event)
        with self._lock:
            if self._handler is None:
                self._handler = _import_handler(self.config.handler)
            self.invocations += 1
            try:
                result = self._handler(json.loads(payload), self._context())
            except Exception as exc:  # the Lambda runtime reports any exception the same way
                raise LambdaError(str(exc) or type(exc).__name__, type(exc).__name__) from exc
        try:
            return json.loads(json.dumps(result))
        except (TypeError, ValueError) as exc:
            raise LambdaError(f"Unable to marshal response: {exc}", "Runtime.MarshalError") from exc

    async def ainvoke(self, event: Any) -> Any:
        return await asyncio.to_thread(self.invoke, event)
