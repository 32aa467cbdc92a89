"""`schema.graphql` is the strawberry schema exported in AppSync's form, committed, and kept in step."""

from __future__ import annotations

from pathlib import Path
from typing import NewType

import pytest
import strawberry
from graphql import (
    GraphQLInputObjectType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    print_ast,
)
from strawberry.schema.config import StrawberryConfig

from appdef import load_config
from appsync_local.sdl import (
    APPSYNC_PRELUDE,
    SchemaExportError,
    appsync_sdl,
    build_appsync_schema,
    load_schema,
    write_schema_file,
)
from schema.aws_directives import aws_api_key, aws_cognito_user_pools, aws_subscribe

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "schema.graphql"

# The users/todos contract as agreed, in AppSync form. The export must describe exactly this API.
CONTRACT = """
schema { query: Query mutation: Mutation }

type User @aws_cognito_user_pools {
  id: ID!
  username: String!
  email: AWSEmail
  name: String
  bio: String
  createdAt: AWSDateTime!
  updatedAt: AWSDateTime!
}

type PublicProfile @aws_api_key @aws_iam @aws_cognito_user_pools @aws_oidc {
  id: ID!
  name: String
  bio: String
}

type Todo @aws_cognito_user_pools {
  id: ID!
  ownerId: ID!
  title: String!
  description: String
  done: Boolean!
  dueDate: AWSDate
  version: Int!
  createdAt: AWSDateTime!
  updatedAt: AWSDateTime!
  owner: PublicProfile
}

type TodoConnection @aws_cognito_user_pools {
  items: [Todo!]!
  nextToken: String
}

type FileUrl @aws_cognito_user_pools {
  key: String!
  url: AWSURL!
  method: String!
  expiresAt: AWSDateTime!
}

input CreateTodoInput { title: String!, description: String, dueDate: AWSDate }
input UpdateTodoInput {
  id: ID!, expectedVersion: Int!, title: String, description: String, done: Boolean, dueDate: AWSDate
}
input UpdateProfileInput { name: String, bio: String, email: AWSEmail }
input TodoFilterInput { done: Boolean }

type Query {
  me: User!
  getTodo(id: ID!): Todo
  listTodos(filter: TodoFilterInput, limit: Int, nextToken: String): TodoConnection!
  getProfile(id: ID!): PublicProfile @aws_api_key @aws_iam @aws_cognito_user_pools @aws_oidc
  fileDownloadUrl(key: String!): FileUrl!
}

type Mutation {
  updateProfile(input: UpdateProfileInput!): User!
  createTodo(input: CreateTodoInput!): Todo!
  updateTodo(input: UpdateTodoInput!): Todo!
  deleteTodo(id: ID!): Todo
  createFileUploadUrl(fileName: String!, contentType: String): FileUrl!
}
"""


def _app_schema() -> strawberry.Schema:
    return load_schema(load_config(ROOT / "appsync.toml").api.schema_spec)


def _directives(named: GraphQLNamedType | object) -> list[str]:
    node = getattr(named, "ast_node", None)
    return [print_ast(d) for d in node.directives] if node is not None and node.directives else []


def _shape(schema: GraphQLSchema) -> dict[str, object]:
    """Every user-defined type: its fields, their types, arguments and directives; descriptions ignored."""
    shape: dict[str, object] = {}
    for name, named in schema.type_map.items():
        if name.startswith(("__", "AWS")) or named.ast_node is None:
            continue
        if isinstance(named, GraphQLObjectType):
            shape[name] = {
                "directives": _directives(named),
                "fields": {
                    field_name: (
                        str(f.type),
                        {arg_name: str(arg.type) for arg_name, arg in f.args.items()},
                        _directives(f),
                    )
                    for field_name, f in named.fields.items()
                },
            }
        elif isinstance(named, GraphQLInputObjectType):
            shape[name] = {field_name: str(f.type) for field_name, f in named.fields.items()}
        else:
            shape[name] = type(named).__name__
    return shape


@pytest.fixture(scope="module")
def exported() -> str:
    return appsync_sdl(_app_schema())


def test_committed_schema_matches_a_fresh_export(exported: str) -> None:
    # GIVEN the committed schema.graphql and a fresh export of the strawberry schema
    committed = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""

    # WHEN they are compared
    # THEN they are identical
    assert committed == exported, (
        "schema.graphql is out of date with the strawberry schema in schema/; run `make schema` and commit it"
    )


def test_export_declares_no_appsync_builtins(exported: str) -> None:
    # GIVEN the export
    # WHEN it is read line by line
    lines = [line.strip() for line in exported.splitlines()]

    # THEN it declares none of the scalars or directives AppSync has built in (AppSync rejects those)
    assert not [line for line in lines if line.startswith("scalar ")]
    assert not [line for line in lines if line.startswith("directive @aws_")]
    assert exported.startswith(
        "schema {\n  query: Query\n  mutation: Mutation\n  subscription: Subscription\n}\n"
    )


def _within(contract: dict[str, object], built: dict[str, object]) -> dict[str, object]:
    """The part of `built` that the contract speaks of (other domains add types and root fields)."""
    narrowed: dict[str, object] = {}
    for name, expected in contract.items():
        actual = built.get(name)
        if isinstance(expected, dict) and "fields" in expected and isinstance(actual, dict):
            fields = actual["fields"]  # type: ignore[index]
            narrowed[name] = {
                "directives": actual["directives"],
                "fields": {f: fields[f] for f in expected["fields"] if f in fields},  # type: ignore[index]
            }
        else:
            narrowed[name] = actual
    return narrowed


def test_export_parses_as_appsync_would_and_keeps_the_users_todos_contract(exported: str) -> None:
    # GIVEN the export and the users/todos contract, each read after AppSync's built-in definitions
    # WHEN both are built into schemas
    built = build_appsync_schema(exported)
    contract = _shape(build_appsync_schema(CONTRACT))

    # THEN every contract type and field is exported with the same types, arguments, nullability and
    # auth directives (other domains, like the blog, only add to it)
    assert built.query_type is not None and built.query_type.name == "Query"
    assert built.mutation_type is not None and built.mutation_type.name == "Mutation"
    assert _within(contract, _shape(built)) == contract


def test_directives_sit_where_the_contract_puts_them(exported: str) -> None:
    # GIVEN the export built as AppSync would
    built = build_appsync_schema(exported)

    # WHEN the auth directives on the public profile, its query and the private types are read
    public = _directives(built.get_type("PublicProfile"))
    get_profile = _directives(built.query_type.fields["getProfile"])  # type: ignore[union-attr]
    private = {
        name: _directives(built.get_type(name)) for name in ("User", "Todo", "TodoConnection", "FileUrl")
    }

    # THEN the public side is open to the API key, IAM, user tokens and OIDC tokens, the rest to user tokens only
    assert public == ["@aws_api_key", "@aws_iam", "@aws_cognito_user_pools", "@aws_oidc"]
    assert get_profile == ["@aws_api_key", "@aws_iam", "@aws_cognito_user_pools", "@aws_oidc"]
    assert private == {name: ["@aws_cognito_user_pools"] for name in private}


# --- the exporter on its own --------------------------------------------------------------------------


@strawberry.type
class _Post:
    id: strawberry.ID


@strawberry.type
class _Query:
    @strawberry.field(
        directives=[aws_api_key(), aws_cognito_user_pools(cognito_groups=["authors", "admins"])]
    )
    def post(self, id: strawberry.ID) -> _Post | None: ...


@strawberry.type
class _Mutation:
    @strawberry.field(directives=[aws_cognito_user_pools(cognito_groups=["authors"])])
    def create_post(self, title: str) -> _Post: ...


@strawberry.type
class _Subscription:
    @strawberry.field(directives=[aws_subscribe(mutations=["createPost"])])
    def on_create_post(self) -> _Post | None: ...


def test_directive_arguments_print_the_way_appsync_reads_them() -> None:
    # GIVEN a schema with group-restricted fields and a subscription
    small = strawberry.Schema(query=_Query, mutation=_Mutation, subscription=_Subscription)

    # WHEN it is exported
    sdl = appsync_sdl(small)

    # THEN the directive arguments keep AppSync's names and list syntax, and the result builds
    assert (
        'post(id: ID!): Post @aws_api_key @aws_cognito_user_pools(cognito_groups: ["authors", "admins"])'
        in sdl
    )
    assert '@aws_cognito_user_pools(cognito_groups: ["authors"])' in sdl
    assert 'onCreatePost: Post @aws_subscribe(mutations: ["createPost"])' in sdl
    assert "subscription: Subscription" in sdl
    assert build_appsync_schema(sdl).subscription_type is not None


def test_export_is_deterministic() -> None:
    # GIVEN the app's schema
    # WHEN it is exported twice
    # THEN the text is the same
    assert appsync_sdl(_app_schema()) == appsync_sdl(_app_schema())


Money = NewType("Money", str)


@strawberry.type(name="Query")
class _PriceQuery:
    price: Money


def test_custom_scalar_is_refused() -> None:
    # GIVEN a schema with a scalar AppSync does not have
    custom = strawberry.Schema(
        query=_PriceQuery, config=StrawberryConfig(scalar_map={Money: strawberry.scalar(name="Money")})
    )

    # WHEN it is exported
    # THEN the export says AppSync has no such scalar
    with pytest.raises(SchemaExportError, match="scalar Money is not one of AppSync's scalars"):
        appsync_sdl(custom)


def test_invalid_sdl_is_reported_clearly() -> None:
    # GIVEN SDL using a directive AppSync does not have
    sdl = "type Query @aws_nope { x: Int }"

    # WHEN it is built the way AppSync reads it
    # THEN the error names the problem
    with pytest.raises(SchemaExportError, match="aws_nope"):
        build_appsync_schema(sdl)


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("schema", "must look like 'package.module:attribute'"),
        ("no_such_module_here:schema", "cannot import 'no_such_module_here'"),
        ("schema:nope", "has no attribute 'nope'"),
        ("schema.aws_scalars:AWS_SCALAR_MAP", "not a strawberry.Schema"),
    ],
)
def test_bad_schema_spec_is_reported_clearly(spec: str, problem: str) -> None:
    # GIVEN a schema spec that does not name a strawberry Schema
    # WHEN it is loaded
    # THEN the error says why
    with pytest.raises(SchemaExportError, match=problem):
        load_schema(spec)


def test_write_schema_file_writes_only_on_change(tmp_path: Path) -> None:
    # GIVEN an empty folder
    target = tmp_path / "schema.graphql"

    # WHEN the schema is written twice
    first = write_schema_file(target, "schema:schema")
    second = write_schema_file(target, "schema:schema")

    # THEN the first write creates the export and the second reports nothing to do
    assert (first, second) == (True, False)
    assert target.read_text(encoding="utf-8") == appsync_sdl(_app_schema())


def test_prelude_declares_every_appsync_builtin() -> None:
    # GIVEN AppSync's built-in definitions
    # WHEN they are read
    names = {line.split()[1].split("(")[0] for line in APPSYNC_PRELUDE.splitlines() if line.strip()}

    # THEN all nine AWS scalars and every @aws_* directive are there
    assert {
        "AWSDate", "AWSTime", "AWSDateTime", "AWSTimestamp", "AWSEmail", "AWSJSON", "AWSURL", "AWSPhone",
        "AWSIPAddress", "@aws_api_key", "@aws_iam", "@aws_oidc", "@aws_lambda", "@aws_cognito_user_pools",
        "@aws_auth", "@aws_subscribe",
    } == names  # fmt: skip
