"""The strawberry adapter against the installed strawberry: the graphql-core schema, enums served by name."""

from __future__ import annotations

import enum

import strawberry
from graphql import GraphQLEnumType, GraphQLSchema

from appsync_local import strawberry_adapter


@strawberry.enum
class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Query:
    color: Color = Color.RED


def test_the_graphql_core_schema_is_the_one_strawberry_prints() -> None:
    schema = strawberry.Schema(query=Query)
    built = strawberry_adapter.graphql_schema(schema)
    assert isinstance(built, GraphQLSchema)
    assert built.query_type is not None and set(built.query_type.fields) == {"color"}


def test_an_enum_served_by_name_passes_and_accepts_names() -> None:
    # GIVEN strawberry's enum type, which maps names to Python enum members
    enum_type = strawberry_adapter.graphql_schema(strawberry.Schema(query=Query)).type_map["Color"]
    assert isinstance(enum_type, GraphQLEnumType)
    # WHEN it serves names
    strawberry_adapter.serve_enum_by_name(enum_type)
    # THEN values in and out are AppSync's: the names
    assert enum_type.serialize("RED") == "RED"
    assert enum_type.parse_value("BLUE") == "BLUE"
