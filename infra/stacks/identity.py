"""Cognito: the user pool (the API's default auth), its groups and web client, and an identity pool whose
signed-in users reach only their own folder of the users' buckets."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from appdef import CognitoConfig

from .storage import USER_SUB_TAG, own_folder_statements


@dataclass(frozen=True)
class UserDirectory:
    """The deployed user pool, its web client and the identity pool."""

    user_pool: cognito.UserPool
    client: cognito.UserPoolClient
    identity_pool: cognito.CfnIdentityPool
    authenticated_role: iam.Role


def build_user_pool(
    scope: Construct, cognito_config: CognitoConfig | None
) -> tuple[cognito.UserPool, cognito.UserPoolClient]:
    """A user pool with e-mail sign-in, the groups `[auth.cognito]` lists and one public web client."""
    pool = cognito.UserPool(
        scope,
        "UserPool",
        self_sign_up_enabled=True,
        sign_in_aliases=cognito.SignInAliases(username=True, email=True),
        auto_verify=cognito.AutoVerifiedAttrs(email=True),
        standard_attributes=cognito.StandardAttributes(
            email=cognito.StandardAttribute(required=True, mutable=True)
        ),
        # cdk-nag COG1: at least 8 characters with upper and lower case, digits and symbols.
        password_policy=cognito.PasswordPolicy(
            min_length=8,
            require_lowercase=True,
            require_uppercase=True,
            require_digits=True,
            require_symbols=True,
        ),
        account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
        removal_policy=RemovalPolicy.RETAIN,
    )
    for group in cognito_config.groups if cognito_config else ():
        cognito.CfnUserPoolGroup(scope, f"{group}Group", user_pool_id=pool.user_pool_id, group_name=group)
    client = pool.add_client(
        "WebClient",
        generate_secret=False,  # browsers and CLI examples cannot keep a secret
        auth_flows=cognito.AuthFlow(user_password=True, user_srp=True),
        id_token_validity=Duration.hours(1),
        access_token_validity=Duration.hours(1),
        prevent_user_existence_errors=True,
        # No hosted UI is configured: without this CDK enables the implicit and code grants with a placeholder
        # callback URL (https://example.com), a sign-in path nobody reviewed.
        disable_o_auth=True,
    )
    return pool, client


def build_identity_pool(
    scope: Construct,
    pool: cognito.UserPool,
    client: cognito.UserPoolClient,
    user_buckets: dict[str, s3.IBucket],
) -> tuple[cognito.CfnIdentityPool, iam.Role]:
    """An identity pool for the user pool's users; its role opens `users/<user pool sub>/` of each users' bucket.

    The pool maps the token's `sub` claim to the session's principal tag `sub` (and nothing else), which the
    role's policy names: the folder is the one the API's presigned URLs use.
    """
    identity_pool = cognito.CfnIdentityPool(
        scope,
        "IdentityPool",
        allow_unauthenticated_identities=False,
        cognito_identity_providers=[
            cognito.CfnIdentityPool.CognitoIdentityProviderProperty(
                client_id=client.user_pool_client_id,
                provider_name=pool.user_pool_provider_name,
            )
        ],
    )
    role = iam.Role(
        scope,
        "IdentityPoolAuthenticatedRole",
        description="Signed-in users: their own folder of the users' buckets",
        # Session tags need sts:TagSession in the trust policy, beside the web-identity assume.
        assumed_by=iam.SessionTagsPrincipal(
            iam.FederatedPrincipal(
                "cognito-identity.amazonaws.com",
                conditions={
                    "StringEquals": {"cognito-identity.amazonaws.com:aud": identity_pool.ref},
                    "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
                },
                assume_role_action="sts:AssumeRoleWithWebIdentity",
            )
        ),
    )
    cognito.CfnIdentityPoolPrincipalTag(
        scope,
        "IdentityPoolPrincipalTags",
        identity_pool_id=identity_pool.ref,
        identity_provider_name=pool.user_pool_provider_name,
        principal_tags={USER_SUB_TAG: "sub"},
        use_defaults=False,
    )
    for bucket in user_buckets.values():
        for statement in own_folder_statements(bucket):
            role.add_to_policy(statement)
    cognito.CfnIdentityPoolRoleAttachment(
        scope,
        "IdentityPoolRoles",
        identity_pool_id=identity_pool.ref,
        roles={"authenticated": role.role_arn},
    )
    return identity_pool, role


def build_user_directory(
    scope: Construct, cognito_config: CognitoConfig | None, user_buckets: dict[str, s3.IBucket]
) -> UserDirectory:
    """The user pool, its client and the identity pool, wired together."""
    pool, client = build_user_pool(scope, cognito_config)
    identity_pool, role = build_identity_pool(scope, pool, client, user_buckets)
    return UserDirectory(pool, client, identity_pool, role)
