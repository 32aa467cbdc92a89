"""AppSync's subscription semantics, independent of any transport.

- A subscription field fires only from the mutations its ``@aws_subscribe(mutations: [...])`` names
  (`subscribe_mutations`).
- Subscribers receive the mutation's result narrowed to their own selection (`narrowing.narrowed_payload`).
- Filtering: the enhanced filter the subscription resolver set, if any (it reads the arguments itself);
  otherwise each non-null argument must equal the result's same-named top-level field (`arguments_match`).
- A mutation's ``extensions.invalidateSubscriptions`` closes the subscriptions of one field whose
  invalidation filter matches its payload (`SubscriptionRegistry.invalidate`).

`SubscriptionRegistry` holds the live subscriptions of every connection, indexed by mutation field so a
publish only looks at the subscriptions that mutation can fire. A transport adds a `Subscription` whose
``send`` posts to the connection's outbox without waiting, and wires `SubscriptionRegistry.listener` into
``Executor.mutation_listeners``.
"""

from __future__ import annotations

import json
import logging
import weakref
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLSchema,
    ListValueNode,
    StringValueNode,
    print_ast,
)

from .filters import INVALIDATION_MESSAGE, Filter
from .narrowing import arguments_match, narrowed_payload

logger = logging.getLogger("appsync_local.realtime")

SUBSCRIBE_DIRECTIVE = "aws_subscribe"
Message = dict[str, Any]
# A subscriber's delivery: hands the message to its transport's outbox without waiting, so a fan-out never
# waits on a slow client; it raises when the subscriber cannot take the message (gone, or too far behind),
# and the registry then drops that subscription.
Send = Callable[[Message], None]
MutationListener = Callable[[str, Any, Any], Awaitable[None]]


class SubscriptionSchemaError(ValueError):
    """An ``@aws_subscribe`` directive that cannot be honoured (bad argument, unknown mutation)."""


# -- @aws_subscribe ---------------------------------------------------------------------------------


def _ast_mutations(field_def: Any, where: str) -> list[str] | None:
    node = getattr(field_def, "ast_node", None)
    for directive in getattr(node, "directives", None) or ():
        if directive.name.value != SUBSCRIBE_DIRECTIVE:
            continue
        for argument in directive.arguments or ():
            if argument.name.value != "mutations":
                continue
            # GraphQL coerces a single value into a one-item list.
            value = argument.value
            items = value.values if isinstance(value, ListValueNode) else (value,)
            if not all(isinstance(item, StringValueNode) for item in items):
                raise SubscriptionSchemaError(f"{where} @aws_subscribe: mutations must be a list of strings")
            return [item.value for item in items if isinstance(item, StringValueNode)]
        raise SubscriptionSchemaError(f"{where} @aws_subscribe needs a `mutations` argument")
    return None


def subscribe_mutations(schema: GraphQLSchema) -> dict[str, frozenset[str]]:
    """Each subscription field's mutations, from ``@aws_subscribe(mutations: [...])``.

    Reads a schema built from SDL (`sdl.build_appsync_schema`), as AppSync reads the directive from each
    field's definition. A subscription field without the directive maps to an empty set: no mutation fires it.

    Raises
    ------
    SubscriptionSchemaError
        When a directive names a field the Mutation type does not have, or is malformed.
    """
    subscription = schema.subscription_type
    if subscription is None:
        return {}
    mutation = schema.mutation_type
    mutation_fields = set(mutation.fields) if mutation else set()
    result: dict[str, frozenset[str]] = {}
    for name, field_def in subscription.fields.items():
        where = f"{subscription.name}.{name}"
        mutations = _ast_mutations(field_def, where)
        unknown = sorted(set(mutations or ()) - mutation_fields)
        if unknown:
            raise SubscriptionSchemaError(
                f"{where} @aws_subscribe names {', '.join(unknown)}, which the Mutation type does not have"
            )
        result[name] = frozenset(mutations or ())
    return result


@dataclass(kw_only=True, eq=False)
class Subscription:
    """One client subscription, as the registry delivers to it.

    Parameters
    ----------
    id
        The client's id for the subscription (``start``'s ``id``), unique within its connection.
    connection_id
        The connection (socket) the subscription belongs to.
    field_name
        The subscription field (``onCreatePost``).
    response_key
        The key the data is delivered under: the field's alias, else its name.
    arguments
        The field's coerced arguments (enums by name); null ones do not filter.
    field_node, fragments, variables
        The subscriber's selection: its root field node, its document's fragments, its variables.
    send
        Delivers one message (``{"data": {response_key: ...}}``) to the client.
    filter
        The enhanced filter the subscription resolver set, if any.
    invalidation_filter
        The invalidation filter the subscription resolver set, if any.
    on_invalidated
        Told ``{"message": "Subscription complete."}`` when a mutation invalidates the subscription.
    schema
        The schema, for ``__typename`` and fragments on abstract types.
    readable, readers
        The subscriber's field-level auth, ``readable(type, field)``, and a text that is the same for every
        subscriber it treats alike (those share one narrowed payload per publish).
    """

    id: str
    connection_id: str
    field_name: str
    response_key: str
    arguments: Mapping[str, Any]
    field_node: FieldNode
    fragments: Mapping[str, FragmentDefinitionNode]
    send: Send
    filter: Filter | None = None
    invalidation_filter: Filter | None = None
    variables: Mapping[str, Any] = field(default_factory=dict)
    on_invalidated: Send | None = None
    schema: GraphQLSchema | None = None
    readable: Callable[[str, str], bool] | None = None
    readers: str = ""
    shape: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Subscribers with the same selection share one narrowed payload per publish.
        fragments = "\n".join(print_ast(f) for _, f in sorted(self.fragments.items()))
        variables = json.dumps(self.variables, sort_keys=True, default=str)
        self.shape = f"{print_ast(self.field_node)}\n{fragments}\n{variables}\n{self.readers}"

    @property
    def key(self) -> tuple[str, str]:
        return (self.connection_id, self.id)

    def accepts(self, payload: Mapping[str, Any]) -> bool:
        """Whether a mutation's result passes this subscription's filter.

        A subscription resolver that sets an enhanced filter owns the filtering (it reads `ctx.args` to build
        the filter, as AppSync's examples do); otherwise each non-null argument must equal the result's field.
        """
        if self.filter is not None:
            return self.filter.matches(payload)
        return arguments_match(self.arguments, payload)

    def message_payload(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """The ``data`` message's payload for a mutation's result (`narrowing.narrowed_payload`)."""
        return narrowed_payload(
            payload,
            self.field_node,
            self.fragments,
            self.response_key,
            variables=self.variables,
            schema=self.schema,
            readable=self.readable,
        )


class SharedPayload(dict):
    """A payload sent to many subscribers: encoded to JSON once, however many messages carry it."""

    _encoded: str | None = None

    @property
    def encoded(self) -> str:
        if self._encoded is None:
            self._encoded = json.dumps(self, separators=(",", ":"))
        return self._encoded


class SubscriptionExistsError(ValueError):
    """A connection already has a subscription with that id."""


class SubscriptionRegistry:
    """The live subscriptions of every connection, and their delivery.

    Parameters
    ----------
    mutations_by_subscription
        Each subscription field's mutations (`subscribe_mutations`).
    """

    def __init__(self, mutations_by_subscription: Mapping[str, frozenset[str]]) -> None:
        self.mutations_by_subscription = dict(mutations_by_subscription)
        self._subscriptions: dict[tuple[str, str], Subscription] = {}
        self._by_connection: dict[str, dict[str, Subscription]] = {}
        self._by_mutation: dict[str, dict[tuple[str, str], Subscription]] = {}
        self._by_field: dict[str, dict[tuple[str, str], Subscription]] = {}
        # Equal enhanced filters (every subscriber of a field often sets the same one) share one object, so
        # a publish tests each distinct filter once.
        self._filters: weakref.WeakValueDictionary[Filter, Filter] = weakref.WeakValueDictionary()

    @classmethod
    def for_schema(cls, schema: GraphQLSchema) -> SubscriptionRegistry:
        """A registry for a graphql-core or strawberry schema's ``@aws_subscribe`` directives."""
        return cls(subscribe_mutations(schema))

    # -- membership ----------------------------------------------------------------------------------

    def add(self, subscription: Subscription) -> None:
        """Register a subscription; raises SubscriptionExistsError if its id is taken on its connection."""
        key = subscription.key
        if key in self._subscriptions:
            raise SubscriptionExistsError(
                f"subscription id {subscription.id!r} is already in use on this connection"
            )
        if subscription.filter is not None:
            subscription.filter = self._shared_filter(subscription.filter)
        self._subscriptions[key] = subscription
        self._by_connection.setdefault(subscription.connection_id, {})[subscription.id] = subscription
        self._by_field.setdefault(subscription.field_name, {})[key] = subscription
        for mutation in self.mutations_by_subscription.get(subscription.field_name, ()):
            self._by_mutation.setdefault(mutation, {})[key] = subscription

    def _shared_filter(self, rule: Filter) -> Filter:
        try:
            return self._filters.setdefault(rule, rule)
        except TypeError:  # a value that cannot be hashed (a list for `in`): this one stays its own
            return rule

    def remove(self, connection_id: str, subscription_id: str) -> Subscription | None:
        """Forget one subscription; returns it, or None if there was none."""
        key = (connection_id, subscription_id)
        subscription = self._subscriptions.pop(key, None)
        if subscription is None:
            return None
        _discard(self._by_connection, connection_id, subscription_id)
        _discard(self._by_field, subscription.field_name, key)
        for mutation in self.mutations_by_subscription.get(subscription.field_name, ()):
            _discard(self._by_mutation, mutation, key)
        return subscription

    def remove_connection(self, connection_id: str) -> int:
        """Forget every subscription of a connection; returns how many there were."""
        ids = list(self._by_connection.get(connection_id, {}))
        for subscription_id in ids:
            self.remove(connection_id, subscription_id)
        return len(ids)

    def count(self, connection_id: str | None = None) -> int:
        """How many subscriptions are live, in all or on one connection."""
        if connection_id is None:
            return len(self._subscriptions)
        return len(self._by_connection.get(connection_id, {}))

    def get(self, connection_id: str, subscription_id: str) -> Subscription | None:
        return self._subscriptions.get((connection_id, subscription_id))

    def __iter__(self) -> Iterator[Subscription]:
        return iter(list(self._subscriptions.values()))

    # -- delivery ------------------------------------------------------------------------------------

    async def publish(self, mutation_field: str, result: Any) -> int:
        """Deliver a mutation's result to every subscription it fires; returns how many received it.

        Each subscriber's message goes to its transport's outbox, so no subscriber waits for another; one
        whose send raises is dropped and logged, and the others still receive.
        """
        candidates = list(self._by_mutation.get(mutation_field, {}).values())
        if not candidates or not isinstance(result, Mapping):
            return 0
        # Subscribers with the same selection and response key share one message, encoded to JSON once.
        messages: dict[tuple[Any, str], SharedPayload] = {}
        verdicts: dict[int, bool] = {}  # id(filter) -> whether the result passes it
        delivered = 0
        for subscription in candidates:
            rule = subscription.filter
            if rule is None:
                if not arguments_match(subscription.arguments, result):
                    continue
            else:
                verdict = verdicts.get(id(rule))
                if verdict is None:
                    verdict = verdicts[id(rule)] = rule.matches(result)
                if not verdict:
                    continue
            key = (subscription.shape, subscription.response_key)
            message = messages.get(key)
            if message is None:
                message = messages[key] = SharedPayload(subscription.message_payload(result))
            delivered += self._deliver(subscription, subscription.send, message)
        return delivered

    async def invalidate(self, subscription_field: str, payload: Mapping[str, Any]) -> int:
        """Close the subscriptions of a field whose invalidation filter matches; returns how many.

        Each is removed from the registry, then its ``on_invalidated`` is told ``{"message":
        "Subscription complete."}``; the connection stays open for the client's other subscriptions. (AWS's
        guide says invalidation can "forcibly unsubscribe and close (invalidate) a WebSocket connection"; whether
        AppSync also closes the socket is not documented further.)
        """
        closed: list[Subscription] = []
        for subscription in list(self._by_field.get(subscription_field, {}).values()):
            rule = subscription.invalidation_filter
            if rule is not None and rule.matches(payload):
                self.remove(subscription.connection_id, subscription.id)
                closed.append(subscription)
        for subscription in closed:
            if subscription.on_invalidated is not None:
                self._deliver(subscription, subscription.on_invalidated, dict(INVALIDATION_MESSAGE))
        return len(closed)

    def _deliver(self, subscription: Subscription, send: Send, message: Message) -> bool:
        try:
            send(message)
        except Exception as error:  # any subscriber failure must stay that subscriber's
            logger.warning(
                "dropping subscription %s on connection %s: delivery failed (%s)",
                subscription.id,
                subscription.connection_id,
                error or type(error).__name__,
            )
            self.remove(subscription.connection_id, subscription.id)
            return False
        return True

    def listener(self) -> MutationListener:
        """The coroutine function to append to ``Executor.mutation_listeners``."""

        async def publish_mutation(field_name: str, result: Any, context: Any) -> None:
            await self.publish(field_name, result)

        return publish_mutation


def _discard(index: dict[Any, dict[Any, Subscription]], outer: Any, inner: Any) -> None:
    bucket = index.get(outer)
    if bucket is not None:
        bucket.pop(inner, None)
        if not bucket:
            del index[outer]
