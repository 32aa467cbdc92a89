"""AppSync's words for the GraphQL engine's own errors: syntax, validation and variable coercion.

AppSync's engine is graphql-java, and its responses carry graphql-java's texts, e.g.
``Validation error of type FieldUndefined: Field 'x' in type 'Post' is undefined @ 'getPost/x'``, with
``path: null``, the locations, and no ``errorType`` (docs/appsync-parity.md lists each text and where AWS
shows it). The runtime validates with graphql-core; this module rewords what graphql-core's rules report,
as each rule reports it (the rule and the nodes say what happened, never graphql-core's message text), and
coerces variables with AppSync's texts before graphql-core does.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from graphql import (
    ArgumentNode,
    ASTValidationRule,
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    EnumValueNode,
    ExecutableDefinitionsRule,
    FieldNode,
    FieldsOnCorrectTypeRule,
    FloatValueNode,
    FragmentDefinitionNode,
    FragmentsOnCompositeTypesRule,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    IntValueNode,
    KnownArgumentNamesRule,
    KnownDirectivesRule,
    KnownFragmentNamesRule,
    KnownTypeNamesRule,
    ListValueNode,
    LoneAnonymousOperationRule,
    NameNode,
    Node,
    NoFragmentCyclesRule,
    NoUndefinedVariablesRule,
    NoUnusedFragmentsRule,
    NoUnusedVariablesRule,
    NullValueNode,
    ObjectFieldNode,
    ObjectValueNode,
    OperationDefinitionNode,
    PossibleFragmentSpreadsRule,
    ProvidedRequiredArgumentsRule,
    ScalarLeafsRule,
    StringValueNode,
    UniqueArgumentNamesRule,
    UniqueFragmentNamesRule,
    UniqueInputFieldNamesRule,
    UniqueOperationNamesRule,
    UniqueVariableNamesRule,
    ValidationContext,
    ValuesOfCorrectTypeRule,
    VariableDefinitionNode,
    VariableNode,
    VariablesAreInputTypesRule,
    VariablesInAllowedPositionRule,
    get_named_type,
    is_input_object_type,
    is_list_type,
    is_non_null_type,
    type_from_ast,
)
from graphql.language import Lexer, Source, TokenKind
from graphql.pyutils import Undefined

# (graphql-java's ValidationErrorType, its description) for one reported error; None keeps graphql-core's text.
Described = tuple[str, str] | None
Describe = Callable[[ValidationContext, GraphQLError, "_Parents"], Described]


class _Parents:
    """Each node's parent in one document, built on the first error and only then."""

    def __init__(self, document: DocumentNode) -> None:
        self._parent: dict[int, Node] = {}
        self._walk(document)

    def _walk(self, node: Node) -> None:
        for key in node.keys:
            value = getattr(node, key, None)
            children = value if isinstance(value, (list, tuple)) else (value,)
            for child in children:
                if isinstance(child, Node):
                    self._parent[id(child)] = node
                    self._walk(child)

    def of(self, node: Node) -> Node | None:
        return self._parent.get(id(node))

    def ancestors(self, node: Node) -> Iterator[Node]:
        parent = self.of(node)
        while parent is not None:
            yield parent
            parent = self.of(parent)

    def query_path(self, node: Node) -> list[str]:
        """graphql-java's query path: the names of the enclosing fields, from the fragment or operation."""
        names: list[str] = []
        for current in (node, *self.ancestors(node)):
            if isinstance(current, FieldNode):
                names.append(current.name.value)
            elif isinstance(current, FragmentDefinitionNode):
                names.append(current.name.value)
                break
            elif isinstance(current, OperationDefinitionNode):
                break
        return names[::-1]


def validation_message(error_type: str, description: str, query_path: Sequence[str]) -> str:
    """graphql-java's ValidationError text."""
    where = f" @ '{'/'.join(query_path)}'" if query_path else ""
    return f"Validation error of type {error_type}: {description}{where}"


# -- graphql-java's printing of values and types ---------------------------------------------------------


def java_value(node: Node) -> str:
    """A literal as graphql-java's AST prints it (`StringValue{value='x'}`), as AppSync's texts show it."""
    if isinstance(node, StringValueNode):
        return f"StringValue{{value='{node.value}'}}"
    if isinstance(node, IntValueNode):
        return f"IntValue{{value={node.value}}}"
    if isinstance(node, FloatValueNode):
        return f"FloatValue{{value={node.value}}}"
    if isinstance(node, BooleanValueNode):
        return f"BooleanValue{{value={str(node.value).lower()}}}"
    if isinstance(node, EnumValueNode):
        return f"EnumValue{{name='{node.value}'}}"
    if isinstance(node, NullValueNode):
        return "NullValue{}"
    if isinstance(node, VariableNode):
        return f"VariableReference{{name='{node.name.value}'}}"
    if isinstance(node, ListValueNode):
        return f"ArrayValue{{values=[{', '.join(java_value(v) for v in node.values)}]}}"
    if isinstance(node, ObjectValueNode):
        fields = ", ".join(
            f"ObjectField{{name='{f.name.value}', value={java_value(f.value)}}}" for f in node.fields
        )
        return f"ObjectValue{{objectFields=[{fields}]}}"
    return str(node)


# -- the rules' descriptions -----------------------------------------------------------------------------


def _node(error: GraphQLError) -> Node | None:
    return error.nodes[0] if error.nodes else None


def _name(node: Node | None) -> str:
    if isinstance(node, NameNode):
        return node.value
    name = getattr(node, "name", None)
    return str(getattr(name, "value", name or ""))


def _enclosing_field(node: Node | None, parents: _Parents) -> FieldNode | None:
    for current in (node, *parents.ancestors(node)) if node is not None else ():
        if isinstance(current, FieldNode):
            return current
    return None


def _fields_on_correct_type(context: ValidationContext, error: GraphQLError, parents: _Parents) -> Described:
    parent = context.get_parent_type()
    return (
        "FieldUndefined",
        f"Field '{_name(_node(error))}' in type '{parent.name if parent else ''}' is undefined",
    )


def _known_type_names(context: ValidationContext, error: GraphQLError, parents: _Parents) -> Described:
    return "UnknownType", f"Unknown type {_name(_node(error))}"


def _known_argument_names(context: ValidationContext, error: GraphQLError, parents: _Parents) -> Described:
    node = _node(error)
    if isinstance(parents.of(node) if node else None, DirectiveNode):
        return "UnknownDirective", f"Unknown directive argument {_name(node)}"
    return "UnknownArgument", f"Unknown field argument {_name(node)}"


def _known_directives(context: ValidationContext, error: GraphQLError, parents: _Parents) -> Described:
    name = _name(_node(error))
    if context.schema.get_directive(name) is None:
        return "UnknownDirective", f"Unknown directive {name}"
    return "MisplacedDirective", f"Directive {name} not allowed here"


def _known_fragment_names(context: ValidationContext, error: GraphQLError, parents: _Parents) -> Described:
    return "UndefinedFragment", f"Undefined fragment {_name(_node(error))}"


def _no_unused_fragments(context: ValidationContext, error: GraphQLError, parents: _Parents) -> Described:
    return "UnusedFragment", f"Unused fragment {_name(_node(error))}"


def _variable_name(node: Node | None) -> str:
    if isinstance(node, VariableDefinitionNode):
        return node.variable.name.value
    return _name(node)


def _no_undefined_variables(context: ValidationContext, error: GraphQLError, parents: _Parents) -> Described:
    return "UndefinedVariable", f"Undefined variable {_variable_name(_node(error))}"


def _no_unused_variables(context: ValidationContext, error: GraphQLError, parents: _Parents) -> Described:
    return "UnusedVariable", f"Unused variable {_variable_name(_node(error))}"


def _scalar_leafs(context: ValidationContext, error: GraphQLError, parents: _Parents) -> Described:
    node = _enclosing_field(_node(error), parents)
    field_type = context.get_type()
    shown = str(field_type) if field_type else "null"
    if isinstance(node, FieldNode) and node.selection_set is not None:
        return (
            "SubSelectionNotAllowed",
            f"Sub selection not allowed on leaf type {shown} of field {_name(node)}",
        )
    return "SubSelectionRequired", f"Sub selection required for type {shown} of field {_name(node)}"


def _fragments_on_composite_types(
    context: ValidationContext, error: GraphQLError, parents: _Parents
) -> Described:
    node = _node(error)
    if node is not None and isinstance(parents.of(node), InlineFragmentNode):
        return "InlineFragmentTypeConditionInvalid", (
            "Inline fragment type condition is invalid, must be on Object/Interface/Union"
        )
    return (
        "FragmentTypeConditionInvalid",
        "Fragment type condition is invalid, must be on Object/Interface/Union",
    )


def _possible_fragment_spreads(
    context: ValidationContext, error: GraphQLError, parents: _Parents
) -> Described:
    node = _node(error)
    parent = context.get_parent_type()
    parent_name = parent.name if parent else "null"
    if isinstance(node, FragmentSpreadNode):
        fragment = context.get_fragment(node.name.value)
        condition = fragment.type_condition.name.value if fragment else "null"
        return "InvalidFragmentType", (
            f"Fragment {node.name.value} cannot be spread here as objects of type {parent_name} "
            f"can never be of type {condition}"
        )
    condition = (
        _name(node.type_condition) if isinstance(node, InlineFragmentNode) and node.type_condition else ""
    )
    return "InvalidFragmentType", (
        f"Fragment cannot be spread here as objects of type {parent_name} can never be of type {condition}"
    )


def _no_fragment_cycles(context: ValidationContext, error: GraphQLError, parents: _Parents) -> Described:
    return "FragmentCycle", "Fragment cycles not allowed"


def _unique_operation_names(context: ValidationContext, error: GraphQLError, parents: _Parents) -> Described:
    return "DuplicateOperationName", f"There can be only one operation named '{_name(_node(error))}'"


def _unique_fragment_names(context: ValidationContext, error: GraphQLError, parents: _Parents) -> Described:
    return "DuplicateFragmentName", f"There can be only one fragment named '{_name(_node(error))}'"


def _unique_argument_names(context: ValidationContext, error: GraphQLError, parents: _Parents) -> Described:
    node = _node(error)
    name = _name(parents.of(node) if isinstance(node, Node) and not isinstance(node, ArgumentNode) else node)
    return "DuplicateArgumentNames", f"There can be only one argument named '{name}'"


def _unique_variable_names(context: ValidationContext, error: GraphQLError, parents: _Parents) -> Described:
    node = _node(error)
    name = node.name.value if isinstance(node, VariableNode) else _variable_name(node)
    return "DuplicateVariableName", f"There can be only one variable named '{name}'"


def _unique_input_field_names(
    context: ValidationContext, error: GraphQLError, parents: _Parents
) -> Described:
    node = _node(error)
    return "DuplicateFieldName", f"There can be only one field named '{_name(node)}'"


def _lone_anonymous_operation(
    context: ValidationContext, error: GraphQLError, parents: _Parents
) -> Described:
    return "LoneAnonymousOperationViolation", "Anonymous operation with other operations."


def _variables_are_input_types(
    context: ValidationContext, error: GraphQLError, parents: _Parents
) -> Described:
    return "NonInputTypeOnVariable", "Wrong type for a variable"


def _executable_definitions(context: ValidationContext, error: GraphQLError, parents: _Parents) -> Described:
    name = _name(_node(error)) or "provided"
    return "NonExecutableDefinition", f"The {name} definition is not executable."


def _variables_in_allowed_position(
    context: ValidationContext, error: GraphQLError, parents: _Parents
) -> Described:
    nodes = error.nodes or []
    if len(nodes) != 2 or not isinstance(nodes[0], VariableDefinitionNode):
        return None
    definition, usage_node = nodes
    assert isinstance(definition, VariableDefinitionNode)
    operation = parents.of(definition)
    variable_type = type_from_ast(context.schema, definition.type)
    expected = None
    if isinstance(operation, OperationDefinitionNode):
        for usage in context.get_recursive_variable_usages(operation):
            if usage.node is usage_node:
                expected = usage.type
    return "VariableTypeMismatch", (
        f"Variable type '{variable_type}' doesn't match expected type '{expected}'"
    )


class _ProvidedRequiredArguments:
    """graphql-core reports one error per missing argument, in the field's argument order."""

    def __init__(self) -> None:
        self._reported: dict[int, int] = {}

    def __call__(self, context: ValidationContext, error: GraphQLError, parents: _Parents) -> Described:
        node = _node(error)
        if isinstance(node, DirectiveNode):
            definition = context.schema.get_directive(node.name.value)
            arguments = definition.args if definition else {}
            kind = "directive"
        elif isinstance(node, FieldNode):
            field_def = context.get_field_def()
            arguments = field_def.args if field_def else {}
            kind = "field"
        else:
            return None
        given = {argument.name.value for argument in node.arguments or ()}
        missing = [
            name
            for name, argument in arguments.items()
            if is_non_null_type(argument.type) and argument.default_value is Undefined and name not in given
        ] or [""]
        index = self._reported.get(id(node), 0)
        self._reported[id(node)] = index + 1
        name = missing[min(index, len(missing) - 1)]
        if kind == "directive":
            return "MissingDirectiveArgument", f"Missing directive argument {name}"
        return "MissingFieldArgument", f"Missing field argument {name}"


def _step_type(type_: GraphQLInputType | None, step: str | int) -> GraphQLInputType | None:
    """The type of one step into a literal of `type_`: a field of an input object, or an item of a list."""
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if isinstance(step, int):
        return type_.of_type if isinstance(type_, GraphQLList) else type_
    if isinstance(type_, GraphQLInputObjectType) and step in type_.fields:
        return type_.fields[step].type
    return None


def _literal_steps(
    node: Node, parents: _Parents
) -> tuple[ArgumentNode | VariableDefinitionNode | None, list[Any]]:
    """The argument (or variable default) holding `node`, and the object-field names and list indices to it."""
    steps: list[Any] = []
    child = node
    for parent in parents.ancestors(node):
        if isinstance(parent, ObjectFieldNode):
            steps.append(parent.name.value)
        elif isinstance(parent, ListValueNode):
            steps.append(next(i for i, value in enumerate(parent.values) if value is child))
        elif isinstance(parent, (ArgumentNode, VariableDefinitionNode)):
            return parent, steps[::-1]
        child = parent
    return None, steps[::-1]


class _ValuesOfCorrectType:
    """graphql-java's WrongType texts: `argument 'input.title' with value 'IntValue{value=1}' is not a valid …`."""

    def __init__(self) -> None:
        self._missing_reported: set[int] = set()

    def __call__(self, context: ValidationContext, error: GraphQLError, parents: _Parents) -> Described:
        node = _node(error)
        if node is None:
            return None
        holder, steps = _literal_steps(node, parents)
        if isinstance(holder, VariableDefinitionNode):
            variable_type = type_from_ast(context.schema, holder.type)
            value = holder.default_value
            return "BadValueForDefaultArg", (
                f"Bad default value {java_value(value) if value else 'null'} for type {variable_type}"
            )
        if holder is None:
            return None
        argument = context.get_argument()
        argument_type = argument.type if argument else None
        if isinstance(node, ObjectFieldNode):
            # An input field the type does not have: named on the object that holds it.
            object_node = parents.of(node)
            object_type = functools.reduce(_step_type, steps[:-1], argument_type)
            names = [holder.name.value, *_shown_steps(steps[:-1])]
            return "WrongType", (
                f"argument '{'.'.join(names)}' with value '{java_value(object_node) if object_node else ''}' "
                f"contains a field not in '{get_named_type(object_type).name if object_type else ''}': "
                f"'{node.name.value}'"
            )
        names = [holder.name.value, *_shown_steps(steps)]
        shown = f"argument '{'.'.join(names)}' with value '{java_value(node)}'"
        value_type = functools.reduce(_step_type, steps, argument_type)
        if isinstance(node, NullValueNode):
            return "WrongType", f"{shown} must not be null"
        named = get_named_type(value_type) if value_type else None
        if isinstance(node, ObjectValueNode) and is_input_object_type(named):
            assert isinstance(named, GraphQLInputObjectType)
            if id(node) in self._missing_reported:
                return "WrongType", ""  # one error for all of an object's missing fields, as graphql-java
            self._missing_reported.add(id(node))
            given = {field.name.value for field in node.fields}
            missing = [
                name
                for name, field in named.fields.items()
                if is_non_null_type(field.type) and field.default_value is Undefined and name not in given
            ]
            return "WrongType", f"{shown} is missing required fields '[{', '.join(missing)}]'"
        if is_input_object_type(named):
            return "WrongType", f"{shown} must be an object type"
        return "WrongType", f"{shown} is not a valid '{named.name if named else ''}'"


def _shown_steps(steps: list[Any]) -> list[str]:
    return [f"[{step}]" if isinstance(step, int) else str(step) for step in steps]


def _always(describe: Describe) -> Callable[[], Describe]:
    return lambda: describe


def _describers() -> dict[type[ASTValidationRule], Callable[[], Describe]]:
    fixed: dict[type[ASTValidationRule], Describe] = {
        ExecutableDefinitionsRule: _executable_definitions,
        FieldsOnCorrectTypeRule: _fields_on_correct_type,
        FragmentsOnCompositeTypesRule: _fragments_on_composite_types,
        KnownArgumentNamesRule: _known_argument_names,
        KnownDirectivesRule: _known_directives,
        KnownFragmentNamesRule: _known_fragment_names,
        KnownTypeNamesRule: _known_type_names,
        LoneAnonymousOperationRule: _lone_anonymous_operation,
        NoFragmentCyclesRule: _no_fragment_cycles,
        NoUndefinedVariablesRule: _no_undefined_variables,
        NoUnusedFragmentsRule: _no_unused_fragments,
        NoUnusedVariablesRule: _no_unused_variables,
        PossibleFragmentSpreadsRule: _possible_fragment_spreads,
        ScalarLeafsRule: _scalar_leafs,
        UniqueArgumentNamesRule: _unique_argument_names,
        UniqueFragmentNamesRule: _unique_fragment_names,
        UniqueInputFieldNamesRule: _unique_input_field_names,
        UniqueOperationNamesRule: _unique_operation_names,
        UniqueVariableNamesRule: _unique_variable_names,
        VariablesAreInputTypesRule: _variables_are_input_types,
        VariablesInAllowedPositionRule: _variables_in_allowed_position,
    }
    makers: dict[type[ASTValidationRule], Callable[[], Describe]] = {
        rule: _always(describe) for rule, describe in fixed.items()
    }
    makers[ProvidedRequiredArgumentsRule] = _ProvidedRequiredArguments
    makers[ValuesOfCorrectTypeRule] = _ValuesOfCorrectType
    return makers


_DESCRIBERS = _describers()


class _WordingContext:
    """A rule's view of the validation context: everything delegated, errors reworded on the way."""

    def __init__(self, context: ValidationContext, describe: Describe) -> None:
        self._context = context
        self._describe = describe
        self._parents: _Parents | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)

    def report_error(self, error: GraphQLError) -> None:
        context = self._context
        if self._parents is None:
            self._parents = _Parents(context.document)
        described = self._describe(context, error, self._parents)
        if described is None:
            context.report_error(error)
            return
        error_type, description = described
        if not description:
            return  # already reported, with the others of its kind
        node = _node(error)
        path = self._parents.query_path(node) if node is not None and error_type not in _PATHLESS else []
        nodes = error.nodes[:1] if error.nodes else None
        context.report_error(GraphQLError(validation_message(error_type, description, path), nodes))


# graphql-java reports these after the whole document (or operation) is walked, with no query path.
_PATHLESS = {"UnusedFragment", "UnusedVariable", "DuplicateOperationName", "LoneAnonymousOperationViolation"}

_WORDED: dict[type[ASTValidationRule], type[ASTValidationRule]] = {}


def appsync_worded(rule: type[ASTValidationRule]) -> type[ASTValidationRule]:
    """`rule`, reporting its errors in AppSync's words (one class per rule, so validation caches keep hitting)."""
    worded = _WORDED.get(rule)
    if worded is None:
        worded = _WORDED[rule] = _worded(rule)
    return worded


def _worded(rule: type[ASTValidationRule]) -> type[ASTValidationRule]:
    make = _DESCRIBERS.get(rule)
    if make is None:
        return rule  # not a graphql-java rule (depth limit, introspection off): graphql-core's own text
    describer_of: Callable[[], Describe] = make

    class Worded(rule):  # type: ignore[misc, valid-type]
        def __init__(self, context: ValidationContext) -> None:
            # Some rules report through their context, not through `report_error`: give them one that words.
            super().__init__(_WordingContext(context, describer_of()))

    Worded.__name__ = Worded.__qualname__ = f"AppSync{rule.__name__}"
    return Worded


def appsync_rules(rules: Sequence[type[ASTValidationRule]]) -> tuple[type[ASTValidationRule], ...]:
    return tuple(appsync_worded(rule) for rule in rules)


# -- syntax errors ---------------------------------------------------------------------------------------


# graphql-core's parse-time limits (request_limits) stop the parser with these texts, which are the
# runtime's own refusals (AppSync has no such caps) and are kept as they are.
_PARSE_LIMIT_PREFIXES = ("Syntax Error: Document ", "Syntax Error: Source contains more than")


def syntax_message(error: GraphQLSyntaxError) -> str:
    """graphql-java's text for a document it cannot parse: the offending token and where it is."""
    if error.message.startswith(_PARSE_LIMIT_PREFIXES):
        return error.message
    if not error.locations or error.source is None:
        return "Invalid Syntax"
    line, column = error.locations[0].line, error.locations[0].column
    return f"Invalid Syntax : offending token '{_token_at(error.source, line, column)}' at line {line} column {column}"


def _token_at(source: Source, line: int, column: int) -> str:
    lexer = Lexer(source)
    try:
        token = lexer.advance()
        while token.kind is not TokenKind.EOF:
            if (token.line, token.column) >= (line, column):
                break
            token = lexer.advance()
    except GraphQLSyntaxError:
        # The lexer itself stopped there (an unterminated string, a stray character): show that character.
        offset = _offset(source.body, line, column)
        return source.body[offset : offset + 1] or "<EOF>"
    if token.kind is TokenKind.EOF:
        return "<EOF>"
    return token.value if token.value is not None else token.kind.value


def _offset(body: str, line: int, column: int) -> int:
    lines = body.splitlines(keepends=True)
    return sum(len(text) for text in lines[: line - 1]) + column - 1


# -- variables -------------------------------------------------------------------------------------------

NOT_IN_INPUT_TYPE = "The variables input contains a field that is not defined for input object type '{type}' "


class _VariableRefused(Exception):
    def __init__(self, message: str, located: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.located = located


def _check_value(variable: str, value: Any, type_: GraphQLInputType) -> None:
    """Raise `_VariableRefused` with AppSync's text when `value` cannot be coerced to `type_`."""
    if isinstance(type_, GraphQLNonNull):
        if value is None:
            raise _VariableRefused(f"Variable '{variable}' has coerced Null value for NonNull type '{type_}'")
        _check_value(variable, value, type_.of_type)
        return
    if value is None:
        return
    if is_list_type(type_):
        assert isinstance(type_, GraphQLList)
        for item in value if isinstance(value, list) else [value]:
            _check_value(variable, item, type_.of_type)
        return
    if isinstance(type_, GraphQLInputObjectType):
        if not isinstance(value, Mapping):
            raise _VariableRefused(
                f"Variable '{variable}' has an invalid value. Expected type 'Map' but was '{_java_type(value)}'."
            )
        for name in value:
            if name not in type_.fields:
                raise _VariableRefused(NOT_IN_INPUT_TYPE.format(type=type_.name), located=False)
        for name, field in type_.fields.items():
            if name in value:
                _check_value(variable, value[name], field.type)
            elif is_non_null_type(field.type) and field.default_value is Undefined:
                raise _VariableRefused(
                    f"Variable '{variable}' has coerced Null value for NonNull type '{field.type}'"
                )
        return
    try:
        parsed = type_.parse_value(value)  # type: ignore[union-attr]
    except (GraphQLError, ValueError, TypeError):
        raise _VariableRefused(
            f"Variable '{variable}' has an invalid value. {_scalar_reason(type_, value)}"
        ) from None
    if parsed is None or parsed is Undefined:
        raise _VariableRefused(f"Variable '{variable}' has an invalid value. {_scalar_reason(type_, value)}")


_JAVA_TYPES = {
    bool: "Boolean",
    int: "Integer",
    float: "Double",
    str: "String",
    list: "ArrayList",
    dict: "LinkedHashMap",
}
_BUILT_IN = {"Int", "Float", "String", "Boolean", "ID"}
# AppSync's texts for its date scalars, as AWS's users have pasted them.
_SCALAR_NOUNS = {
    "AWSDate": "as a valid date",
    "AWSDateTime": "as a valid DateTime Object",
    "AWSTime": "as a valid time",
}


def _java_type(value: Any) -> str:
    return _JAVA_TYPES.get(type(value), type(value).__name__)


def _scalar_reason(type_: Any, value: Any) -> str:
    name = getattr(type_, "name", "")
    if name in _BUILT_IN:
        return f"Expected type '{name}' but was '{_java_type(value)}'."
    if getattr(type_, "values", None) is not None:  # an enum
        return f"Invalid input for Enum '{name}'. No value found for name '{_shown(value)}'"
    noun = _SCALAR_NOUNS.get(name, f"as a valid {name}")
    return f"Unable to parse `{_shown(value)}` {noun}."


_ECHO_LIMIT = 64


def _shown(value: Any) -> str:
    """A refused value as the error quotes it: a long one is cut, so a megabyte is never echoed back."""
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= _ECHO_LIMIT else f"{text[:_ECHO_LIMIT]}… ({len(text)} characters)"


def variable_errors(
    schema: GraphQLSchema, definitions: Sequence[VariableDefinitionNode], inputs: Mapping[str, Any]
) -> list[GraphQLError]:
    """AppSync's error for the first variable that cannot be coerced, or [] when graphql-core may coerce them."""
    for definition in definitions:
        name = definition.variable.name.value
        type_ = type_from_ast(schema, definition.type)
        if type_ is None:
            continue  # validation reported it
        if name not in inputs and definition.default_value is not None:
            continue
        try:
            _check_value(name, inputs.get(name), type_)  # type: ignore[arg-type]
        except _VariableRefused as refused:
            return [GraphQLError(refused.message, definition if refused.located else None)]
    return []
