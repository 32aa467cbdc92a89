"""The event AppSync sends a direct Lambda resolver, built from graphql-core's resolve info."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    print_ast,
)

from .auth import RequestAuth
from .wire.resolver_event import ResolverEvent, ResolverInfo


def _selection_list(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    current: GraphQLNamedType,
    prefix: str,
    out: dict[str, None],
) -> None:
    if selection_set is None:
        return
    fields = current.fields if isinstance(current, GraphQLObjectType | GraphQLInterfaceType) else {}
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            definition = fields.get(selection.name.value)
            # `__typename`, and fields a fragment selects on another type, are not the current type's fields.
            if definition is None or selection.name.value.startswith("__"):
                continue
            # AppSync lists an aliased field under its alias only.
            name = prefix + (selection.alias.value if selection.alias else selection.name.value)
            out[name] = None
            child = get_named_type(definition.type)
            _selection_list(selection.selection_set, fragments, child, name + "/", out)
        elif isinstance(selection, InlineFragmentNode):
            _selection_list(selection.selection_set, fragments, current, prefix, out)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                _selection_list(fragment.selection_set, fragments, current, prefix, out)


def selection_set_list(
    field_nodes: Iterable[FieldNode],
    fragments: Mapping[str, FragmentDefinitionNode],
    field_type: GraphQLOutputType,
) -> list[str]:
    """AppSync's `info.selectionSetList`: every selected path below the field, `a/b/c` style.

    Only fields of the type at each level are listed (devguide: resolver-context-reference-js, Info): below a
    field of an interface type, the interface's fields, not those a fragment selects on one of its types;
    below a union, none.
    """
    out: dict[str, None] = {}
    for node in field_nodes:
        _selection_list(node.selection_set, fragments, get_named_type(field_type), "", out)
    return list(out)


def selection_set_graphql(field_nodes: list[FieldNode]) -> str:
    """AppSync's `info.selectionSetGraphQL`: the field's selection set as GraphQL text."""
    node = field_nodes[0]
    return print_ast(node.selection_set) if node.selection_set is not None else ""


# Each field's selection info, for the process's life: the runtime parses a document once (`runtime_schema`),
# so the same field nodes come back in every request that sends it. An entry is keyed by the identities of the
# field's nodes and return type, and holds them, so that no other object takes those identities while it lives.
SELECTIONS_KEPT = 4096
_selections: dict[tuple[int, ...], tuple[tuple[object, ...], tuple[list[str], str]]] = {}
_selections_lock = threading.Lock()


def selection_info(info: GraphQLResolveInfo) -> tuple[list[str], str]:
    """The field's `selectionSetList` and `selectionSetGraphQL`, worked out once per field of a document (the same
    for every item of a list, and for every request that sends the document). Callers only read them."""
    nodes = info.field_nodes
    key = (id(info.return_type), *map(id, nodes))
    found = _selections.get(key)
    if found is not None:
        return found[1]
    selection = (
        selection_set_list(nodes, info.fragments, info.return_type),
        selection_set_graphql(nodes),
    )
    with _selections_lock:
        if len(_selections) >= SELECTIONS_KEPT:
            del _selections[next(iter(_selections))]  # the oldest
        _selections[key] = ((info.return_type, *nodes), selection)
    return selection


def _variables(info: GraphQLResolveInfo) -> dict[str, Any]:
    # graphql-core 3.3 types these as `VariableValues` (the values under `.coerced`); strawberry passes a dict.
    values: Any = info.variable_values
    return dict(getattr(values, "coerced", values))


def appsync_arguments(
    field_node: FieldNode, variables: Mapping[str, Any], arguments: Mapping[str, Any]
) -> dict[str, Any]:
    """The field's arguments as AppSync hands them to resolvers (`ctx.args`, the Lambda event's `arguments`).

    An argument written as a variable that the request did not send (and the operation gives no default)
    is there, null: AppSync's engine passes such an argument as an explicit null to APPSYNC_JS and Lambda
    resolvers alike (aws-appsync-community#348, #394), where GraphQL's spec leaves it out. An argument the
    document does not write stays absent. `variables` are the request's coerced variables.
    """
    found = dict(arguments)
    for argument in field_node.arguments or ():
        value = argument.value
        if isinstance(value, VariableNode) and value.name.value not in variables:
            found.setdefault(argument.name.value, None)
    return found


def field_arguments(info: GraphQLResolveInfo, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """`appsync_arguments` for the field `info` resolves."""
    return appsync_arguments(info.field_nodes[0], _variables(info), arguments)


def info_dict(info: GraphQLResolveInfo, selection: tuple[list[str], str]) -> ResolverInfo:
    """AppSync's `ctx.info` / the event's `info`."""
    selection_list, selection_graphql = selection
    return {
        "selectionSetList": selection_list,
        "selectionSetGraphQL": selection_graphql,
        "parentTypeName": info.parent_type.name,
        "fieldName": info.field_name,
        "variables": _variables(info),
    }


def build_event(
    *,
    info: GraphQLResolveInfo,
    arguments: dict[str, Any],
    source: Any,
    auth: RequestAuth,
    headers: Mapping[str, str],
    selection: tuple[list[str], str],
    stash: dict[str, Any] | None = None,
    prev: Any = None,
) -> ResolverEvent:
    """The direct Lambda resolver event (`Invoke`); BatchInvoke sends a list of these."""
    return {
        "arguments": arguments,
        "identity": auth.identity,
        "source": source,
        "request": {"headers": dict(headers), "domainName": None},
        "prev": prev,
        "info": info_dict(info, selection),
        "stash": stash if stash is not None else {},
    }
