"""What `schema.graphql` says about auth, read for grants: which fields IAM callers may call."""

from __future__ import annotations

from graphql import ObjectTypeDefinitionNode, parse

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
