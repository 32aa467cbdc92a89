"""What a GraphQL document must pass before it runs, checked on the parsed document alone.

AppSync's own limits come first: the resolver count limit (``resolverCountLimit``: a document whose root
fields alone invoke more resolvers is refused before any runs; nested ones are counted as they run) and the
depth limit (``queryDepthLimit``, a validation rule in `runtime_schema`). The others bound what
a document may cost before it is refused at all: parsing stops at `DocumentLimits.max_lexical_tokens`
tokens, and a document may carry at most `max_aliases` aliases and `max_directives` directives (and
`max_directives_per_location` on one field), so alias and directive overloading are refused with one error
instead of thousands of resolver calls or validation errors.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Visitor,
    parse,
    visit,
)

from .errors import ResolverCountLimitError, format_error
from .wire.response import EngineErrorEntry, FieldErrorEntry

# AppSync documents no limits of its own on these; these admit every query a client of this API sends
# (GraphiQL's introspection query is about 250 tokens) and refuse overloading after a few milliseconds.
MAX_SOURCE_CODE_POINTS = 1_000_000
MAX_LEXICAL_TOKENS = 15_000
MAX_COMMENTS = 1_000
MAX_ALIASES = 100
MAX_DIRECTIVES = 50
MAX_DIRECTIVES_PER_LOCATION = 4
# Above this many characters a document is parsed and executed off the event loop even when it has no
# resolver (parsing costs a few microseconds per character).
INLINE_QUERY_CHARS = 4096

# Is Type.field bound to a resolver? (parent type name, field name)
IsBound = Callable[[str, str], bool]


@dataclass(frozen=True)
class DocumentLimits:
    """The per-document limits (AppSync's resolver count limit, and the parse-time caps above)."""

    resolver_count_limit: int = 10_000
    max_source_code_points: int = MAX_SOURCE_CODE_POINTS
    max_lexical_tokens: int = MAX_LEXICAL_TOKENS
    max_comments: int = MAX_COMMENTS
    max_aliases: int = MAX_ALIASES
    max_directives: int = MAX_DIRECTIVES
    max_directives_per_location: int = MAX_DIRECTIVES_PER_LOCATION

    def parse(self, query: str) -> DocumentNode:
        """The parsed document; a GraphQLSyntaxError as soon as a parse-time limit is passed."""
        return parse(
            query,
            max_lexical_tokens=self.max_lexical_tokens,
            max_comments=self.max_comments,
            max_source_length=self.max_source_code_points,
        )


@dataclass(frozen=True)
class CheckedDocument:
    """What the executor needs to know of a document that passed the limits."""

    operations: int
    root_resolvers: dict[str, int]  # per operation name ("" when anonymous): root fields with a resolver
    introspects: bool
    fields: int = 0  # field selections in the whole document (fragments counted once)

    def root_resolver_count(self, operation_name: str | None) -> int:
        if operation_name is None:
            return max(self.root_resolvers.values(), default=0)
        return self.root_resolvers.get(operation_name, 0)


class DocumentRefused(Exception):
    """The document breaks a limit; `errors` are AppSync's `errors[]` entries for the response."""

    def __init__(self, errors: list[FieldErrorEntry | EngineErrorEntry]) -> None:
        super().__init__(errors[0]["message"])
        self.errors = errors


def validation_error(message: str, error_type: str = "ValidationError") -> FieldErrorEntry:
    return {
        "path": None,
        "data": None,
        "errorType": error_type,
        "errorInfo": None,
        "locations": None,
        "message": message,
    }


class DocumentCounts(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.aliases = 0
        self.directives = 0
        self.most_at_one_location = 0
        self.introspects = False
        self.fields = 0

    def enter_field(self, node: FieldNode, *_: object) -> None:
        self.fields += 1
        if node.alias is not None:
            self.aliases += 1
        if node.name.value in ("__schema", "__type"):
            self.introspects = True
        self._directives(node.directives)

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
        self._directives(node.directives)

    def enter_inline_fragment(self, node: InlineFragmentNode, *_: object) -> None:
        self._directives(node.directives)

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: object) -> None:
        self._directives(node.directives)

    def enter_fragment_definition(self, node: FragmentDefinitionNode, *_: object) -> None:
        self._directives(node.directives)

    def _directives(self, directives: tuple[DirectiveNode, ...] | None) -> None:
        count = len(directives or ())
        self.directives += count
        self.most_at_one_location = max(self.most_at_one_location, count)


_ROOT_TYPES = {OperationType.QUERY: "Query", OperationType.MUTATION: "Mutation"}


def _root_keys(
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    keys: dict[str, str],
    seen: set[str],
) -> None:
    """Response key -> field name of the root fields that always run (no @skip/@include), fragments expanded."""
    for selection in selection_set.selections:
        if selection.directives:
            continue  # may be skipped: not certain to run
        if isinstance(selection, FieldNode):
            key = selection.alias.value if selection.alias else selection.name.value
            keys.setdefault(key, selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            _root_keys(selection.selection_set, fragments, keys, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                _root_keys(fragment.selection_set, fragments, keys, seen | {name})


def _root_resolvers(
    document: DocumentNode, root_types: dict[OperationType, str], is_bound: IsBound
) -> dict[str, int]:
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    counts: dict[str, int] = {}
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        type_name = root_types.get(definition.operation)
        keys: dict[str, str] = {}
        if type_name is not None:
            _root_keys(definition.selection_set, fragments, keys, set())
        name = definition.name.value if definition.name else ""
        counts[name] = sum(is_bound(type_name or "", field) for field in keys.values())
    return counts


def check_counts(document: DocumentNode, limits: DocumentLimits) -> DocumentCounts:
    """Raise `DocumentRefused` when `document` has too many aliases or directives; else its counts."""
    counts = DocumentCounts()
    visit(document, counts)
    if counts.aliases > limits.max_aliases:
        raise DocumentRefused(
            [
                validation_error(
                    f"The document has {counts.aliases} aliases; at most {limits.max_aliases} are allowed."
                )
            ]
        )
    if counts.most_at_one_location > limits.max_directives_per_location:
        raise DocumentRefused(
            [
                validation_error(
                    f"A field or fragment carries {counts.most_at_one_location} directives; at most "
                    f"{limits.max_directives_per_location} are allowed at one location."
                )
            ]
        )
    if counts.directives > limits.max_directives:
        raise DocumentRefused(
            [
                validation_error(
                    f"The document has {counts.directives} directives; at most {limits.max_directives} "
                    "are allowed."
                )
            ]
        )
    return counts


def check_document(
    query: str,
    limits: DocumentLimits,
    is_bound: IsBound,
    root_types: dict[OperationType, str] | None = None,
) -> CheckedDocument:
    """Parse `query` within the limits and count what the limits bound; raise `DocumentRefused`."""
    try:
        document = limits.parse(query)
    except GraphQLError as exc:
        raise DocumentRefused([format_error(exc)]) from None
    except RecursionError:
        raise DocumentRefused([validation_error("The document nests selections too deeply.")]) from None
    counts = check_counts(document, limits)
    operations = sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)
    return CheckedDocument(
        operations=operations,
        root_resolvers=_root_resolvers(document, root_types or _ROOT_TYPES, is_bound),
        introspects=counts.introspects,
        fields=counts.fields,
    )


def resolver_count_refusal(limit: int) -> FieldErrorEntry:
    """AppSync's error for a request over the resolver count limit (the same one execution reports)."""
    error = ResolverCountLimitError(limit)
    return validation_error(error.message, error.error_type)


def cached_checker(
    limits: DocumentLimits, is_bound: IsBound, root_types: dict[OperationType, str], maxsize: int
) -> Callable[[str], CheckedDocument | DocumentRefused]:
    """`check_document` cached by query text (many clients send the same few documents)."""

    @functools.lru_cache(maxsize=maxsize)
    def check(query: str) -> CheckedDocument | DocumentRefused:
        try:
            return check_document(query, limits, is_bound, root_types)
        except DocumentRefused as refused:
            return refused

    return check
