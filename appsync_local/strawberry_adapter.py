"""The one module that touches strawberry's internals (its graphql-core schema and its enum type).

strawberry offers no public accessor for the graphql-core schema it builds, and serves enums as Python enum
members where AppSync passes names. Everything else in the runtime goes through these functions, and
`tests/unit/test_strawberry_adapter.py` checks them against the installed strawberry (pinned in
`pyproject.toml` to the range they were tested with).
"""

from __future__ import annotations

import strawberry
from graphql import GraphQLEnumType, GraphQLSchema

# graphql-core's enum methods that strawberry's enum type overrides to map values to Python enum members.
_ENUM_METHODS = (
    "serialize",
    "coerce_output_value",
    "parse_value",
    "coerce_input_value",
    "parse_literal",
    "coerce_input_literal",
)


def graphql_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """The graphql-core schema strawberry built (and executes)."""
    built = schema._schema
    if not isinstance(built, GraphQLSchema):
        raise TypeError(f"strawberry {strawberry.__name__}: Schema._schema is no longer a GraphQLSchema")
    return built


def serve_enum_by_name(enum_type: GraphQLEnumType) -> None:
    """Make an enum of strawberry's pass and accept values by name, as AppSync does (graphql-core's own behaviour)."""
    for name, value in enum_type.values.items():
        value.value = name
    for method in _ENUM_METHODS:
        if hasattr(GraphQLEnumType, method):
            setattr(enum_type, method, getattr(GraphQLEnumType, method).__get__(enum_type))
