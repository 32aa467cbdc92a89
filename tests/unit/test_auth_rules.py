"""AppSync's auth directives: field over type over default, groups, several modes per element."""

from __future__ import annotations

import pytest

from appsync_local.auth import (
    API_KEY,
    AWS_IAM,
    USER_POOLS,
    AuthRules,
    RequestAuth,
    SchemaAuthError,
)

API_KEY_CALLER = RequestAuth(mode=API_KEY, identity=None)
IAM_CALLER = RequestAuth(mode=AWS_IAM, identity={"userArn": "arn:aws:iam::000000000000:user/dev"})


def user(*groups: str) -> RequestAuth:
    return RequestAuth(mode=USER_POOLS, identity={"sub": "s"}, groups=groups)


def rules(sdl: str, default: str = USER_POOLS, additional: tuple[str, ...] = (API_KEY, AWS_IAM)) -> AuthRules:
    return AuthRules.from_sdl(sdl, default, additional)


def test_fields_without_directives_allow_only_the_default_mode() -> None:
    # GIVEN a type with no directives, user pools being the default
    auth = rules("type Query { me: String }")

    # WHEN / THEN any user-pool user may read it, other modes may not
    assert auth.allows("Query", "me", user())
    assert not auth.allows("Query", "me", API_KEY_CALLER)
    assert not auth.allows("Query", "me", IAM_CALLER)


def test_the_default_mode_can_be_any_mode() -> None:
    # GIVEN an API whose default is the API key
    auth = rules("type Query { hello: String }", default=API_KEY, additional=(USER_POOLS,))

    # WHEN / THEN
    assert auth.allows("Query", "hello", API_KEY_CALLER)
    assert not auth.allows("Query", "hello", user())


def test_type_directives_replace_the_default_mode() -> None:
    # GIVEN a type naming only the API key
    auth = rules("type Query { a: String }  type Public @aws_api_key { name: String }")

    # WHEN / THEN its fields are open to the API key, and no longer implicitly to the default mode
    assert auth.allows("Public", "name", API_KEY_CALLER)
    assert not auth.allows("Public", "name", user())


def test_field_directives_override_the_types() -> None:
    # GIVEN a type for API keys with one field for IAM only
    auth = rules(
        """
        type Query { a: String }
        type Thing @aws_api_key {
          name: String
          secret: String @aws_iam
        }
        """
    )

    # WHEN / THEN the field's directive replaces the type's
    assert auth.allows("Thing", "name", API_KEY_CALLER)
    assert not auth.allows("Thing", "secret", API_KEY_CALLER)
    assert auth.allows("Thing", "secret", IAM_CALLER)
    assert not auth.allows("Thing", "secret", user())


def test_a_field_directive_on_a_type_without_directives_drops_the_default_there() -> None:
    # GIVEN a root field open to API keys and IAM, in a type that otherwise uses the default
    auth = rules("type Query { me: String  getProfile(id: ID!): String @aws_api_key @aws_iam }")

    # WHEN / THEN that field excludes user-pool users, the others keep the default
    assert auth.allows("Query", "getProfile", API_KEY_CALLER)
    assert auth.allows("Query", "getProfile", IAM_CALLER)
    assert not auth.allows("Query", "getProfile", user())
    assert auth.allows("Query", "me", user())
    assert not auth.allows("Query", "me", API_KEY_CALLER)


def test_several_modes_on_one_type() -> None:
    # GIVEN a type open to three modes
    auth = rules(
        "type Query { a: String } type PublicProfile @aws_api_key @aws_iam @aws_cognito_user_pools { id: ID! }"
    )

    # WHEN / THEN each of them passes
    for caller in (API_KEY_CALLER, IAM_CALLER, user()):
        assert auth.allows("PublicProfile", "id", caller)


def test_cognito_groups_restrict_to_members_of_any_listed_group() -> None:
    # GIVEN a field for admins or premium users, and a type for authors via the legacy directive
    auth = rules(
        """
        type Query {
          report: String @aws_cognito_user_pools(cognito_groups: ["admins", "premium"])
          drafts: String @aws_auth(cognito_groups: "authors")
          open: String @aws_cognito_user_pools
        }
        """
    )

    # WHEN / THEN members of any listed group pass; others, and other modes, do not
    assert auth.allows("Query", "report", user("premium"))
    assert auth.allows("Query", "report", user("authors", "admins"))
    assert not auth.allows("Query", "report", user("authors"))
    assert not auth.allows("Query", "report", user())
    assert not auth.allows("Query", "report", API_KEY_CALLER)
    assert auth.allows("Query", "drafts", user("authors"))
    assert not auth.allows("Query", "drafts", user("admins"))
    # and the directive without groups admits every user-pool user
    assert auth.allows("Query", "open", user())


def test_groups_on_a_type_apply_to_its_fields_unless_a_field_says_otherwise() -> None:
    # GIVEN an admin-only type with one field for any user or the API key
    auth = rules(
        """
        type Query { a: String }
        type Audit @aws_cognito_user_pools(cognito_groups: ["admins"]) {
          entries: [String]
          count: Int @aws_cognito_user_pools @aws_api_key
        }
        """
    )

    # WHEN / THEN
    assert auth.allows("Audit", "entries", user("admins"))
    assert not auth.allows("Audit", "entries", user("authors"))
    assert auth.allows("Audit", "count", user("authors"))
    assert auth.allows("Audit", "count", API_KEY_CALLER)


def test_type_extensions_add_fields_and_directives() -> None:
    # GIVEN a type whose directive and fields are spread over an extension
    auth = rules(
        """
        type Query { a: String }
        type Post { title: String }
        extend type Post @aws_api_key { body: String }
        """
    )

    # WHEN / THEN the type's modes (the extension's directive) apply to all its fields
    assert auth.allows("Post", "title", API_KEY_CALLER)
    assert auth.allows("Post", "body", API_KEY_CALLER)
    assert not auth.allows("Post", "body", user())


def test_typename_and_introspection_are_open_to_any_authenticated_caller() -> None:
    # GIVEN a type closed to the API key
    auth = rules("type Query { me: String }")

    # WHEN / THEN meta fields stay readable
    assert auth.allows("Query", "__typename", API_KEY_CALLER)
    assert auth.allows("__Schema", "types", API_KEY_CALLER)


def test_the_denied_message_is_appsyncs() -> None:
    # GIVEN / WHEN / THEN
    assert (
        rules("type Query { me: String }").denied_message("Query", "me")
        == "Not Authorized to access me on type Query"
    )


@pytest.mark.parametrize(
    ("sdl", "default", "expected"),
    [
        ("type Query {", USER_POOLS, "cannot be parsed"),
        ("type Query { a: String }", "MAGIC", "unknown auth mode"),
        (
            "type Query { a: String @aws_cognito_user_pools(cognito_groups: [1]) }",
            USER_POOLS,
            "list of strings",
        ),
    ],
)
def test_a_bad_schema_or_mode_is_reported_clearly(sdl: str, default: str, expected: str) -> None:
    # GIVEN / WHEN / THEN
    with pytest.raises(SchemaAuthError, match=expected):
        AuthRules.from_sdl(sdl, default, ())


def test_an_iam_principal_may_call_only_the_root_fields_its_policy_allows() -> None:
    # GIVEN two IAM mutations, and a role whose policy allows one of them
    auth = rules(
        "type Query { me: String } type Mutation { publish: Result @aws_iam attach: Result @aws_iam }"
        " type Result @aws_iam { id: String }"
    )
    role = RequestAuth(
        mode=AWS_IAM, identity={"userArn": "r"}, allowed_fields=frozenset({"Mutation.publish"})
    )
    # THEN it may call that one (and read what it returns), not the other
    assert auth.allows("Mutation", "publish", role)
    assert auth.allows("Result", "id", role)
    assert not auth.allows("Mutation", "attach", role)
    assert auth.allows("Mutation", "attach", IAM_CALLER)  # a principal whose policy is not narrowed
