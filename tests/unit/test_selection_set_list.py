"""AppSync's `info.selectionSetList`: the selected fields of the type at each level, `a/b` style."""

from __future__ import annotations

from graphql import FieldNode, FragmentDefinitionNode, OperationDefinitionNode, build_schema, parse

from appsync_local.resolver_event import selection_set_list

SCHEMA = build_schema(
    """
    interface Node { id: ID! }
    type Post implements Node { id: ID! title: String author: Author }
    type Blog implements Node { id: ID! title: String category: String }
    type Author { name: String }
    union SearchResult = Post | Blog
    type Query { node(id: ID!): Node  post(id: ID!): Post  search(text: String): [SearchResult] }
    """
)


def listed(document: str) -> list[str]:
    """The selectionSetList of the query's first root field."""
    parsed = parse(document)
    operation = next(d for d in parsed.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)}
    (field,) = operation.selection_set.selections
    assert isinstance(field, FieldNode)
    field_type = SCHEMA.query_type.fields[field.name.value].type  # type: ignore[union-attr]
    return selection_set_list([field], fragments, field_type)


def test_below_an_interface_only_the_interfaces_fields_are_listed() -> None:
    # AppSync: "If the current type is an interface or union, only selected fields that belong to the
    # interface are exposed."
    assert listed(
        '{ node(id: "1") { id ... on Post { title author { name } } ... on Blog { category } } }'
    ) == ["id"]


def test_below_a_union_no_field_is_listed() -> None:
    assert listed('{ search(text: "x") { __typename ... on Post { id title } ... on Blog { id } } }') == []


def test_fragments_on_the_current_type_are_listed_with_aliases_and_nesting() -> None:
    document = """
      { post(id: "1") { id heading: title ...Who ... on Post { __typename } } }
      fragment Who on Post { author { name } }
    """
    assert listed(document) == ["id", "heading", "author", "author/name"]


def test_a_fragment_on_an_interface_of_the_current_type_lists_its_fields() -> None:
    assert listed('{ post(id: "1") { ... on Node { id } title } }') == ["id", "title"]
