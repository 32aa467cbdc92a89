"""The app's schema as the runtime executes it: strawberry's parser and validation caches, the query depth
limit, introspection off when configured, AppSync's wording of validation and variable errors, and no field
suggestions (AppSync makes none).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import threading
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import (
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    ValidationContext,
    ValidationRule,
    Visitor,
    get_operation_ast,
    visit,
)
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    ParserCache,
    SchemaExtension,
)
from strawberry.extensions.query_depth_limiter import create_validator
from strawberry.schema.schema import validate_document

from appdef import ApiConfig

from . import strawberry_adapter
from .engine_errors import appsync_rules, variable_errors
from .plain_completion import PlainCompletion

# Parsed and validated documents kept (many clients send the same few documents).
CACHE_SIZE = 1024
logger = logging.getLogger("appsync_local")


class _RuntimeSchema(strawberry.Schema):
    """The app's schema as the runtime executes it; errors go to the client, not to stderr as traces."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        for error in errors:
            logger.debug("GraphQL error at %s: %s", error.path, error.message)


class AppSyncEngineErrors(SchemaExtension):
    """Validation and variable errors in AppSync's words (`engine_errors`), in AppSync's order.

    Listed after the extensions that add validation rules and after `DocumentValidationCache`: the rules are
    reworded before validation runs, and variables are coerced only once the document is valid.
    """

    def on_operation(self):  # type: ignore[no-untyped-def]
        context = self.execution_context
        context.validation_rules = appsync_rules(context.validation_rules)
        yield

    def on_validate(self):  # type: ignore[no-untyped-def]
        context = self.execution_context
        document = context.graphql_document
        if not context.pre_execution_errors and document is not None:
            operation = get_operation_ast(document, context.operation_name)
            if operation is not None:
                schema = strawberry_adapter.graphql_schema(context.schema)
                errors = variable_errors(
                    schema, operation.variable_definitions or (), context.variables or {}
                )
                if errors:
                    context.pre_execution_errors = errors
        yield


def _measurable_depth(rule: type[ValidationRule]) -> type[ValidationRule]:
    """`rule` (strawberry's depth limit) for documents whose depth can be measured.

    strawberry's rule follows every fragment spread into its definition and fails on a spread of a fragment
    the document does not define (`{ ...F }`). Such a document is invalid anyway: the rule stands aside and
    KnownFragmentNames reports it, as AppSync does (UndefinedFragment).
    """

    class MeasurableDepth(rule):  # type: ignore[misc, valid-type]
        def __init__(self, context: ValidationContext) -> None:
            document = context.document
            defined = {d.name.value for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
            spread: set[str] = set()
            visit(document, _SpreadNames(spread))
            if spread <= defined:
                super().__init__(context)
            else:
                ValidationRule.__init__(self, context)

    return MeasurableDepth


class _SpreadNames(Visitor):
    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
        self.names.add(node.name.value)


class DocumentValidationCache(SchemaExtension):
    """strawberry's `ValidationCache`, keyed on the parsed document itself rather than its hash.

    `ParserCache` hands every request with the same text the same `DocumentNode`; graphql-core hashes a node
    by walking all of it, which cost a cached read more than validating (bench/README.md, listTodos).
    """

    lock = threading.Lock()

    def __init__(self, entries: dict[int, tuple[Any, tuple[Any, ...], list[GraphQLError]]]) -> None:
        super().__init__()
        self.entries = entries

    def on_validate(self):  # type: ignore[no-untyped-def]
        context = self.execution_context
        document = context.graphql_document
        rules = tuple(context.validation_rules)
        entry = self.entries.get(id(document))
        if entry is not None and entry[0] is document and entry[1] == rules:
            context.pre_execution_errors = entry[2]
        else:
            assert document is not None  # strawberry validates only what it parsed
            errors = validate_document(strawberry_adapter.graphql_schema(context.schema), document, rules)
            with self.lock:  # heavy documents validate on a worker thread
                while len(self.entries) >= CACHE_SIZE:  # the oldest first
                    del self.entries[next(iter(self.entries))]
                # The entry holds the document: its id cannot be reused while the entry stands.
                self.entries[id(document)] = (document, rules, errors)
            context.pre_execution_errors = errors
        yield


def runtime_schema(app_schema: strawberry.Schema, api: ApiConfig) -> strawberry.Schema:
    """A fresh strawberry schema from the app's types, with the API settings as extensions."""
    validated: dict[int, tuple[Any, tuple[Any, ...], list[GraphQLError]]] = {}
    extensions: list[Callable[[], Any]] = [
        lambda: ParserCache(maxsize=CACHE_SIZE),
        functools.partial(DocumentValidationCache, validated),
    ]
    if api.query_depth_limit:
        # One rule class for the schema's life: it is part of DocumentValidationCache's key, so a class made per
        # request (as QueryDepthLimiter does) would make every request miss the cache.
        depth_rule = _measurable_depth(create_validator(api.query_depth_limit, None))
        extensions.append(lambda: AddValidationRules([depth_rule]))
    if not api.introspection_enabled:
        extensions.append(DisableIntrospection)
    extensions.append(AppSyncEngineErrors)
    return _RuntimeSchema(
        query=app_schema.query,
        mutation=app_schema.mutation,
        subscription=app_schema.subscription,
        types=list(getattr(app_schema, "types", ()) or ()),
        extensions=extensions,
        # Keep the app's config (its scalar map carries the AWS scalars); only hide suggestions, which AppSync
        # never makes ("Did you mean …" would list the schema's fields even with introspection disabled).
        config=dataclasses.replace(app_schema.config, disable_field_suggestions=True),
        execution_context_class=PlainCompletion,
    )
