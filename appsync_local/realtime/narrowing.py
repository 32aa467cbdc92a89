"""A subscriber's view of a mutation's result: its selection applied, its arguments compared.

AppSync delivers the mutation's selection set narrowed to the subscriber's own: a field the mutation did not
select arrives as null, never invented. A null where the schema allows none is completed as AppSync's GraphQL
engine completes it: an error ("Cannot return null for non-nullable type: 'AWSDateTime' within parent 'Post'
(/onCreatePost/createdAt)", with its path) for each such field, and the null taken up to the nearest nullable
field, which may be the subscription field itself ("Subscriptions return unexpected null values",
aws-amplify/amplify-category-api#1338; amplify-cli#5542). Argument filtering compares each non-null
subscription argument with the same-named top-level field of the mutation's result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
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
    readable: Callable[[str, str], bool] | None = None  # the subscriber's field-level auth: (type, field)
    errors: list[dict[str, Any]] = field(default_factory=list)  # what completing the value found wrong

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


class _Bubble:
    """A null in a non-null position: its parent becomes null in turn (the error is already recorded)."""


_BUBBLE = _Bubble()
ResultPath = tuple[str | int, ...]


def _path_text(path: ResultPath) -> str:
    """A result path as AppSync's errors print it: ``/onCreatePost/comments[0]/by``."""
    return "".join(f"[{segment}]" if isinstance(segment, int) else f"/{segment}" for segment in path)


def _null_error(type_: GraphQLOutputType, parent: str, path: ResultPath) -> dict[str, Any]:
    return {
        "message": f"Cannot return null for non-nullable type: '{type_}' within parent '{parent}' "
        f"({_path_text(path)})",
        "path": list(path),
    }


def _unauthorized_error(type_name: str, field_name: str, path: ResultPath) -> dict[str, Any]:
    return {
        "errorType": "Unauthorized",
        "message": f"Not Authorized to access {field_name} on type {type_name}",
        "path": list(path),
    }


def _select_object(
    value: Mapping[str, Any],
    nodes: list[FieldNode],
    scope: _Scope,
    type_: GraphQLNamedType | None,
    path: ResultPath,
) -> dict[str, Any] | _Bubble:
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
    parent = concrete or (type_.name if type_ is not None else "")
    out: dict[str, Any] = {}
    bubbled = False
    for key, field_nodes in fields.items():
        name = field_nodes[0].name.value
        if name == "__typename":
            out[key] = concrete
            continue
        field_defs = getattr(field_source, "fields", None) or {}
        field_def = field_defs.get(name)
        field_type = field_def.type if field_def else None
        if scope.readable is not None and field_def is not None and not scope.readable(parent, name):
            # As a query would: null, with AppSync's Unauthorized error (never the mutation's value).
            scope.errors.append(_unauthorized_error(parent, name, (*path, key)))
            completed: Any = _BUBBLE if isinstance(field_type, GraphQLNonNull) else None
        else:
            completed = _complete(value.get(name), field_nodes, scope, field_type, parent, (*path, key))
        # Every field is completed, so each null in a non-null field is reported, as AppSync reports them.
        bubbled = bubbled or completed is _BUBBLE
        out[key] = None if completed is _BUBBLE else completed
    return _BUBBLE if bubbled else out


def _complete(
    value: Any,
    nodes: list[FieldNode],
    scope: _Scope,
    type_: GraphQLOutputType | None,
    parent: str,
    path: ResultPath,
) -> Any:
    """`value` completed as a `type_`; `_BUBBLE` when it is null where `type_` allows none."""
    non_null = isinstance(type_, GraphQLNonNull)
    completed = _complete_nullable(value, nodes, scope, _unwrap_non_null(type_), parent, path)
    if completed is None and non_null:
        assert isinstance(type_, GraphQLNonNull)
        scope.errors.append(_null_error(type_.of_type, parent, path))
        return _BUBBLE
    if completed is _BUBBLE and not non_null:
        return None
    return completed


def _complete_nullable(
    value: Any,
    nodes: list[FieldNode],
    scope: _Scope,
    type_: GraphQLOutputType | None,
    parent: str,
    path: ResultPath,
) -> Any:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        item_type = type_.of_type if isinstance(type_, GraphQLList) else type_
        # An item's parent, in the message of AppSync's engine (graphql-java), is the list it is in: '[String!]'.
        items = [
            _complete(item, nodes, scope, item_type, str(type_) if type_ else parent, (*path, index))
            for index, item in enumerate(value)
        ]
        return _BUBBLE if any(item is _BUBBLE for item in items) else items
    if any(node.selection_set for node in nodes):
        # An object field: a non-object value cannot be narrowed into one.
        if not isinstance(value, Mapping):
            return None
        return _select_object(value, nodes, scope, _named(type_), path)
    return value


def narrow(
    payload: Mapping[str, Any],
    field_node: FieldNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    *,
    variables: Mapping[str, Any] | None = None,
    schema: GraphQLSchema | None = None,
) -> dict[str, Any] | None:
    """The subscriber's selection (`field_node`'s) applied to a mutation's result: the subscription field's
    value, None when a null in a non-null field made it null (`narrowed_payload` says why).

    Fields the mutation did not select come out null; ``__typename`` is the payload's own if the mutation
    selected it, else the schema's type for the subscription field. With `schema`, fragments on interfaces
    and unions resolve as GraphQL resolves them.
    """
    value, _ = _narrowed(payload, field_node, fragments, field_node.name.value, variables, schema, None)
    return value


def narrowed_payload(
    payload: Mapping[str, Any],
    field_node: FieldNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    response_key: str,
    *,
    variables: Mapping[str, Any] | None = None,
    schema: GraphQLSchema | None = None,
    readable: Callable[[str, str], bool] | None = None,
) -> dict[str, Any]:
    """A subscriber's ``data`` message payload: ``{"data": {response_key: value}}``, with ``errors`` for each
    null in a non-null field (and ``data`` null when the subscription field itself is non-null).

    `readable(type, field)` is the subscriber's field-level auth: a field it may not read comes out null, with
    AppSync's Unauthorized error, as in a query.
    """
    value, errors = _narrowed(payload, field_node, fragments, response_key, variables, schema, readable)
    if not errors:
        return {"data": {response_key: value}}
    type_ = _subscription_field_type(field_node, schema)
    data = None if value is None and isinstance(type_, GraphQLNonNull) else {response_key: value}
    return {"data": data, "errors": errors}


def _subscription_field_type(field_node: FieldNode, schema: GraphQLSchema | None) -> GraphQLOutputType | None:
    if schema is None or schema.subscription_type is None:
        return None
    field_def = schema.subscription_type.fields.get(field_node.name.value)
    return field_def.type if field_def else None


def _narrowed(
    payload: Mapping[str, Any],
    field_node: FieldNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    response_key: str,
    variables: Mapping[str, Any] | None,
    schema: GraphQLSchema | None,
    readable: Callable[[str, str], bool] | None,
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    scope = _Scope(fragments, variables or {}, schema, readable)
    type_ = _subscription_field_type(field_node, schema)
    value = _select_object(payload, [field_node], scope, _named(type_), (response_key,))
    return (None if isinstance(value, _Bubble) else value), scope.errors


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
