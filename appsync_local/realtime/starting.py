"""What AppSync does when a client starts a subscription: validate, authorize, run the subscription resolver."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_operation_ast,
    specified_rules,
    validate,
)
from graphql.execution.values import get_argument_values, get_variable_values

from ..auth import RequestAuth
from ..engine_errors import appsync_rules, variable_errors
from ..errors import AppSyncFieldError, FieldUnauthorizedError, format_error
from ..executor import SEVERAL_OPERATIONS_MESSAGE, UNKNOWN_OPERATION_MESSAGE
from ..request_limits import DocumentRefused, check_counts
from ..resolver_context import ResolverInvocation
from ..resolver_event import appsync_arguments, selection_set_graphql, selection_set_list
from ..runtime import Runtime
from ..wire.response import EngineErrorEntry, FieldErrorEntry, ResolverErrorEntry
from .filters import Filter, FilterError, parse_filter
from .messages import EngineMessageEntry, ErrorEntry
from .narrowing import root_fields

SUBSCRIPTION = "Subscription"

logger = logging.getLogger("appsync_local.realtime")


class StartRefused(Exception):
    """A ``start`` AppSync refuses; `errors` is the ``payload.errors`` list of the ``error`` message."""

    def __init__(self, errors: list[ErrorEntry]) -> None:
        super().__init__(errors[0].get("message") if errors else "refused")
        self.errors = errors


def _engine_message(message: str) -> ErrorEntry:
    entry: EngineMessageEntry = {"message": message}
    # The other entries all carry an errorType; a union with this one would make every literal ambiguous.
    return cast(ErrorEntry, entry)


def _realtime_entry(error: GraphQLError) -> ErrorEntry:
    """A GraphQL error as a realtime `error` carries it: an engine error's text alone, as AppSync sends it."""
    return _as_realtime(format_error(error))


def _as_realtime(entry: FieldErrorEntry | EngineErrorEntry) -> ErrorEntry:
    if "errorType" not in entry:
        return _engine_message(entry["message"])
    return cast(FieldErrorEntry, entry)


def _field_error(error: AppSyncFieldError) -> ResolverErrorEntry:
    return {
        "errorType": error.error_type,
        "message": error.message,
        "data": error.data,
        "errorInfo": error.error_info,
    }


@dataclass(frozen=True)
class PreparedSubscription:
    """A validated, authorized subscription, ready to register.

    Parameters
    ----------
    field_name
        The subscription field (``onCreatePost``).
    response_key
        The field's alias, or its name: the key of ``data`` in every delivery.
    arguments
        The field's arguments, coerced (argument filtering compares them with the mutation's result).
    field_node, fragments
        The subscriber's selection, to narrow each mutation result to it.
    auth
        Who subscribed.
    filter, invalidation_filter
        The enhanced filters the subscription resolver set (None when it set none or there is no resolver).
    """

    field_name: str
    response_key: str
    arguments: dict[str, Any]
    field_node: FieldNode
    fragments: dict[str, FragmentDefinitionNode]
    auth: RequestAuth
    filter: Filter | None = None
    invalidation_filter: Filter | None = None


def _operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode:
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        message = (
            UNKNOWN_OPERATION_MESSAGE.format(name=operation_name)
            if operation_name
            else SEVERAL_OPERATIONS_MESSAGE
        )
        raise StartRefused([_engine_message(message)])
    if operation.operation is not OperationType.SUBSCRIPTION:
        raise StartRefused(
            [
                {
                    "errorType": "UnsupportedOperation",
                    "message": f"{operation.operation.value} not supported through the realtime channel",
                }
            ]
        )
    return operation


class SubscriptionStarter:
    """Turns a start's GraphQL request and auth into a `PreparedSubscription`, or refuses it."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._schema: GraphQLSchema = runtime.executor.graphql_schema
        # Many clients start the same subscription: parse and validate each distinct text once.
        self._checked = functools.lru_cache(maxsize=1024)(self._parse_and_validate)

    def _parse_and_validate(self, query: str) -> DocumentNode | list[ErrorEntry]:
        """The document, or the AppSync-shaped errors that refuse it (cached by the query text)."""
        limits = self._runtime.executor.limits
        try:
            document = limits.parse(query)
            check_counts(document, limits)
        except GraphQLError as exc:
            return [_realtime_entry(exc)]
        except DocumentRefused as refused:
            return [_as_realtime(entry) for entry in refused.errors]
        errors = validate(self._schema, document, appsync_rules(specified_rules))
        return [_realtime_entry(e) for e in errors] if errors else document

    async def prepare(
        self,
        query: str,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
        auth: RequestAuth,
        headers: Mapping[str, str],
    ) -> PreparedSubscription:
        """Validate the document, check the field's auth directives, run its resolver; raise `StartRefused`."""
        checked = self._checked(query)
        if isinstance(checked, list):
            raise StartRefused(checked)
        document = checked
        operation = _operation(document, operation_name)
        subscription_type = self._schema.subscription_type
        assert subscription_type is not None  # validation found the subscription operation's fields
        refused = variable_errors(self._schema, operation.variable_definitions or (), dict(variables or {}))
        if refused:
            raise StartRefused([_realtime_entry(e) for e in refused])
        coerced = get_variable_values(
            self._schema, operation.variable_definitions or (), dict(variables or {})
        )
        if isinstance(coerced, list):
            raise StartRefused([_realtime_entry(e) for e in coerced])
        field_node = _subscribed_field(operation, document, coerced.coerced, subscription_type)
        field_name = field_node.name.value
        if field_name.startswith("__"):
            raise StartRefused(
                [
                    {
                        "errorType": "ValidationError",
                        "message": "A subscription must select a field of the Subscription type.",
                    }
                ]
            )
        if not self._runtime.executor.rules.allows(SUBSCRIPTION, field_name, auth):
            raise StartRefused([_field_error(FieldUnauthorizedError(SUBSCRIPTION, field_name))])
        field_def = subscription_type.fields[field_name]
        try:
            arguments = get_argument_values(field_def, field_node, coerced)
        except GraphQLError as exc:
            raise StartRefused([_realtime_entry(exc)]) from exc
        fragments = _fragments(document)
        prepared = PreparedSubscription(
            field_name=field_name,
            response_key=field_node.alias.value if field_node.alias else field_name,
            arguments=arguments,
            field_node=field_node,
            fragments=fragments,
            auth=auth,
        )
        # ctx.info.variables holds the variables as the client sent them (JSON), not graphql-core's coercion,
        # plus the operation's default of each one it did not send (AppSync's engine applies them there)
        sent = dict(variables or {})
        defaults = {
            definition.variable.name.value: coerced.coerced[definition.variable.name.value]
            for definition in operation.variable_definitions or ()
            if definition.variable.name.value not in sent
            and definition.variable.name.value in coerced.coerced
        }
        return await self._run_resolver(prepared, subscription_type, {**sent, **defaults}, headers)

    async def _run_resolver(
        self,
        prepared: PreparedSubscription,
        subscription_type: GraphQLObjectType,
        variables: dict[str, Any],
        headers: Mapping[str, str],
    ) -> PreparedSubscription:
        """Run the field's APPSYNC_JS (or pipeline) resolver, which may refuse or set enhanced filters."""
        binding = self._runtime.bindings.get(SUBSCRIPTION, prepared.field_name)
        runner = self._runtime.executor.code_runner
        if binding is None or binding.kind not in ("JS", "PIPELINE") or runner is None:
            return prepared
        nodes = [prepared.field_node]
        invocation = ResolverInvocation(
            arguments=appsync_arguments(prepared.field_node, variables, prepared.arguments),
            source=None,
            identity=prepared.auth.identity,
            auth_type=prepared.auth.mode,
            request_headers={k.lower(): v for k, v in headers.items()},
            info={
                "selectionSetList": selection_set_list(
                    nodes, prepared.fragments, subscription_type.fields[prepared.field_name].type
                ),
                "selectionSetGraphQL": selection_set_graphql(nodes),
                "parentTypeName": subscription_type.name,
                "fieldName": prepared.field_name,
                "variables": variables,
            },
            request_id=str(uuid.uuid4()),
        )
        try:
            await runner.run(binding, invocation)
        except AppSyncFieldError as exc:
            raise StartRefused([_field_error(exc)]) from exc
        except Exception as exc:  # e.g. code AppSync's runtime rejects: report it, never a trace
            logger.warning("subscription resolver %s failed: %s", binding.key, exc)
            error_type = getattr(exc, "error_type", None) or "InternalFailure"
            raise StartRefused(
                [{"errorType": str(error_type), "message": str(exc) or type(exc).__name__}]
            ) from exc
        if invocation.appended_errors:
            raise StartRefused([_field_error(e) for e in invocation.appended_errors])
        try:
            found = _optional_filter(invocation.extensions.get("subscriptionFilter"))
            invalidation = _optional_filter(invocation.extensions.get("subscriptionInvalidationFilter"))
        except FilterError as exc:
            raise StartRefused(
                [{"errorType": "BadRequestException", "message": exc.message, "errorCode": exc.error_code}]
            ) from exc
        return PreparedSubscription(
            **{**prepared.__dict__, "filter": found, "invalidation_filter": invalidation}
        )


def _subscribed_field(
    operation: OperationDefinitionNode,
    document: DocumentNode,
    variables: Mapping[str, Any],
    subscription_type: GraphQLObjectType,
) -> FieldNode:
    """The one field a subscription selects, found through fragments (`{ ...F }`, `{ ... on Subscription }`).

    Validation allows a single root field; when fragments select it more than once, their selections merge
    into one node, as GraphQL's field collection merges them.
    """
    fields = root_fields(
        operation.selection_set.selections, _fragments(document), variables, subscription_type
    )
    if len(fields) != 1:
        raise StartRefused(
            [{"errorType": "ValidationError", "message": "A subscription must select exactly one field."}]
        )
    (nodes,) = fields.values()
    if len(nodes) == 1:
        return nodes[0]
    merged = tuple(s for node in nodes if node.selection_set for s in node.selection_set.selections)
    first = nodes[0]
    return FieldNode(
        alias=first.alias,
        name=first.name,
        arguments=first.arguments,
        directives=(),
        selection_set=SelectionSetNode(selections=merged) if merged else None,
        loc=first.loc,
    )


def _optional_filter(value: Any) -> Filter | None:
    return None if value is None else parse_filter(value)


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
