"""The AWS_LAMBDA auth mode: the app's authorizer function decides, AppSync caches its answer.

What AppSync does, in order (devguide: security-authz, "AWS Lambda authorization"; API reference:
LambdaAuthorizerConfig):

1. the token (the `Authorization` value) must be at most 2,048 characters and match the
   `identityValidationExpression`, else the request is refused without calling the function;
2. a cached answer for the same token is used while its TTL lasts (`authorizerResultTtlInSeconds`, or the
   answer's own `ttlOverride`; 0 = never cached);
3. otherwise the function is invoked with `{authorizationToken, requestContext, requestHeaders}` and has
   10 seconds (or its own timeout, if shorter) to answer `{isAuthorized, resolverContext?, deniedFields?,
   ttlOverride?}`.

`isAuthorized: false`, a function that raises or times out, and an answer AppSync cannot read all end the
request with HTTP 401 UnauthorizedException, "You are not authorized to make this call."; the reason is
logged. An allowed caller's identity is `{"resolverContext": {...}}`, and the fields its answer denies
(`Type.field`, or this API's field ARN) resolve to null with AppSync's Unauthorized field error.
"""

from __future__ import annotations

import collections
import concurrent.futures
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from appsync_local.auth.errors import NOT_AUTHORIZED, UnauthorizedError
from appsync_local.auth.request_auth import AWS_LAMBDA, RequestAuth
from appsync_local.wire.authorizer import AuthorizerEvent, AuthorizerRequestContext

logger = logging.getLogger("appsync_local.auth")

# AppSync's limits for Lambda authorizers (devguide: security-authz).
AUTHORIZER_TIMEOUT_SECONDS = 10.0
MAX_TOKEN_CHARS = 2048
MAX_RESOLVER_CONTEXT_BYTES = 5 * 1024 * 1024
MAX_TTL_SECONDS = 3600
# Distinct tokens remembered at once; the oldest answers are forgotten first.
CACHE_ENTRIES = 10_000

_SHORT_FIELD = re.compile(r"^([_A-Za-z][_0-9A-Za-z]*)\.([_A-Za-z][_0-9A-Za-z]*)$")
_FIELD_ARN = re.compile(
    r"^arn:aws:appsync:([a-z0-9-]+):(\d{12}):apis/([^/]+)/types/([_A-Za-z][_0-9A-Za-z]*)"
    r"/fields/([_A-Za-z][_0-9A-Za-z]*)$"
)


class AuthorizerFunction(Protocol):
    """The authorizer as the runtime runs it (`appsync_local.lambda_runtime.LocalFunction`)."""

    @property
    def name(self) -> str: ...

    def invoke(self, event: Any, *, source: str = ...) -> Any: ...


class AuthorizerAnswerError(ValueError):
    """The function's answer is not one AppSync can read."""


@dataclass(frozen=True)
class Decision:
    """The authorizer's answer, as read: who the caller is, and what it may not read."""

    authorized: bool
    resolver_context: dict[str, Any]
    denied_fields: frozenset[str]
    ttl_seconds: int | None


@dataclass(frozen=True)
class ApiRef:
    """What the event's `requestContext` names, and what a denied field's ARN must name to apply here."""

    api_id: str
    account_id: str
    region: str


def _denied_field(entry: object, api: ApiRef) -> str | None:
    """`Type.field` for one `deniedFields` entry; None for another API's ARN; raises for anything else."""
    if not isinstance(entry, str):
        raise AuthorizerAnswerError(f"deniedFields holds {entry!r}, not a string")
    short = _SHORT_FIELD.match(entry)
    if short:
        return entry
    arn = _FIELD_ARN.match(entry)
    if arn is None:
        raise AuthorizerAnswerError(
            f"deniedFields entry {entry!r} is neither `Type.field` nor "
            "arn:aws:appsync:<region>:<account>:apis/<apiId>/types/<Type>/fields/<field>"
        )
    region, account, api_id, type_name, field_name = arn.groups()
    if (region, account, api_id) != (api.region, api.account_id, api.api_id):
        return None  # an authorizer shared by several APIs names another API's field
    return f"{type_name}.{field_name}"


def read_answer(answer: Any, api: ApiRef) -> Decision:
    """The authorizer's response, checked as AppSync reads it; `AuthorizerAnswerError` says what is wrong."""
    if not isinstance(answer, dict):
        raise AuthorizerAnswerError(f"the answer is {type(answer).__name__}, not a JSON object")
    authorized = answer.get("isAuthorized")
    if not isinstance(authorized, bool):
        raise AuthorizerAnswerError("isAuthorized is missing or not a boolean")
    context = answer.get("resolverContext")
    if context is None:
        context = {}
    if not isinstance(context, dict):
        raise AuthorizerAnswerError("resolverContext is not a JSON object")
    nested = [key for key, value in context.items() if isinstance(value, dict | list)]
    if nested:
        raise AuthorizerAnswerError(
            f"resolverContext holds key-value pairs only; {', '.join(map(repr, nested))} nest"
        )
    if len(json.dumps(context).encode()) > MAX_RESOLVER_CONTEXT_BYTES:
        raise AuthorizerAnswerError("resolverContext is larger than 5 MB")
    denied = answer.get("deniedFields")
    if denied is None:
        denied = []
    if not isinstance(denied, list):
        raise AuthorizerAnswerError("deniedFields is not a list")
    fields = frozenset(f for f in (_denied_field(entry, api) for entry in denied) if f is not None)
    ttl = answer.get("ttlOverride")
    if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int | float) or ttl < 0):
        raise AuthorizerAnswerError("ttlOverride is not a number of seconds")
    return Decision(
        authorized=authorized,
        resolver_context=context,
        denied_fields=fields,
        ttl_seconds=None if ttl is None else min(int(ttl), MAX_TTL_SECONDS),
    )


def request_context(body: bytes, api: ApiRef, request_id: str) -> AuthorizerRequestContext:
    """`requestContext` from the request body (`{query, variables, operationName}`; `{}` on a realtime connect)."""
    try:
        payload = json.loads(body) if body else {}
    except (UnicodeDecodeError, ValueError, RecursionError):
        payload = {}
    if not isinstance(payload, dict):
        payload = {}
    query, variables, operation = payload.get("query"), payload.get("variables"), payload.get("operationName")
    context: AuthorizerRequestContext = {
        "apiId": api.api_id,
        "accountId": api.account_id,
        "requestId": request_id,
        "queryString": query if isinstance(query, str) else "",
        "variables": variables if isinstance(variables, dict) else {},
    }
    if isinstance(operation, str):
        context["operationName"] = operation
    return context


class LambdaAuthorizer:
    """Authorizes AWS_LAMBDA requests with the app's function, caching its answers per token.

    Parameters
    ----------
    function
        The `[auth.lambda] function`, invoked in-process in its own environment.
    api
        The API's id, account and region (the event's `requestContext`, and denied fields' ARNs).
    ttl_seconds
        `authorizerResultTtlInSeconds`: how long an answer without `ttlOverride` is reused (0 = never).
    validation_expression
        `identityValidationExpression`: a token must match it entirely before the function is called.
    timeout_seconds
        How long AppSync waits for the function: 10 s, or the function's own timeout if shorter.
    clock
        Seconds, monotonic: the cache's time (tests pass their own).
    """

    def __init__(
        self,
        function: AuthorizerFunction,
        api: ApiRef,
        *,
        ttl_seconds: int,
        validation_expression: str | None = None,
        timeout_seconds: float = AUTHORIZER_TIMEOUT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.function = function
        self.api = api
        self.ttl_seconds = ttl_seconds
        self._validation = re.compile(validation_expression) if validation_expression else None
        self.timeout_seconds = timeout_seconds
        self._clock = clock
        self._cache: collections.OrderedDict[str, tuple[float, Decision]] = collections.OrderedDict()
        self._cache_lock = threading.Lock()
        # Invocations run here so a slow function can be given up on; the function itself serves one at a time.
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=4, thread_name_prefix=f"authorizer-{function.name}"
        )

    def authorize(self, token: str, headers: Mapping[str, str], body: bytes) -> RequestAuth:
        """The caller's auth for `token`; raises `UnauthorizedError` (HTTP 401) when it is refused."""
        if len(token) > MAX_TOKEN_CHARS:
            raise self._refused("the token is longer than 2,048 characters")
        if self._validation is not None and not self._validation.fullmatch(token):
            raise self._refused("the token does not match identity_validation_expression")
        decision = self._cached(token)
        if decision is None:
            decision = self._ask(token, headers, body)
            ttl = self.ttl_seconds if decision.ttl_seconds is None else decision.ttl_seconds
            if ttl > 0:
                self._remember(token, decision, ttl)
        if not decision.authorized:
            raise UnauthorizedError(NOT_AUTHORIZED)
        return RequestAuth(
            mode=AWS_LAMBDA,
            identity={"resolverContext": dict(decision.resolver_context)},
            denied_fields=decision.denied_fields,
        )

    def forget(self) -> None:
        """Drop every cached answer (as a changed authorizer configuration does on AppSync)."""
        with self._cache_lock:
            self._cache.clear()

    def _refused(self, reason: str) -> UnauthorizedError:
        logger.info("AWS_LAMBDA request refused without calling %s: %s", self.function.name, reason)
        return UnauthorizedError(NOT_AUTHORIZED)

    def _cached(self, token: str) -> Decision | None:
        with self._cache_lock:
            entry = self._cache.get(token)
            if entry is None:
                return None
            expires_at, decision = entry
            if self._clock() >= expires_at:
                del self._cache[token]
                return None
            self._cache.move_to_end(token)
            return decision

    def _remember(self, token: str, decision: Decision, ttl: int) -> None:
        with self._cache_lock:
            self._cache[token] = (self._clock() + ttl, decision)
            self._cache.move_to_end(token)
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)

    def _ask(self, token: str, headers: Mapping[str, str], body: bytes) -> Decision:
        event: AuthorizerEvent = {
            "authorizationToken": token,
            "requestContext": request_context(body, self.api, str(uuid.uuid4())),
            "requestHeaders": dict(headers),
        }
        future = self._pool.submit(self.function.invoke, event, source="appsync:authorizer")
        try:
            answer = future.result(timeout=self.timeout_seconds)
        except concurrent.futures.TimeoutError:
            # A Lambda would be stopped here; an in-process call cannot be, so it finishes unheard.
            logger.warning(
                "Lambda authorizer %s did not answer within %g s: request refused",
                self.function.name,
                self.timeout_seconds,
            )
            raise UnauthorizedError(NOT_AUTHORIZED) from None
        except Exception as exc:  # whatever the function raised, AppSync answers the caller the same way
            logger.warning("Lambda authorizer %s failed: %s: request refused", self.function.name, exc)
            raise UnauthorizedError(NOT_AUTHORIZED) from exc
        try:
            return read_answer(answer, self.api)
        except AuthorizerAnswerError as exc:
            logger.warning(
                "Lambda authorizer %s answered what AppSync cannot read (%s): request refused",
                self.function.name,
                exc,
            )
            raise UnauthorizedError(NOT_AUTHORIZED) from exc
