"""AppSync auth modes from their names in `appsync.toml`: adding a mode is a change of that file.

Each mode has a builder; `[api] default_auth` and `additional_auth` pick which run. OPENID_CONNECT reads
`[auth.oidc]`; AWS_LAMBDA reads `[auth.lambda]` (a function of `[functions]`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aws_cdk import Duration, Expiration
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_

from appdef import AppConfig


@dataclass(frozen=True)
class AuthContext:
    """What the builders may need: the app definition, the user pool and its app client, the functions."""

    app: AppConfig
    user_pool: cognito.IUserPool
    functions: dict[str, lambda_.IFunction]
    user_pool_client: cognito.IUserPoolClient | None = None


def _cognito(context: AuthContext) -> appsync.AuthorizationMode:
    # Tokens must be for the deployed app client, as locally for `[auth.cognito] app_client_ids` (which it
    # stands in for): without a regex AppSync would take a token of any client of the pool.
    client = context.user_pool_client
    return appsync.AuthorizationMode(
        authorization_type=appsync.AuthorizationType.USER_POOL,
        user_pool_config=appsync.UserPoolConfig(
            user_pool=context.user_pool,
            app_id_client_regex=f"^{client.user_pool_client_id}$" if client is not None else None,
        ),
    )


def _api_key(context: AuthContext) -> appsync.AuthorizationMode:
    return appsync.AuthorizationMode(
        authorization_type=appsync.AuthorizationType.API_KEY,
        api_key_config=appsync.ApiKeyConfig(
            description="Public reads (getProfile)",
            expires=Expiration.after(Duration.days(context.app.api.api_key_expiry_days)),
        ),
    )


def _iam(context: AuthContext) -> appsync.AuthorizationMode:
    return appsync.AuthorizationMode(authorization_type=appsync.AuthorizationType.IAM)


def _oidc(context: AuthContext) -> appsync.AuthorizationMode:
    oidc = context.app.auth.oidc
    assert oidc is not None  # the app definition refuses OPENID_CONNECT without [auth.oidc]
    return appsync.AuthorizationMode(
        authorization_type=appsync.AuthorizationType.OIDC,
        open_id_connect_config=appsync.OpenIdConnectConfig(
            oidc_provider=oidc.issuer,
            client_id=oidc.client_id,
            token_expiry_from_auth=oidc.auth_ttl,
            token_expiry_from_issue=oidc.iat_ttl,
        ),
    )


def _lambda(context: AuthContext) -> appsync.AuthorizationMode:
    authorizer = context.app.auth.lambda_
    assert authorizer is not None  # the app definition refuses AWS_LAMBDA without [auth.lambda]
    return appsync.AuthorizationMode(
        authorization_type=appsync.AuthorizationType.LAMBDA,
        lambda_authorizer_config=appsync.LambdaAuthorizerConfig(
            handler=context.functions[authorizer.function],
            results_cache_ttl=Duration.seconds(authorizer.ttl_seconds),
            validation_regex=authorizer.identity_validation_expression,
        ),
    )


AUTH_MODE_BUILDERS: dict[str, Callable[[AuthContext], appsync.AuthorizationMode]] = {
    "AMAZON_COGNITO_USER_POOLS": _cognito,
    "API_KEY": _api_key,
    "AWS_IAM": _iam,
    "OPENID_CONNECT": _oidc,
    "AWS_LAMBDA": _lambda,
}


def build_authorization_config(context: AuthContext) -> appsync.AuthorizationConfig:
    """The API's default and additional modes, in `appsync.toml`'s order."""
    return appsync.AuthorizationConfig(
        default_authorization=AUTH_MODE_BUILDERS[context.app.api.default_auth](context),
        additional_authorization_modes=[
            AUTH_MODE_BUILDERS[m](context) for m in context.app.api.additional_auth
        ],
    )
