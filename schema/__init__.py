"""The API's GraphQL schema, written once in strawberry; `schema.graphql` is exported from it.

Types here are shape only: every resolver is bound at run time from the binding registry (the method bodies
are `...`). Each domain module contributes its Query and Mutation fields as a base class.
"""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from schema.aws_scalars import AWS_SCALAR_MAP
from schema.blog import BlogMutations, BlogQueries, BlogSubscriptions
from schema.files import FileMutations, FileQueries
from schema.ingestion import IngestionMutations, IngestionQueries, IngestionSubscriptions
from schema.media import MediaMutations, MediaQueries
from schema.premium import PremiumMutations
from schema.todos import TodoMutations, TodoQueries, TodoSubscriptions
from schema.users import UserMutations, UserQueries


# Fields print in the order of the base classes.
@strawberry.type
class Query(UserQueries, TodoQueries, FileQueries, BlogQueries, MediaQueries, IngestionQueries):
    """The root query type: every domain's Query fields."""


@strawberry.type
class Mutation(
    UserMutations,
    TodoMutations,
    FileMutations,
    BlogMutations,
    IngestionMutations,
    MediaMutations,
    PremiumMutations,
):
    """The root mutation type: every domain's Mutation fields."""


@strawberry.type
class Subscription(TodoSubscriptions, BlogSubscriptions, IngestionSubscriptions):
    """The root subscription type: each field fires from the mutations its @aws_subscribe names."""


schema: strawberry.Schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    config=StrawberryConfig(scalar_map=AWS_SCALAR_MAP),
)

__all__ = ["Mutation", "Query", "Subscription", "schema"]
