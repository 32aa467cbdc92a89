"""The app's schema as the runtime executes it: parsing and validation cached, the query depth limit,
introspection off when configured, AppSync's wording of validation and variable errors, and no field
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
    ASTValidationRule,
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    NoSchemaIntrospectionCustomRule,
    ValidationContext,
    ValidationRule,
    Visitor,
    get_operation_ast,
    parse,
    visit,
)
from strawberry.extensions import SchemaExtension
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


# A validated document: (the document, the rules it was validated with, the errors).
_Validated = tuple[DocumentNode, tuple[Any, ...], list[GraphQLError]]


class AppSyncRequestRules(SchemaExtension):
    """Everything the runtime adds to strawberry's parse and validation, as one extension (strawberry sets up
    each extension's hooks for every request: five extensions cost a cached read 6 % of its CPU).

    * the API's rules: the query depth limit and, when configured, no introspection;
    * validation and variable errors in AppSync's words (`engine_errors`), in AppSync's order: the rules are
      reworded before validation runs, and variables are coerced only once the document is valid;
    * parsed documents cached by their text, and validation results by the parsed document itself: every
      request with the same text gets the same `DocumentNode`, and graphql-core hashes a node by walking all of
      it, which cost a cached read more than validating (bench/README.md, listTodos).
    """

    lock = threading.Lock()

    def __init__(
        self,
        rules: tuple[type[ASTValidationRule], ...],
        parse: Callable[..., DocumentNode],
        validated: dict[int, _Validated],
    ) -> None:
        super().__init__()
        self.rules = rules
        self.parse = parse
        self.validated = validated

    def on_operation(self):  # type: ignore[no-untyped-def]
        context = self.execution_context
        context.validation_rules = appsync_rules(tuple(context.validation_rules) + self.rules)
        yield

    def on_parse(self):  # type: ignore[no-untyped-def]
        context = self.execution_context
        context.graphql_document = self.parse(context.query, **context.parse_options)
        yield

    def on_validate(self):  # type: ignore[no-untyped-def]
        context = self.execution_context
        document = context.graphql_document
        assert document is not None  # strawberry validates only what it parsed
        errors = self._validated(document, tuple(context.validation_rules))
        if not errors:
            operation = get_operation_ast(document, context.operation_name)
            if operation is not None:
                schema = strawberry_adapter.graphql_schema(context.schema)
                errors = variable_errors(
                    schema, operation.variable_definitions or (), context.variables or {}
                )
        context.pre_execution_errors = errors
        yield

    def _validated(self, document: DocumentNode, rules: tuple[Any, ...]) -> list[GraphQLError]:
        entry = self.validated.get(id(document))
        if entry is not None and entry[0] is document and entry[1] == rules:
            return entry[2]
        errors = validate_document(
            strawberry_adapter.graphql_schema(self.execution_context.schema), document, rules
        )
        with self.lock:  # heavy documents validate on a worker thread
            while len(self.validated) >= CACHE_SIZE:  # the oldest first
                del self.validated[next(iter(self.validated))]
            # The entry holds the document: its id cannot be reused while the entry stands.
            self.validated[id(document)] = (document, rules, errors)
        return errors


def runtime_schema(app_schema: strawberry.Schema, api: ApiConfig) -> strawberry.Schema:
    """A fresh strawberry schema from the app's types, with the API settings as extensions."""
    rules: tuple[type[ASTValidationRule], ...] = ()
    if api.query_depth_limit:
        # One rule class for the schema's life: it is part of the validation cache's key, so a class made per
        # request (as QueryDepthLimiter does) would make every request miss the cache.
        rules += (_measurable_depth(create_validator(api.query_depth_limit, None)),)
    if not api.introspection_enabled:
        rules += (NoSchemaIntrospectionCustomRule,)
    parse_cached = functools.lru_cache(maxsize=CACHE_SIZE)(parse)
    validated: dict[int, _Validated] = {}
    extensions = [functools.partial(AppSyncRequestRules, rules, parse_cached, validated)]
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
