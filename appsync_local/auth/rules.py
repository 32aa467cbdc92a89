"""AppSync's auth directives, resolved once per schema into a per-field rule."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from graphql import (
    DirectiveNode,
    GraphQLError,
    ListValueNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    StringValueNode,
    ValueNode,
    parse,
)

from appsync_local.auth.request_auth import (
    API_KEY,
    AWS_IAM,
    AWS_LAMBDA,
    OPENID_CONNECT,
    USER_POOLS,
    RequestAuth,
)

MODES = (API_KEY, AWS_IAM, USER_POOLS, OPENID_CONNECT, AWS_LAMBDA)
# The operation types: an IAM policy names the fields of these a principal may call.
ROOT_TYPES = frozenset({"Query", "Mutation", "Subscription"})

# Each mode maps to None (anyone authenticated with it) or the user-pool groups, one of which is needed.
Rule = Mapping[str, frozenset[str] | None]

DIRECTIVE_MODES = {
    "aws_api_key": API_KEY,
    "aws_iam": AWS_IAM,
    "aws_cognito_user_pools": USER_POOLS,
    # The original, user-pools-only directive; AppSync still honours it.
    "aws_auth": USER_POOLS,
    "aws_oidc": OPENID_CONNECT,
    "aws_lambda": AWS_LAMBDA,
}


class SchemaAuthError(ValueError):
    """The schema's auth directives cannot be read."""


def _strings(value: ValueNode, where: str) -> list[str]:
    # GraphQL coerces a single value into a one-item list, so accept both forms.
    values = (value.values or ()) if isinstance(value, ListValueNode) else (value,)
    if not all(isinstance(item, StringValueNode) for item in values):
        raise SchemaAuthError(f"{where}: cognito_groups must be a list of strings")
    return [item.value for item in values if isinstance(item, StringValueNode)]


def _rule(directives: Sequence[DirectiveNode], where: str) -> dict[str, frozenset[str] | None] | None:
    """The modes named by a type's or field's directives; None when it names none."""
    rule: dict[str, frozenset[str] | None] = {}
    for directive in directives:
        mode = DIRECTIVE_MODES.get(directive.name.value)
        if mode is None:
            continue
        groups: frozenset[str] | None = None
        for argument in directive.arguments or ():
            if argument.name.value == "cognito_groups":
                groups = frozenset(_strings(argument.value, f"{where} @{directive.name.value}"))
        _merge(rule, mode, groups)
    return rule or None


def _merge(rule: dict[str, frozenset[str] | None], mode: str, groups: frozenset[str] | None) -> None:
    """Add `mode` to `rule`; naming a mode twice opens it to all if either does, else to either's groups."""
    if mode not in rule:
        rule[mode] = groups
        return
    earlier = rule[mode]
    rule[mode] = None if earlier is None or groups is None else earlier | groups


class AuthRules:
    """Which auth modes (and user-pool groups) may read each field, following AppSync's precedence.

    A field's directives override its type's; with neither, only the default mode applies; once a type
    or field names modes, the default mode no longer applies there implicitly.

    Parameters
    ----------
    field_rules
        The rule of every ``(type, field)`` declared on an object type.
    type_rules
        The rule of every object type (its directives, or the default mode), for fields not listed.
    default_mode
        The API's default auth mode.
    """

    def __init__(
        self,
        field_rules: dict[tuple[str, str], Rule],
        type_rules: dict[str, Rule],
        default_mode: str,
    ) -> None:
        self._field_rules = field_rules
        self._type_rules = type_rules
        self._default_rule: Rule = {default_mode: None}
        self.default_mode = default_mode

    @classmethod
    def from_sdl(cls, sdl: str, default_mode: str, additional_modes: Sequence[str]) -> AuthRules:
        """Compute the rules of every field of every object type in `sdl` (AppSync's SDL form).

        The modes are checked against AppSync's; a directive naming a mode the API does not enable
        simply matches no request, as no request can authenticate with it.
        """
        unknown = [m for m in (default_mode, *additional_modes) if m not in MODES]
        if unknown:
            raise SchemaAuthError(
                f"unknown auth mode(s) {', '.join(unknown)}; AppSync has {', '.join(MODES)}"
            )
        try:
            document = parse(sdl)
        except GraphQLError as exc:
            raise SchemaAuthError(f"the schema cannot be parsed: {exc.message}") from exc
        default_rule: Rule = {default_mode: None}
        objects = [
            d
            for d in document.definitions
            if isinstance(d, ObjectTypeDefinitionNode | ObjectTypeExtensionNode)
        ]
        type_rules: dict[str, dict[str, frozenset[str] | None]] = {}
        for definition in objects:
            name = definition.name.value
            named = _rule(definition.directives or (), name)
            # A type's directives may be spread over its definition and its extensions.
            for mode, groups in (named or {}).items():
                _merge(type_rules.setdefault(name, {}), mode, groups)
        resolved_types: dict[str, Rule] = {
            d.name.value: type_rules.get(d.name.value, default_rule) for d in objects
        }
        field_rules: dict[tuple[str, str], Rule] = {}
        for definition in objects:
            type_name = definition.name.value
            for field in definition.fields or ():
                where = f"{type_name}.{field.name.value}"
                field_rules[(type_name, field.name.value)] = (
                    _rule(field.directives or (), where) or resolved_types[type_name]
                )
        return cls(field_rules, resolved_types, default_mode)

    def allows(self, type_name: str, field_name: str, auth: RequestAuth) -> bool:
        """Whether the caller may resolve `type_name.field_name`."""
        rule = self._field_rules.get((type_name, field_name))
        if rule is None:
            if field_name.startswith("__") or type_name.startswith("__"):
                # __typename and introspection are open to any authenticated caller.
                return True
            rule = self._type_rules.get(type_name, self._default_rule)
        if auth.mode not in rule:
            return False
        if auth.denied_fields and f"{type_name}.{field_name}" in auth.denied_fields:
            return False  # the Lambda authorizer's deniedFields: null, with AppSync's Unauthorized error
        if (
            auth.allowed_fields is not None
            and type_name in ROOT_TYPES
            and f"{type_name}.{field_name}" not in auth.allowed_fields
        ):
            return False  # the principal's IAM policy does not allow this field
        groups = rule[auth.mode]
        return groups is None or not groups.isdisjoint(auth.groups)

    def modes_for(self, type_name: str, field_name: str) -> Rule:
        """The modes (and groups) that may read a field: for error messages and diagnostics."""
        return self._field_rules.get((type_name, field_name)) or self._type_rules.get(
            type_name, self._default_rule
        )

    @staticmethod
    def denied_message(type_name: str, field_name: str) -> str:
        """AppSync's error message for a field the caller may not read."""
        return f"Not Authorized to access {field_name} on type {type_name}"
