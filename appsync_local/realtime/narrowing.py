"""A subscriber's view of a mutation's result: its selection applied, its arguments compared.

AppSync delivers the mutation's selection set narrowed to the subscriber's own: a field the mutation did not
select arrives as null, never invented. Argument filtering compares each non-null subscription argument with
the same-named top-level field of the mutation's result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    BooleanValueNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    SelectionNode,
    VariableNode,
    is_abstract_type,
)

from .filters import json_equal


def _included(
    node: FieldNode | FragmentSpreadNode | InlineFragmentNode, variables: Mapping[str, Any]
) -> bool:
    """@skip / @include, with literal or variable conditions."""
    for directive in node.directives or ():
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        condition: Any = None
        for argument in directive.arguments or ():
            if argument.name.value == "if":
                value = argument.value
                if isinstance(value, BooleanValueNode):
                    condition = value.value
                elif isinstance(value, VariableNode):
                    condition = variables.get(value.name.value)
        if name == "skip" and condition is True:
            return False
        if name == "include" and condition is not True:
            return False
    return True


@dataclass(frozen=True)
class _Scope:
    """What narrowing one level needs: fragments, variables, schema, and the static type at this level."""

    fragments: Mapping[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]
    schema: GraphQLSchema | None

    def applies(
        self, condition: NamedTypeNode | None, concrete: str | None, static: GraphQLNamedType | None
    ) -> bool:
        """Whether a fragment with this type condition applies to a value of the concrete type."""
        if condition is None:
            return True
        name = condition.name.value
        if concrete is not None:
            if name == concrete:
                return True
            if self.schema is not None:
                abstract = self.schema.get_type(name)
                concrete_type = self.schema.get_type(concrete)
                if is_abstract_type(abstract) and isinstance(concrete_type, GraphQLObjectType):
                    return self.schema.is_sub_type(abstract, concrete_type)
            return False
        # The value's type is unknown (an abstract field the mutation did not ask __typename of).
        return static is None or name == static.name


def _collect(
    selections: Sequence[SelectionNode],
    scope: _Scope,
    concrete: str | None,
    static: GraphQLNamedType | None,
    into: dict[str, list[FieldNode]],
    visited: set[str],
) -> dict[str, list[FieldNode]]:
    """Field nodes by response key, in document order, through fragments (as GraphQL's CollectFields)."""
    for selection in selections:
        if isinstance(selection, FieldNode):
            if _included(selection, scope.variables):
                key = selection.alias.value if selection.alias else selection.name.value
                into.setdefault(key, []).append(selection)
        elif isinstance(selection, InlineFragmentNode):
            if _included(selection, scope.variables) and scope.applies(
                selection.type_condition, concrete, static
            ):
                _collect(selection.selection_set.selections, scope, concrete, static, into, visited)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = scope.fragments.get(name)
            if fragment is None or name in visited or not _included(selection, scope.variables):
                continue
            visited.add(name)
            if scope.applies(fragment.type_condition, concrete, static):
                _collect(fragment.selection_set.selections, scope, concrete, static, into, visited)
    return into


def _unwrap_non_null(type_: GraphQLOutputType | None) -> GraphQLOutputType | None:
    return type_.of_type if isinstance(type_, GraphQLNonNull) else type_


def _named(type_: GraphQLOutputType | None) -> GraphQLNamedType | None:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


def _select_object(
    value: Mapping[str, Any], nodes: list[FieldNode], scope: _Scope, type_: GraphQLNamedType | None
) -> dict[str, Any]:
    typename = value.get("__typename")
    concrete = (
        typename
        if isinstance(typename, str)
        else (type_.name if isinstance(type_, GraphQLObjectType) else None)
    )
    selections = [s for node in nodes if node.selection_set for s in node.selection_set.selections]
    fields = _collect(selections, scope, concrete, type_, {}, set())
    concrete_type = scope.schema.get_type(concrete) if scope.schema and concrete else None
    field_source = concrete_type if isinstance(concrete_type, GraphQLObjectType) else type_
    out: dict[str, Any] = {}
    for key, field_nodes in fields.items():
        name = field_nodes[0].name.value
        if name == "__typename":
            out[key] = concrete
            continue
        field_defs = getattr(field_source, "fields", None) or {}
        field_def = field_defs.get(name)
        out[key] = _complete(value.get(name), field_nodes, scope, field_def.type if field_def else None)
    return out


def _complete(value: Any, nodes: list[FieldNode], scope: _Scope, type_: GraphQLOutputType | None) -> Any:
    if value is None:
        return None
    type_ = _unwrap_non_null(type_)
    if isinstance(value, list | tuple):
        item_type = type_.of_type if isinstance(type_, GraphQLList) else type_
        return [_complete(item, nodes, scope, item_type) for item in value]
    if any(node.selection_set for node in nodes):
        # An object field: a non-object value cannot be narrowed into one.
        return _select_object(value, nodes, scope, _named(type_)) if isinstance(value, Mapping) else None
    return value


def narrow(
    payload: Mapping[str, Any],
    field_node: FieldNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    *,
    variables: Mapping[str, Any] | None = None,
    schema: GraphQLSchema | None = None,
) -> dict[str, Any]:
    """The subscriber's selection (`field_node`'s) applied to a mutation's result.

    Fields the mutation did not select come out null; ``__typename`` is the payload's own if the mutation
    selected it, else the schema's type for the subscription field. With `schema`, fragments on interfaces
    and unions resolve as GraphQL resolves them.
    """
    scope = _Scope(fragments, variables or {}, schema)
    type_: GraphQLOutputType | None = None
    if schema is not None and schema.subscription_type is not None:
        field_def = schema.subscription_type.fields.get(field_node.name.value)
        type_ = field_def.type if field_def else None
    return _select_object(payload, [field_node], scope, _named(type_))


def root_fields(
    selections: Sequence[SelectionNode],
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    root: GraphQLObjectType,
) -> dict[str, list[FieldNode]]:
    """The operation's root fields by response key, through fragment spreads and inline fragments."""
    scope = _Scope(fragments, variables, None)
    return _collect(selections, scope, root.name, root, {}, set())


def arguments_match(arguments: Mapping[str, Any], payload: Mapping[str, Any]) -> bool:
    """AppSync's argument filtering: each non-null argument equals the payload's same-named top-level field."""
    return all(
        value is None or (name in payload and json_equal(payload[name], value))
        for name, value in arguments.items()
    )


# -- subscriptions ----------------------------------------------------------------------------------
