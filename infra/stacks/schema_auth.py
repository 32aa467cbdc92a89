"""What `schema.graphql` says about auth, read for grants: which fields IAM callers may call."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_lambda as lambda_
from graphql import ObjectTypeDefinitionNode, parse

from appdef import ConfigError

AUTH_DIRECTIVES = ("aws_api_key", "aws_iam", "aws_oidc", "aws_lambda", "aws_cognito_user_pools", "aws_auth")


def iam_fields(sdl: str, type_name: str) -> list[str]:
    """The fields of `type_name` that allow IAM: `@aws_iam` on the field, or on the type when the field names
    no mode of its own (AppSync's precedence)."""
    fields: list[str] = []
    for definition in parse(sdl).definitions:
        if not isinstance(definition, ObjectTypeDefinitionNode) or definition.name.value != type_name:
            continue
        type_modes = {d.name.value for d in definition.directives or ()} & set(AUTH_DIRECTIVES)
        for field in definition.fields or ():
            field_modes = {d.name.value for d in field.directives or ()} & set(AUTH_DIRECTIVES)
            if "aws_iam" in (field_modes or type_modes):
                fields.append(field.name.value)
    return fields


def grant_api_calls(
    api: appsync.IGraphqlApi, function: lambda_.Function, fields: Sequence[str], sdl: str
) -> None:
    """Let `function`'s role call exactly `fields` (`Type.field`) of the API; each must allow IAM."""
    by_type: dict[str, list[str]] = {}
    for key in fields:
        type_name, _, field = key.partition(".")
        if field not in iam_fields(sdl, type_name):
            raise ConfigError(
                f"api_calls: {key} is not a field IAM callers may call (no such field, or no @aws_iam on it)"
            )
        by_type.setdefault(type_name, []).append(field)
    for type_name, names in by_type.items():
        api.grant(function, appsync.IamResource.of_type(type_name, *names), "appsync:GraphQL")
