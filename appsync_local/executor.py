"""GraphQL execution with AppSync's semantics, on strawberry.

The app's strawberry schema declares shapes only. The runtime copies it into a schema of its own
(`runtime_schema`: strawberry's parser and validation caches and AppSync's API settings as extensions), then
binds every field of the underlying graphql-core schema: a field with a binding invokes its resolver; any
other field reads its value from the parent's result, as AppSync does for fields without a resolver. Every field also
checks the request's auth mode against the schema's auth directives.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLUnionType,
)
from graphql import (
    OperationType as GraphQLOperationType,
)
from strawberry.dataloader import DataLoader
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from appdef import ApiConfig
from appdef.bindings import Binding, BindingRegistry

from . import strawberry_adapter
from .api_cache import ApiCache
from .api_cache.resolver_cache import Invoke
from .auth import AuthRules, RequestAuth
from .errors import (
    AppSyncFieldError,
    FieldUnauthorizedError,
    LambdaError,
    ResolverCountLimitError,
    engine_error,
    format_error,
)
from .execution_threads import ExecutionThreads
from .lambda_runtime import LocalFunction
from .plain_completion import PlainField, value_of
from .request_limits import (
    INLINE_QUERY_CHARS,
    CheckedDocument,
    DocumentLimits,
    DocumentRefused,
    cached_checker,
    resolver_count_refusal,
)
from .resolver_context import ResolverInvocation
from .resolver_event import build_event, field_arguments, info_dict, selection_info
from .response_headers import ResponseHeaders
from .runtime_schema import CACHE_SIZE, runtime_schema
from .wire.resolver_event import ResolverEvent
from .wire.response import FieldErrorEntry, ResponseBody

logger = logging.getLogger("appsync_local")

# AppSync ends a request after 30 s (AWS general reference, AppSync quotas) with this error.
EXECUTION_TIMEOUT_SECONDS = 30.0
# Documents selecting more fields than this run in the heavy lane of `execution_threads`: the app's own
# operations select at most a few dozen; hundreds are aliases, deep nesting or generated queries.
HEAVY_FIELDS = 200
EXECUTION_TIMEOUT_TYPE = "ExecutionTimeout"
EXECUTION_TIMEOUT_MESSAGE = "Execution timed out."
# graphql-java's texts (AppSync's engine) for a document whose operation cannot be chosen.
SEVERAL_OPERATIONS_MESSAGE = "Must provide operation name if query contains multiple operations."
UNKNOWN_OPERATION_MESSAGE = "Unknown operation named '{name}'."


@dataclass
class RequestContext:
    """What one GraphQL request carries through execution."""

    auth: RequestAuth
    headers: Mapping[str, str]
    resolver_limit: int
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    resolver_count: int = 0
    loaders: dict[str, DataLoader[Any, Any]] = field(default_factory=dict)
    # (response path, error) for errors a resolver appended while still returning data (util.appendError)
    appended_errors: list[tuple[list[str | int], AppSyncFieldError]] = field(default_factory=list)
    # (response key, field name) of each root mutation field, so its result can be published
    mutation_fields: list[tuple[str, str]] = field(default_factory=list)
    # what resolvers passed to extensions.invalidateSubscriptions({subscriptionField, payload})
    invalidations: list[Any] = field(default_factory=list)  # distinct invalidateSubscriptions arguments
    # what resolvers added with util.http.addResponseHeader(s), sent with the HTTP response
    response_headers: ResponseHeaders = field(default_factory=ResponseHeaders)
    # extensions.evictFromApiCache(...) calls not yet applied, and how many entries they deleted
    cache_evictions: list[Any] = field(default_factory=list)
    cache_entries_deleted: int = 0

    def count_resolver(self) -> None:
        self.resolver_count += 1
        if self.resolver_count > self.resolver_limit:
            raise ResolverCountLimitError(self.resolver_limit)


class CodeResolverRunner(Protocol):
    """Runs APPSYNC_JS unit and pipeline resolvers (implemented in `appsync_local.js`)."""

    async def run(self, binding: Binding, invocation: ResolverInvocation) -> Any: ...


# Called with (mutation field name, its result as the mutation selected it, the request's context).
MutationListener = Callable[[str, Any, "RequestContext"], Awaitable[None]]
# Called with each extensions.invalidateSubscriptions(...) argument of a request, in order.
InvalidationListener = Callable[[Any], Awaitable[None]]

# AppSync takes at most five distinct invalidateSubscriptions calls per request; more is a GraphQL error.
MAX_INVALIDATIONS_PER_REQUEST = 5
# AppSync documents the error, not its type; this one names the limit.
INVALIDATION_LIMIT_ERROR = "InvalidationLimitExceeded"


def _engine_refusal(message: str) -> ResponseBody:
    return {"data": None, "errors": [engine_error(message)]}


def _request_error(message: str, error_type: str) -> ResponseBody:
    return {
        "data": None,
        "errors": [
            {
                "path": None,
                "data": None,
                "errorType": error_type,
                "errorInfo": None,
                "locations": None,
                "message": message,
            }
        ],
    }


def _add_invalidations(context: RequestContext, path: list[str | int], calls: Iterable[Any]) -> None:
    """Record a resolver's distinct `extensions.invalidateSubscriptions` calls; past AppSync's five per request,
    the field gets an error saying so, once, and only the first five are sent."""
    for call in calls:
        if call in context.invalidations:
            continue
        if len(context.invalidations) < MAX_INVALIDATIONS_PER_REQUEST:
            context.invalidations.append(call)
        elif not any(error.error_type == INVALIDATION_LIMIT_ERROR for _, error in context.appended_errors):
            message = (
                f"A request may make at most {MAX_INVALIDATIONS_PER_REQUEST} distinct "
                f"extensions.invalidateSubscriptions() calls; only the first {MAX_INVALIDATIONS_PER_REQUEST} were sent."
            )
            context.appended_errors.append((path, AppSyncFieldError(message, INVALIDATION_LIMIT_ERROR)))


def _appended(path: list[str | int], error: AppSyncFieldError) -> FieldErrorEntry:
    return {
        "path": path,
        "data": error.data,
        "errorType": error.error_type,
        "errorInfo": error.error_info,
        "locations": None,
        "message": error.message,
    }


def _resolve_typename(value: Any, info: GraphQLResolveInfo, abstract_type: Any) -> str | None:
    return value_of(value, "__typename")


class Executor:
    """Runs GraphQL requests against the app's schema with its bindings, auth rules and limits."""

    def __init__(
        self,
        *,
        app_schema: strawberry.Schema,
        api: ApiConfig,
        bindings: BindingRegistry,
        functions: Mapping[str, LocalFunction],
        rules: AuthRules,
        code_runner: CodeResolverRunner | None = None,
        execution_timeout_seconds: float = EXECUTION_TIMEOUT_SECONDS,
        threads: ExecutionThreads | None = None,
        api_cache: ApiCache | None = None,
    ) -> None:
        self.api = api
        self.api_cache = api_cache
        # AppSync's execution timeout; tests set a short one.
        self.execution_timeout_seconds = execution_timeout_seconds
        self.threads = threads or ExecutionThreads()
        self.bindings = bindings
        self.functions = functions
        self.rules = rules
        self.code_runner = code_runner
        self.mutation_listeners: list[MutationListener] = []
        self.invalidation_listeners: list[InvalidationListener] = []
        self._notifications: set[asyncio.Future[None]] = set()
        self.schema = runtime_schema(app_schema, api)
        graphql_schema = self.graphql_schema = strawberry_adapter.graphql_schema(self.schema)
        bindings.check(graphql_schema)
        if code_runner is None and any(b.kind != "LAMBDA" for b in bindings):
            raise ValueError("APPSYNC_JS bindings need a code runner")
        self.mutation_type = graphql_schema.mutation_type.name if graphql_schema.mutation_type else None
        self._bind(graphql_schema)
        root_types = {
            GraphQLOperationType.QUERY: graphql_schema.query_type.name if graphql_schema.query_type else "",
            GraphQLOperationType.MUTATION: self.mutation_type or "",
        }
        self.limits = DocumentLimits(resolver_count_limit=api.effective_resolver_count_limit)
        self._check = cached_checker(
            self.limits, lambda t, f: bindings.get(t, f) is not None, root_types, CACHE_SIZE
        )

    # -- binding ---------------------------------------------------------------------------------

    def _bind(self, schema: GraphQLSchema) -> None:
        for type_ in schema.type_map.values():
            if type_.name.startswith("__"):
                continue
            if isinstance(type_, GraphQLObjectType):
                type_.is_type_of = None  # results are plain JSON values, typed by the schema
                for field_name, field_def in type_.fields.items():
                    binding = self.bindings.get(type_.name, field_name)
                    field_def.resolve = self._resolver(type_.name, field_name, binding)
            elif isinstance(type_, (GraphQLInterfaceType, GraphQLUnionType)):
                type_.resolve_type = _resolve_typename
            elif isinstance(type_, GraphQLEnumType):
                # AppSync passes and accepts enum values by name, not as Python enum members.
                strawberry_adapter.serve_enum_by_name(type_)

    def _resolver(self, type_name: str, field_name: str, binding: Binding | None) -> Callable[..., Any]:
        rules = self.rules

        if binding is None:
            return PlainField(type_name, field_name, rules)

        is_mutation = type_name == self.mutation_type

        def begin(info: GraphQLResolveInfo) -> RequestContext:
            context: RequestContext = info.context
            if not rules.allows(type_name, field_name, context.auth):
                raise FieldUnauthorizedError(type_name, field_name)
            context.count_resolver()
            if is_mutation:
                context.mutation_fields.append((info.path.key, field_name))  # type: ignore[arg-type]
            return context

        invoke: Invoke
        if binding.kind != "LAMBDA":
            runner = self.code_runner
            assert runner is not None

            async def invoke_code(
                source: Any, info: GraphQLResolveInfo, context: RequestContext, arguments: dict[str, Any]
            ) -> Any:
                invocation = ResolverInvocation(
                    arguments=field_arguments(info, arguments),
                    source=source,
                    identity=context.auth.identity,
                    auth_type=context.auth.mode,
                    request_headers=dict(context.headers),
                    info=info_dict(info, selection_info(info)),
                    request_id=context.request_id,
                )
                try:
                    return await runner.run(binding, invocation)
                finally:
                    path = info.path.as_list()
                    context.appended_errors.extend((path, error) for error in invocation.appended_errors)
                    _add_invalidations(
                        context, path, invocation.extensions.get("invalidateSubscriptions", ())
                    )
                    context.cache_evictions.extend(invocation.extensions.get("evictFromApiCache", ()))
                    for header in invocation.extensions.get("responseHeaders", ()):
                        refused = context.response_headers.add(header.get("name"), header.get("value"))
                        if refused is not None:
                            context.appended_errors.append((path, refused))

            invoke = invoke_code
        else:
            function = self.functions[binding.function or ""]

            async def invoke_lambda(
                source: Any, info: GraphQLResolveInfo, context: RequestContext, arguments: dict[str, Any]
            ) -> Any:
                event = build_event(
                    info=info,
                    arguments=field_arguments(info, arguments),
                    source=source,
                    auth=context.auth,
                    headers=context.headers,
                    selection=selection_info(info),
                )
                if binding.batch:
                    return await self._loader(context, binding, function).load(event)
                return await function.ainvoke(event)

            invoke = invoke_lambda
        if self.api_cache is not None:  # AppSync's API cache stands where the resolver runs, after auth
            invoke = self.api_cache.wrap(type_name, field_name, invoke, mutation=is_mutation)

        async def resolve(*positional: Any, **arguments: Any) -> Any:
            source, info = positional
            return await invoke(source, info, begin(info), arguments)

        return resolve

    @staticmethod
    def _loader(context: RequestContext, binding: Binding, function: LocalFunction) -> DataLoader[Any, Any]:
        loader = context.loaders.get(binding.key)
        if loader is None:

            async def batch_invoke(events: list[ResolverEvent]) -> list[Any]:
                results = await function.ainvoke(events)
                if not isinstance(results, list) or len(results) != len(events):
                    raise LambdaError(
                        f"BatchInvoke for {binding.key} must return a list of {len(events)} results",
                        "Lambda:InvalidResponse",
                    )
                return results

            loader = DataLoader(load_fn=batch_invoke, max_batch_size=binding.max_batch_size, cache=False)
            context.loaders[binding.key] = loader
        return loader

    # -- execution -------------------------------------------------------------------------------

    async def execute(
        self,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        context: RequestContext,
    ) -> ResponseBody:
        """Execute one request; the result is AppSync's response body.

        The document is checked against the limits first (`request_limits`). A heavy document (long,
        introspecting or selecting many fields) runs on a worker thread (`execution_threads`), so it never
        holds the event loop; AppSync's execution timeout applies either way.
        """
        try:
            return await self._checked_and_run(query, variables, operation_name, context)
        except TimeoutError:
            logger.warning("request %s: execution timed out", context.request_id)
            return _request_error(EXECUTION_TIMEOUT_MESSAGE, EXECUTION_TIMEOUT_TYPE)

    async def _checked_and_run(
        self,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        context: RequestContext,
    ) -> ResponseBody:
        timeout = self.execution_timeout_seconds
        small = len(query) <= INLINE_QUERY_CHARS
        checked = (
            self._check(query)
            if small
            else await self.threads.run(functools.partial(self._check_async, query), timeout, heavy=True)
        )
        if isinstance(checked, DocumentRefused):
            return {"data": None, "errors": list(checked.errors)}
        if operation_name is None and checked.operations > 1:
            # GraphQL requires the name then (strawberry would quietly run the first operation)
            return _engine_refusal(SEVERAL_OPERATIONS_MESSAGE)
        root_resolvers = checked.root_resolver_count(operation_name)
        if root_resolvers > context.resolver_limit:
            return {"data": None, "errors": [resolver_count_refusal(context.resolver_limit)]}
        run = functools.partial(self._run, query, variables, operation_name, context)
        heavy = not small or checked.introspects or checked.fields > HEAVY_FIELDS
        result = await self.threads.run(run, timeout, heavy=heavy)
        if isinstance(result, dict):
            return result  # a rejection of the operation (ResponseBody)
        body: ResponseBody = {"data": result.data}
        errors = [format_error(error) for error in result.errors or ()]
        errors += [_appended(path, error) for path, error in context.appended_errors]
        if errors:
            body["errors"] = errors
        if context.cache_entries_deleted:
            body["extensions"] = {"apiCacheEntriesDeleted": context.cache_entries_deleted}
        published = [
            (field_name, result.data[key])
            for key, field_name in context.mutation_fields
            if result.data and result.data.get(key) is not None
        ]
        invalidations = context.invalidations
        if (published and self.mutation_listeners) or (invalidations and self.invalidation_listeners):
            # As on AppSync, the mutation answers without waiting for its subscribers to be reached.
            task = asyncio.ensure_future(self._notify(published, invalidations, context))
            self._notifications.add(task)
            task.add_done_callback(self._notifications.discard)
        return body

    async def _check_async(self, query: str) -> CheckedDocument | DocumentRefused:
        return self._check(query)

    async def _run(
        self,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        context: RequestContext,
    ) -> ExecutionResult | ResponseBody:
        """strawberry's execution of the request, or the rejection of an operation it cannot run."""
        try:
            return await self.schema.execute(
                query,
                variable_values=variables,
                context_value=context,
                operation_name=operation_name,
                allowed_operation_types=(OperationType.QUERY, OperationType.MUTATION),
            )
        except InvalidOperationTypeError:
            return _request_error(
                "Subscriptions are served over the realtime WebSocket endpoint, not over POST.",
                "ValidationError",
            )
        except CannotGetOperationTypeError:
            if operation_name:
                return _engine_refusal(UNKNOWN_OPERATION_MESSAGE.format(name=operation_name))
            return _engine_refusal(SEVERAL_OPERATIONS_MESSAGE)

    async def _notify(
        self, published: list[tuple[str, Any]], invalidations: list[Any], context: RequestContext
    ) -> None:
        try:
            for field_name, value in published:
                for listener in self.mutation_listeners:
                    await listener(field_name, value, context)
            for invalidation in invalidations:
                for handler in self.invalidation_listeners:
                    await handler(invalidation)
        except Exception:  # a subscriber-side failure never reaches the mutation's caller
            logger.exception("publishing the results of request %s failed", context.request_id)

    def new_context(self, auth: RequestAuth, headers: Mapping[str, str]) -> RequestContext:
        return RequestContext(
            auth=auth, headers=headers, resolver_limit=self.api.effective_resolver_count_limit
        )
