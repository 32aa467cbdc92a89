"""Completing plain values directly, without graphql-core's per-field path.

Most of a response is values read straight off a resolver's result: a page of 20 todos selecting six fields
each is 120 of them, a page of 100 posts with their authors over a thousand. graphql-core resolves every one
as a field of its own (resolve info, path, resolver call, auth check, completion), which cost a third of a
cached `listTodos` request's CPU (bench/README.md).

For each (object type, selection) of a request this works out once whether every selected field is plain: no
binding (the runtime's `PlainField` resolver), no arguments, allowed to the caller by the auth rules, and of
a scalar, enum, object or list type whose own selection is plain in turn (`__typename` too). If so, each
object of that type is completed by reading and serializing those values directly. Anything else, and any
value the direct path cannot complete exactly (a null in a non-null field, a value its scalar refuses, a
list that is not one), falls back to graphql-core's own completion of that object, which then reports the
error with its path as before: the direct path only ever produces what the generic one would.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graphql import (
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from .auth import AuthRules, RequestAuth
from .errors import FieldUnauthorizedError


def value_of(source: Any, name: str) -> Any:
    """A resolver result's value for `name`: a key of a mapping, else an attribute (None when absent)."""
    if isinstance(source, Mapping):
        return source.get(name)
    return getattr(source, name, None)


class PlainField:
    """The resolver of a field with no binding: the source's value of the same name, once auth allows it."""

    __slots__ = ("field_name", "rules", "type_name")

    def __init__(self, type_name: str, field_name: str, rules: AuthRules) -> None:
        self.type_name = type_name
        self.field_name = field_name
        self.rules = rules

    def allows(self, auth: RequestAuth) -> bool:
        return self.rules.allows(self.type_name, self.field_name, auth)

    def __call__(self, source: Any, info: GraphQLResolveInfo, **_: Any) -> Any:
        if not self.allows(info.context.auth):
            raise FieldUnauthorizedError(self.type_name, self.field_name)
        return value_of(source, self.field_name)


class _Refused(Exception):
    """A value the direct path does not complete: graphql-core's completion decides (and reports) it."""


# Completes one value of a field's type, or raises _Refused.
_Complete = Callable[[Any], Any]


def _nullable(complete_value: _Complete, non_null: bool) -> _Complete:
    """`complete_value` for a present value; null passes where the type is nullable and is refused where not."""

    def complete(value: Any) -> Any:
        if value is None or value is Undefined:
            if non_null:
                raise _Refused
            return None
        return complete_value(value)

    return complete


def _leaf(serialize: Callable[[Any], Any]) -> _Complete:
    def complete(value: Any) -> Any:
        try:
            serialized = serialize(value)
        except Exception as exc:  # the generic path raises it again, located at its field
            raise _Refused from exc
        if serialized is None or serialized is Undefined:
            raise _Refused
        return serialized

    return complete


def _list(item: _Complete) -> _Complete:
    def complete(value: Any) -> Any:
        if not isinstance(value, (list, tuple)):
            raise _Refused  # graphql-core decides what else is a list, or reports it
        return [item(entry) for entry in value]

    return complete


class _ObjectPlan:
    """One object type's plain selection: (response name, field name or None for __typename, completer)."""

    __slots__ = ("fields", "typename")

    def __init__(self, fields: list[tuple[str, str | None, _Complete | None]], typename: str) -> None:
        self.fields = fields
        self.typename = typename

    def complete(self, source: Any) -> dict[str, Any]:
        mapping = isinstance(source, Mapping)
        out: dict[str, Any] = {}
        for response_name, name, complete in self.fields:
            if name is None or complete is None:
                out[response_name] = self.typename
                continue
            out[response_name] = complete(source.get(name) if mapping else getattr(source, name, None))
        return out


class PlainCompletion(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context, completing plain objects directly (see the module doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (type, id(selection)) -> (the selection, kept alive so its id is not reused; the plan or None)
        self._plans: dict[tuple[GraphQLObjectType, int], tuple[FieldDetailsList, _ObjectPlan | None]] = {}

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        plan = self._object_plan(return_type, field_details_list, info.context.auth)
        if plan is not None:
            try:
                return plan.complete(result)
            except _Refused:
                pass
        return super().complete_object_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _object_plan(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList, auth: RequestAuth
    ) -> _ObjectPlan | None:
        key = (object_type, id(field_details_list))
        known = self._plans.get(key)
        if known is None:
            known = self._plans[key] = (field_details_list, self._plan(object_type, field_details_list, auth))
        return known[1]

    def _plan(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList, auth: RequestAuth
    ) -> _ObjectPlan | None:
        middleware = self.middleware_manager
        if (middleware is not None and middleware.middlewares) or object_type.is_type_of is not None:
            return None
        grouped, new_defer_usages, forbidden = self.collect_subfields(object_type, field_details_list)
        if new_defer_usages or forbidden:
            return None
        fields: list[tuple[str, str | None, _Complete | None]] = []
        for response_name, details in grouped.items():
            node = details[0].node
            name = node.name.value
            if name == "__typename":
                fields.append((response_name, None, None))
                continue
            field_def = object_type.fields.get(name)
            if field_def is None or node.arguments or field_def.args:
                return None
            resolver = field_def.resolve
            if not isinstance(resolver, PlainField) or not resolver.allows(auth):
                return None
            complete = self._completer(field_def.type, details, auth)
            if complete is None:
                return None
            fields.append((response_name, name, complete))
        return _ObjectPlan(fields, object_type.name)

    def _completer(
        self, type_: GraphQLOutputType, details: FieldDetailsList, auth: RequestAuth
    ) -> _Complete | None:
        non_null = is_non_null_type(type_)
        inner = type_.of_type if non_null else type_  # type: ignore[union-attr]
        if is_leaf_type(inner):
            return _nullable(_leaf(inner.coerce_output_value), non_null)
        if is_list_type(inner):
            item = self._completer(inner.of_type, details, auth)
            return None if item is None else _nullable(_list(item), non_null)
        if is_object_type(inner):
            plan = self._object_plan(inner, details, auth)
            return None if plan is None else _nullable(plan.complete, non_null)
        return None  # interfaces and unions: graphql-core resolves the type
