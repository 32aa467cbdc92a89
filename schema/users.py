"""Users: the caller's own profile and the public side of any user."""

from __future__ import annotations

import strawberry

from schema.aws_directives import aws_api_key, aws_cognito_user_pools, aws_iam, aws_oidc
from schema.aws_scalars import AWSDateTime, AWSEmail
from schema.premium import PremiumSubscription, PurchaseConnection

# Who may read a public profile: the API key (web pages), IAM (backends), any signed-in user and OIDC callers.
_PUBLIC = [aws_api_key(), aws_iam(), aws_cognito_user_pools(), aws_oidc()]


@strawberry.type(description="A signed-in user's own profile.", directives=[aws_cognito_user_pools()])
class User:
    id: strawberry.ID = strawberry.field(description="The user's Cognito `sub`.")
    username: str
    email: AWSEmail | None
    name: str | None
    bio: str | None
    created_at: AWSDateTime
    updated_at: AWSDateTime
    premium: PremiumSubscription | None = strawberry.field(
        description="The user's premium subscription (see its `active`); null if they never subscribed."
    )

    @strawberry.field(
        description="The media items the user bought, by media id. limit defaults to 20 and is clamped to 1..100."
    )
    def purchases(
        self, limit: int | None = strawberry.UNSET, next_token: str | None = strawberry.UNSET
    ) -> PurchaseConnection: ...


@strawberry.type(
    description="The public side of a user, readable with the API key, IAM, a user token or an OIDC token.",
    directives=_PUBLIC,
)
class PublicProfile:
    id: strawberry.ID
    name: str | None
    bio: str | None


@strawberry.input(description="The profile fields to change; omitted fields keep their value.")
class UpdateProfileInput:
    name: str | None = strawberry.UNSET
    bio: str | None = strawberry.UNSET
    email: AWSEmail | None = strawberry.UNSET


@strawberry.type
class UserQueries:
    """The Query fields about users."""

    @strawberry.field(description="The caller's profile; created on the first call.")
    def me(self) -> User: ...

    @strawberry.field(directives=_PUBLIC, description="A user's public profile, or null if there is none.")
    def get_profile(self, id: strawberry.ID) -> PublicProfile | None: ...


@strawberry.type
class UserMutations:
    """The Mutation fields about users."""

    @strawberry.field(description="Changes the caller's profile and returns it.")
    def update_profile(self, input: UpdateProfileInput) -> User: ...
