"""A strawberry schema printed in the form AppSync accepts, and read back the way AppSync reads it.

AppSync has the AWS scalars and the `@aws_*` directives built in and rejects a schema that declares them,
while strawberry prints their definitions. `appsync_sdl` drops those definitions and writes the `schema`
block explicitly; `build_appsync_schema` puts AppSync's built-in definitions (`APPSYNC_PRELUDE`) back in
front, so a test can prove the export parses the way AppSync would parse it.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import strawberry
from graphql import (
    DefinitionNode,
    DirectiveDefinitionNode,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    NamedTypeNode,
    NameNode,
    OperationType,
    OperationTypeDefinitionNode,
    ScalarTypeDefinitionNode,
    SchemaDefinitionNode,
    TypeDefinitionNode,
    build_ast_schema,
    parse,
    print_ast,
)

from . import strawberry_adapter

APPSYNC_SCALARS: tuple[str, ...] = (
    "AWSDate",
    "AWSTime",
    "AWSDateTime",
    "AWSTimestamp",
    "AWSEmail",
    "AWSJSON",
    "AWSURL",
    "AWSPhone",
    "AWSIPAddress",
)

# AppSync's built-in definitions, as the AWS Amplify tooling declares them for its own validation.
APPSYNC_PRELUDE: str = (
    "\n".join(f"scalar {name}" for name in APPSYNC_SCALARS)
    + """

directive @aws_api_key on FIELD_DEFINITION | OBJECT
directive @aws_iam on FIELD_DEFINITION | OBJECT
directive @aws_oidc on FIELD_DEFINITION | OBJECT
directive @aws_lambda on FIELD_DEFINITION | OBJECT
directive @aws_cognito_user_pools(cognito_groups: [String!]) on FIELD_DEFINITION | OBJECT
directive @aws_auth(cognito_groups: [String!]!) on FIELD_DEFINITION
directive @aws_subscribe(mutations: [String!]!) on FIELD_DEFINITION
"""
)

_ROOT_ORDER = (OperationType.QUERY, OperationType.MUTATION, OperationType.SUBSCRIPTION)


class SchemaExportError(ValueError):
    """The schema cannot be loaded or expressed in a form AppSync accepts."""


def load_schema(spec: str) -> strawberry.Schema:
    """Import `"package.module:attribute"` and return the strawberry Schema it names."""
    module_name, colon, attribute = spec.partition(":")
    if not colon or not module_name or not attribute:
        raise SchemaExportError(f"schema spec {spec!r} must look like 'package.module:attribute'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise SchemaExportError(f"cannot import {module_name!r} for schema {spec!r}: {error}") from error
    try:
        value = getattr(module, attribute)
    except AttributeError:
        raise SchemaExportError(f"module {module_name!r} has no attribute {attribute!r}") from None
    if not isinstance(value, strawberry.Schema):
        raise SchemaExportError(f"{spec!r} is a {type(value).__name__}, not a strawberry.Schema")
    return value


def _is_builtin(definition: DefinitionNode) -> bool:
    if isinstance(definition, ScalarTypeDefinitionNode):
        if definition.name.value in APPSYNC_SCALARS:
            return True
        # AppSync has no custom scalars; exporting one would only fail later, at deploy time.
        raise SchemaExportError(
            f"scalar {definition.name.value} is not one of AppSync's scalars ({', '.join(APPSYNC_SCALARS)})"
        )
    return isinstance(definition, DirectiveDefinitionNode) and definition.name.value.startswith("aws_")


def _schema_block(schema: strawberry.Schema) -> SchemaDefinitionNode:
    graphql_schema = strawberry_adapter.graphql_schema(schema)
    roots = {
        OperationType.QUERY: graphql_schema.query_type,
        OperationType.MUTATION: graphql_schema.mutation_type,
        OperationType.SUBSCRIPTION: graphql_schema.subscription_type,
    }
    return SchemaDefinitionNode(
        directives=(),
        operation_types=tuple(
            OperationTypeDefinitionNode(operation=op, type=NamedTypeNode(name=NameNode(value=root.name)))
            for op, root in ((op, roots[op]) for op in _ROOT_ORDER)
            if root is not None
        ),
    )


def appsync_sdl(schema: strawberry.Schema) -> str:
    """Print `schema` as AppSync accepts it: no AWS scalar or `@aws_*` directive definitions.

    The output starts with the `schema` block and the root operation types, then the other definitions in
    strawberry's (sorted) order, so the same schema always prints the same text.
    """
    document = parse(schema.as_str())
    roots = [op.type.name.value for op in _schema_block(schema).operation_types]
    kept = [d for d in document.definitions if not isinstance(d, SchemaDefinitionNode) and not _is_builtin(d)]

    def root_rank(definition: DefinitionNode) -> int:
        name = definition.name.value if isinstance(definition, TypeDefinitionNode) else ""
        return roots.index(name) if name in roots else len(roots)

    kept.sort(key=root_rank)  # stable: non-root definitions keep strawberry's order
    return print_ast(DocumentNode(definitions=(_schema_block(schema), *kept))) + "\n"


def build_appsync_schema(sdl: str) -> GraphQLSchema:
    """Build a graphql-core schema from AppSync-form SDL, with AppSync's built-in definitions in front."""
    try:
        return build_ast_schema(parse(APPSYNC_PRELUDE + "\n" + sdl))
    except GraphQLError as error:  # a syntax error
        raise SchemaExportError(f"the schema is not valid AppSync SDL: {error.message}") from error
    except TypeError as error:  # graphql-core reports invalid SDL (unknown types, directives…) this way
        raise SchemaExportError(f"the schema is not valid AppSync SDL: {error}") from error


def write_schema_file(path: Path | str, schema: strawberry.Schema | str) -> bool:
    """Write the AppSync-form SDL of `schema` (a Schema or a `module:attribute` spec) to `path`.

    Returns whether the file changed, so a command can say "up to date" rather than "written".
    """
    if isinstance(schema, str):
        schema = load_schema(schema)
    target = Path(path)
    text = appsync_sdl(schema)
    if target.exists() and target.read_text(encoding="utf-8") == text:
        return False
    target.write_text(text, encoding="utf-8")
    return True


__all__ = [
    "APPSYNC_PRELUDE",
    "APPSYNC_SCALARS",
    "SchemaExportError",
    "appsync_sdl",
    "build_appsync_schema",
    "load_schema",
    "write_schema_file",
]
