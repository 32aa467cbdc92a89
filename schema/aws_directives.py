"""AppSync's built-in `@aws_*` directives as strawberry schema directives.

They print in SDL the way AppSync reads them: `@aws_api_key`,
`@aws_cognito_user_pools(cognito_groups: ["authors"])`.
Arguments keep AppSync's snake_case names, so they opt out of strawberry's camelCase conversion. Locations and
argument types follow the definitions AppSync has built in (see `appsync_local.sdl.APPSYNC_PRELUDE`).

Usage::

    @strawberry.type(directives=[aws_api_key(), aws_cognito_user_pools()])
    class PublicProfile: ...

    @strawberry.field(directives=[aws_cognito_user_pools(cognito_groups=["authors"])])
    def create_post(self, input: CreatePostInput) -> Post: ...
"""

from __future__ import annotations

import strawberry
from strawberry.schema_directive import Location
from strawberry.types.unset import UNSET

_AUTH_LOCATIONS = [Location.OBJECT, Location.FIELD_DEFINITION]


@strawberry.schema_directive(locations=_AUTH_LOCATIONS, name="aws_api_key")
class aws_api_key:  # lower-case, as the directives are named in SDL
    """Allow the API_KEY auth mode on this type or field."""


@strawberry.schema_directive(locations=_AUTH_LOCATIONS, name="aws_iam")
class aws_iam:
    """Allow the AWS_IAM (SigV4) auth mode on this type or field."""


@strawberry.schema_directive(locations=_AUTH_LOCATIONS, name="aws_oidc")
class aws_oidc:
    """Allow the OPENID_CONNECT auth mode on this type or field."""


@strawberry.schema_directive(locations=_AUTH_LOCATIONS, name="aws_lambda")
class aws_lambda:
    """Allow the AWS_LAMBDA authorizer auth mode on this type or field."""


@strawberry.schema_directive(locations=_AUTH_LOCATIONS, name="aws_cognito_user_pools")
class aws_cognito_user_pools:
    """Allow Cognito user-pool tokens, optionally only for members of the listed groups."""

    # UNSET, not None: an omitted argument is left out of the SDL rather than printed as null.
    cognito_groups: list[str] | None = strawberry.directive_field(name="cognito_groups", default=UNSET)


@strawberry.schema_directive(locations=[Location.FIELD_DEFINITION], name="aws_auth")
class aws_auth:
    """Restrict a field to members of the listed Cognito groups (AppSync's older form of the above)."""

    cognito_groups: list[str] = strawberry.directive_field(name="cognito_groups")


@strawberry.schema_directive(locations=[Location.FIELD_DEFINITION], name="aws_subscribe")
class aws_subscribe:
    """Make a subscription field fire when one of the named mutations completes."""

    mutations: list[str] = strawberry.directive_field(name="mutations")


AWS_DIRECTIVE_NAMES: frozenset[str] = frozenset(
    {
        "aws_api_key",
        "aws_iam",
        "aws_oidc",
        "aws_lambda",
        "aws_cognito_user_pools",
        "aws_auth",
        "aws_subscribe",
    }
)

__all__ = [
    "AWS_DIRECTIVE_NAMES",
    "aws_api_key",
    "aws_auth",
    "aws_cognito_user_pools",
    "aws_iam",
    "aws_lambda",
    "aws_oidc",
    "aws_subscribe",
]
