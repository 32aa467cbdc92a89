"""AppSync's subscription semantics: which mutations fire, what subscribers see, filtering and invalidation."""

from __future__ import annotations

import re
import typing
from typing import Any

import pytest
import strawberry
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLSchema,
    OperationDefinitionNode,
    build_schema,
    parse,
)

from appsync_local.realtime.filters import parse_filter
from appsync_local.realtime.narrowing import narrow, narrowed_payload
from appsync_local.realtime.subscriptions import (
    Subscription,
    SubscriptionExistsError,
    SubscriptionRegistry,
    SubscriptionSchemaError,
    subscribe_mutations,
)
from appsync_local.sdl import APPSYNC_PRELUDE, appsync_sdl, build_appsync_schema
from schema.aws_directives import aws_subscribe

SDL = """
interface Node { id: ID! }
type Author { name: String email: String }
type Comment { text: String by: Author }
type Post implements Node {
  id: ID!
  title: String
  groupId: ID
  author: Author
  tags: [String]
  comments: [Comment]
}
type User { userId: ID! groupId: ID }
type Query { post(id: ID!): Post }
type Mutation {
  createPost(title: String): Post
  updatePost(id: ID!): Post
  deletePost(id: ID!): Post
  removeUser(userId: ID!): User
}
type Subscription {
  onCreatePost(groupId: ID, title: String): Post @aws_subscribe(mutations: ["createPost"])
  onChangePost: Post @aws_subscribe(mutations: ["createPost", "updatePost"])
  onNode: Node @aws_subscribe(mutations: "updatePost")
  onNothing: Post
}
"""

SCHEMA: GraphQLSchema = build_schema(APPSYNC_PRELUDE + SDL)

# createPost's result, exactly as the mutation selected it (no email, no comments' authors).
POST: dict[str, Any] = {
    "id": "p1",
    "title": "Hello",
    "groupId": "g1",
    "author": {"name": "ana"},
    "tags": ["a", "b"],
    "comments": [{"text": "first"}, {"text": "second"}],
}


@strawberry.type
class Item:
    id: str


@strawberry.type(name="Query")
class ItemQuery:
    ping: str = "pong"


@strawberry.type(name="Mutation")
class ItemMutation:
    @strawberry.mutation
    def add_item(self, id: str) -> Item:
        return Item(id=id)


@strawberry.type(name="Subscription")
class ItemSubscription:
    @strawberry.subscription(directives=[aws_subscribe(mutations=["addItem"])])
    async def on_add_item(self) -> typing.AsyncGenerator[Item, None]:
        yield Item(id="never")


class Inbox:
    """A subscriber's side of the socket: records what it is sent."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.invalidations: list[dict[str, Any]] = []

    def send(self, message: dict[str, Any]) -> None:
        self.messages.append(message)

    def invalidated(self, message: dict[str, Any]) -> None:
        self.invalidations.append(message)


def selection(document: str) -> tuple[FieldNode, dict[str, FragmentDefinitionNode]]:
    parsed = parse(document)
    operation = next(d for d in parsed.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)}
    field = operation.selection_set.selections[0]
    assert isinstance(field, FieldNode)
    return field, fragments


def subscription(
    document: str,
    inbox: Inbox,
    *,
    sub_id: str = "1",
    connection_id: str = "c1",
    arguments: dict[str, Any] | None = None,
    **options: Any,
) -> Subscription:
    field, fragments = selection(document)
    return Subscription(
        id=sub_id,
        connection_id=connection_id,
        field_name=field.name.value,
        response_key=field.alias.value if field.alias else field.name.value,
        arguments=arguments or {},
        field_node=field,
        fragments=fragments,
        send=inbox.send,
        on_invalidated=inbox.invalidated,
        schema=SCHEMA,
        **options,
    )


@pytest.fixture
def registry() -> SubscriptionRegistry:
    return SubscriptionRegistry.for_schema(SCHEMA)


# -- @aws_subscribe ---------------------------------------------------------------------------------


def test_subscribe_mutations_reads_the_directive_from_sdl() -> None:
    # WHEN the schema's subscription fields are read THEN each maps to the mutations its directive names
    assert subscribe_mutations(SCHEMA) == {
        "onCreatePost": frozenset({"createPost"}),
        "onChangePost": frozenset({"createPost", "updatePost"}),
        "onNode": frozenset({"updatePost"}),
        "onNothing": frozenset(),
    }


def test_subscribe_mutations_reads_the_directive_a_strawberry_schema_exports() -> None:
    # GIVEN a strawberry schema whose subscription carries @aws_subscribe as a schema directive
    schema = strawberry.Schema(query=ItemQuery, mutation=ItemMutation, subscription=ItemSubscription)
    # WHEN it is exported as AppSync reads it
    exported = build_appsync_schema(appsync_sdl(schema))
    # THEN the camelCase field maps to the named mutation
    assert subscribe_mutations(exported) == {"onAddItem": frozenset({"addItem"})}


def test_a_directive_naming_an_unknown_mutation_is_rejected() -> None:
    schema = build_schema(
        APPSYNC_PRELUDE
        + """
        type Query { a: Int }
        type Mutation { createPost: Int }
        type Subscription { onPost: Int @aws_subscribe(mutations: ["createPots"]) }
        """
    )
    with pytest.raises(
        SubscriptionSchemaError, match=re.escape("Subscription.onPost @aws_subscribe names createPots")
    ):
        subscribe_mutations(schema)


# -- narrowing --------------------------------------------------------------------------------------


def test_narrowing_keeps_the_subscribers_selection_and_never_invents_fields() -> None:
    # GIVEN a subscriber asking for a subset, an aliased field, and fields the mutation did not select
    field, fragments = selection(
        "subscription { onCreatePost { id heading: title author { name email } comments { text by { name } } } }"
    )
    # WHEN the mutation's result is narrowed
    data = narrow(POST, field, fragments, schema=SCHEMA)
    # THEN only the subscriber's fields appear, in its order, with its aliases; unselected ones are null
    assert data == {
        "id": "p1",
        "heading": "Hello",
        "author": {"name": "ana", "email": None},
        "comments": [{"text": "first", "by": None}, {"text": "second", "by": None}],
    }
    assert list(data) == ["id", "heading", "author", "comments"]


def test_narrowing_resolves_fragments_typename_and_directives() -> None:
    # GIVEN a selection with a named fragment, an inline fragment, __typename and @skip/@include
    field, fragments = selection(
        """
        subscription S($withTags: Boolean!) {
          onNode {
            __typename
            id
            ... on Post { title tags @include(if: $withTags) }
            ...AuthorBits
            ... on User { userId }
            groupId: id @skip(if: true)
          }
        }
        fragment AuthorBits on Post { author { __typename name } }
        """
    )
    # WHEN a Post (known by the mutation's __typename) is narrowed
    data = narrow(
        {**POST, "__typename": "Post"}, field, fragments, variables={"withTags": False}, schema=SCHEMA
    )
    # THEN fragments on Post apply, the User fragment does not, and __typename comes from the schema
    assert data == {
        "__typename": "Post",
        "id": "p1",
        "title": "Hello",
        "author": {"__typename": "Author", "name": "ana"},
    }


def test_typename_is_filled_from_the_subscription_fields_type() -> None:
    # GIVEN a mutation that did not select __typename
    field, fragments = selection("subscription { onCreatePost { __typename id author { __typename } } }")
    # THEN the subscriber still gets the schema's type names
    assert narrow(POST, field, fragments, schema=SCHEMA) == {
        "__typename": "Post",
        "id": "p1",
        "author": {"__typename": "Author"},
    }


def test_lists_of_scalars_and_null_objects_pass_through() -> None:
    field, fragments = selection("subscription { onCreatePost { tags author { name } } }")
    assert narrow({**POST, "author": None}, field, fragments) == {"tags": ["a", "b"], "author": None}


STRICT_SCHEMA: GraphQLSchema = build_schema(
    APPSYNC_PRELUDE
    + """
    type Lead { id: ID! formId: String! note: String status: Status! owner: Owner tags: [String!] }
    type Owner { name: String! }
    enum Status { NEW DONE }
    type Query { lead: Lead }
    type Mutation { updateLead(id: ID!): Lead }
    type Subscription {
      onUpdateLead: Lead @aws_subscribe(mutations: ["updateLead"])
      onUpdateLeadStrict: Lead! @aws_subscribe(mutations: ["updateLead"])
    }
    """
)


def test_non_null_fields_the_mutation_did_not_select_null_the_subscription_field_with_an_error_each() -> None:
    # GIVEN a subscriber asking for two non-null fields the mutation did not select (as in amplify-cli#5542)
    field, fragments = selection("subscription { onUpdateLead { id formId status note } }")
    # WHEN the mutation's result, which has id only, is narrowed
    payload = narrowed_payload({"id": "l1"}, field, fragments, "onUpdateLead", schema=STRICT_SCHEMA)
    # THEN the subscription field is null, with AppSync's error for each non-null field
    assert payload == {
        "data": {"onUpdateLead": None},
        "errors": [
            {
                "message": "Cannot return null for non-nullable type: 'String' within parent 'Lead' "
                "(/onUpdateLead/formId)",
                "path": ["onUpdateLead", "formId"],
            },
            {
                "message": "Cannot return null for non-nullable type: 'Status' within parent 'Lead' "
                "(/onUpdateLead/status)",
                "path": ["onUpdateLead", "status"],
            },
        ],
    }


def test_a_null_stops_at_the_nearest_nullable_field() -> None:
    # GIVEN a nullable owner whose non-null name the mutation did not select, and a list of non-null strings
    field, fragments = selection("subscription { onUpdateLead { id owner { name } tags alias: note } }")
    result = {"id": "l1", "owner": {}, "tags": ["a", None], "note": "n"}
    # WHEN it is narrowed
    payload = narrowed_payload(result, field, fragments, "onUpdateLead", schema=STRICT_SCHEMA)
    # THEN owner and tags alone are null; the lead itself and its other fields arrive
    assert payload["data"] == {"onUpdateLead": {"id": "l1", "owner": None, "tags": None, "alias": "n"}}
    assert [(e["path"], e["message"].split(" within ")[0]) for e in payload["errors"]] == [
        (["onUpdateLead", "owner", "name"], "Cannot return null for non-nullable type: 'String'"),
        (["onUpdateLead", "tags", 1], "Cannot return null for non-nullable type: 'String'"),
    ]
    assert payload["errors"][1]["message"].endswith("within parent '[String!]' (/onUpdateLead/tags[1])")


def test_a_non_null_subscription_field_nulls_the_whole_data() -> None:
    field, fragments = selection("subscription { onUpdateLeadStrict { id formId } }")
    payload = narrowed_payload({"id": "l1"}, field, fragments, "onUpdateLeadStrict", schema=STRICT_SCHEMA)
    assert payload["data"] is None
    assert [e["path"] for e in payload["errors"]] == [["onUpdateLeadStrict", "formId"]]


def test_a_result_with_every_non_null_field_has_no_errors() -> None:
    field, fragments = selection("subscription { live: onUpdateLead { id formId status owner { name } } }")
    result = {"id": "l1", "formId": "f", "status": "NEW", "owner": None}
    assert narrowed_payload(result, field, fragments, "live", schema=STRICT_SCHEMA) == {
        "data": {"live": {"id": "l1", "formId": "f", "status": "NEW", "owner": None}}
    }


def test_fields_the_subscriber_may_not_read_are_null_with_one_unauthorized_error_each() -> None:
    # GIVEN a subscriber that may read neither Lead.note (nullable) nor Lead.formId (non-null)
    field, fragments = selection("subscription { onUpdateLead { id note formId } }")
    result = {"id": "l1", "note": "secret", "formId": "f"}
    hidden = {("Lead", "note"), ("Lead", "formId")}
    # WHEN the result is narrowed for it
    payload = narrowed_payload(
        result, field, fragments, "onUpdateLead", schema=STRICT_SCHEMA,
        readable=lambda type_name, name: (type_name, name) not in hidden,
    )  # fmt: skip
    # THEN neither value reaches it: the non-null one nulls the lead, each with the Unauthorized error only
    assert payload == {
        "data": {"onUpdateLead": None},
        "errors": [
            {"errorType": "Unauthorized", "message": "Not Authorized to access note on type Lead",
             "path": ["onUpdateLead", "note"]},
            {"errorType": "Unauthorized", "message": "Not Authorized to access formId on type Lead",
             "path": ["onUpdateLead", "formId"]},
        ],
    }  # fmt: skip


# -- publishing -------------------------------------------------------------------------------------


async def test_publish_delivers_the_narrowed_result_under_the_response_key(
    registry: SubscriptionRegistry,
) -> None:
    # GIVEN a subscriber with an aliased subscription field
    inbox = Inbox()
    registry.add(subscription("subscription { created: onCreatePost { id title } }", inbox))
    # WHEN createPost completes
    delivered = await registry.publish("createPost", POST)
    # THEN the subscriber receives AppSync's data payload
    assert delivered == 1
    assert inbox.messages == [{"data": {"created": {"id": "p1", "title": "Hello"}}}]


async def test_only_the_named_mutations_fire_a_subscription(registry: SubscriptionRegistry) -> None:
    # GIVEN subscribers of fields fired by different mutations
    on_create, on_change, on_nothing = Inbox(), Inbox(), Inbox()
    registry.add(subscription("subscription { onCreatePost { id } }", on_create, sub_id="1"))
    registry.add(subscription("subscription { onChangePost { id } }", on_change, sub_id="2"))
    registry.add(subscription("subscription { onNothing { id } }", on_nothing, sub_id="3"))
    # WHEN updatePost and deletePost complete
    assert await registry.publish("updatePost", POST) == 1
    assert await registry.publish("deletePost", POST) == 0
    # THEN only onChangePost (which names updatePost) fired
    assert on_create.messages == [] and on_nothing.messages == []
    assert on_change.messages == [{"data": {"onChangePost": {"id": "p1"}}}]


async def test_argument_filters_compare_with_the_mutations_result(registry: SubscriptionRegistry) -> None:
    # GIVEN subscribers with matching, non-matching, null and unselected-field arguments
    inboxes = {name: Inbox() for name in ("match", "other", "nulls", "both")}
    registry.add(
        subscription(
            "subscription { onCreatePost { id } }", inboxes["match"], sub_id="1", arguments={"groupId": "g1"}
        )
    )
    registry.add(
        subscription(
            "subscription { onCreatePost { id } }", inboxes["other"], sub_id="2", arguments={"groupId": "g2"}
        )
    )
    registry.add(
        subscription(
            "subscription { onCreatePost { id } }",
            inboxes["nulls"],
            sub_id="3",
            arguments={"groupId": None, "title": None},
        )
    )
    registry.add(
        subscription(
            "subscription { onCreatePost { id } }",
            inboxes["both"],
            sub_id="4",
            arguments={"groupId": "g1", "title": "Other"},
        )
    )
    # WHEN createPost completes for group g1
    delivered = await registry.publish("createPost", POST)
    # THEN null arguments are ignored and every non-null one must equal the result's field
    assert delivered == 2
    assert [name for name, inbox in inboxes.items() if inbox.messages] == ["match", "nulls"]

    # AND an argument naming a field the mutation did not select never matches
    unselected = {k: v for k, v in POST.items() if k != "groupId"}
    assert await registry.publish("createPost", unselected) == 1  # only the null-arguments subscriber


async def test_enhanced_filters_apply_after_argument_filters(registry: SubscriptionRegistry) -> None:
    # GIVEN a subscriber whose resolver set a filter on a nested field
    inbox = Inbox()
    rule = parse_filter(
        {"filterGroup": [{"filters": [{"fieldName": "author.name", "operator": "eq", "value": "bo"}]}]}
    )
    registry.add(subscription("subscription { onCreatePost { id } }", inbox, filter=rule))
    # WHEN posts by ana and by bo are created THEN only bo's reaches the subscriber
    assert await registry.publish("createPost", POST) == 0
    assert await registry.publish("createPost", {**POST, "id": "p2", "author": {"name": "bo"}}) == 1
    assert inbox.messages == [{"data": {"onCreatePost": {"id": "p2"}}}]


async def test_subscribers_with_equal_filters_each_get_what_their_filter_lets_through(
    registry: SubscriptionRegistry,
) -> None:
    # GIVEN three subscribers: two whose resolvers set equal filters (parsed apart), one an `in` filter
    def eq_bo() -> Any:
        return parse_filter(
            {"filterGroup": [{"filters": [{"fieldName": "author.name", "operator": "eq", "value": "bo"}]}]}
        )

    inboxes = [Inbox(), Inbox(), Inbox()]
    rules = [
        eq_bo(),
        eq_bo(),
        parse_filter(
            {"filterGroup": [{"filters": [{"fieldName": "author.name", "operator": "in", "value": ["ana"]}]}]}
        ),
    ]
    for n, (inbox, rule) in enumerate(zip(inboxes, rules, strict=True)):
        registry.add(subscription("subscription { onCreatePost { id } }", inbox, sub_id=str(n), filter=rule))
    # WHEN posts by ana and by bo are created
    assert await registry.publish("createPost", POST) == 1
    assert await registry.publish("createPost", {**POST, "id": "p2", "author": {"name": "bo"}}) == 2
    # THEN each subscriber received exactly the posts its own filter passes
    assert [inbox.messages for inbox in inboxes] == [
        [{"data": {"onCreatePost": {"id": "p2"}}}],
        [{"data": {"onCreatePost": {"id": "p2"}}}],
        [{"data": {"onCreatePost": {"id": POST["id"]}}}],
    ]


async def test_listener_publishes_each_mutation_result(registry: SubscriptionRegistry) -> None:
    # GIVEN the registry's listener, as the executor calls it after a root mutation field
    inbox = Inbox()
    registry.add(subscription("subscription { onCreatePost { title } }", inbox))
    listener = registry.listener()
    # WHEN it is called with the field name and result
    await listener("createPost", POST, object())
    # THEN the subscriber receives the result
    assert inbox.messages == [{"data": {"onCreatePost": {"title": "Hello"}}}]


async def test_one_failing_subscriber_among_a_thousand_does_not_stop_the_others() -> None:
    # GIVEN 1,000 subscribers on 100 connections, one whose socket is gone and one too far behind to take more
    registry = SubscriptionRegistry.for_schema(SCHEMA)
    inboxes = [Inbox() for _ in range(1000)]

    def broken(message: dict[str, Any]) -> None:
        raise ConnectionResetError("socket closed")

    def stuck(message: dict[str, Any]) -> None:
        raise OverflowError("the client is 1000 messages behind")

    for number, inbox in enumerate(inboxes):
        sub = subscription(
            "subscription { onCreatePost { id title } }",
            inbox,
            sub_id=str(number),
            connection_id=f"c{number % 100}",
        )
        if number == 10:
            sub.send = broken
        if number == 20:
            sub.send = stuck
        registry.add(sub)
    # WHEN one mutation is published
    delivered = await registry.publish("createPost", POST)
    # THEN the 998 healthy subscribers received it, and the failed ones were dropped
    assert delivered == 998
    received = [i for i, inbox in enumerate(inboxes) if inbox.messages]
    assert len(received) == 998 and 10 not in received and 20 not in received
    assert inboxes[0].messages == [{"data": {"onCreatePost": {"id": "p1", "title": "Hello"}}}]
    assert registry.count() == 998
    assert registry.get("c10", "10") is None and registry.get("c20", "20") is None


# -- invalidation -----------------------------------------------------------------------------------


async def test_invalidation_closes_matching_subscriptions_only(registry: SubscriptionRegistry) -> None:
    # GIVEN two subscribers whose resolver set invalidation filters on their user and group, and one without
    def invalidation_for(user: str) -> Any:
        return parse_filter(
            {
                "filterGroup": [
                    {
                        "filters": [
                            {"fieldName": "userId", "operator": "eq", "value": user},
                            {"fieldName": "groupId", "operator": "eq", "value": "g1"},
                        ]
                    }
                ]
            }
        )

    user1, user2, plain = Inbox(), Inbox(), Inbox()
    registry.add(
        subscription(
            "subscription { onCreatePost { id } }",
            user1,
            sub_id="1",
            invalidation_filter=invalidation_for("u1"),
        )
    )
    registry.add(
        subscription(
            "subscription { onCreatePost { id } }",
            user2,
            sub_id="2",
            invalidation_filter=invalidation_for("u2"),
        )
    )
    registry.add(subscription("subscription { onCreatePost { id } }", plain, sub_id="3"))

    # WHEN a mutation invalidates onCreatePost for u1 in g1 (and another field for the same payload)
    payload = {"userId": "u1", "groupId": "g1"}
    assert await registry.invalidate("onChangePost", payload) == 0
    closed = await registry.invalidate("onCreatePost", payload)

    # THEN only u1's subscription is closed, with AppSync's message, and it no longer receives data
    assert closed == 1
    assert user1.invalidations == [{"message": "Subscription complete."}]
    assert user2.invalidations == [] and plain.invalidations == []
    assert await registry.publish("createPost", POST) == 2
    assert user1.messages == []


# -- membership -------------------------------------------------------------------------------------


def test_subscriptions_are_removed_one_by_one_or_per_connection(registry: SubscriptionRegistry) -> None:
    # GIVEN three subscriptions over two connections
    inbox = Inbox()
    registry.add(subscription("subscription { onCreatePost { id } }", inbox, sub_id="1", connection_id="a"))
    registry.add(subscription("subscription { onChangePost { id } }", inbox, sub_id="2", connection_id="a"))
    registry.add(subscription("subscription { onCreatePost { id } }", inbox, sub_id="1", connection_id="b"))
    assert registry.count() == 3 and registry.count("a") == 2

    # WHEN an id is reused on its connection THEN it is refused
    with pytest.raises(SubscriptionExistsError, match="already in use"):
        registry.add(
            subscription("subscription { onCreatePost { id } }", inbox, sub_id="1", connection_id="a")
        )

    # WHEN one is stopped and a connection closes THEN they are gone, and unknown ids are harmless
    assert registry.remove("a", "1") is not None
    assert registry.remove("a", "1") is None
    assert registry.remove_connection("a") == 1
    assert registry.remove_connection("a") == 0
    assert registry.count() == 1 and registry.count("a") == 0
