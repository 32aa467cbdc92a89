"""`ctx.identity`: what AppSync tells a resolver about the caller, per auth mode (None for API keys)."""

from __future__ import annotations

from typing import Any, Literal, TypedDict


class CognitoIdentity(TypedDict):
    """AMAZON_COGNITO_USER_POOLS: the verified token's subject, issuer, claims and groups."""

    sub: str
    issuer: str
    username: str | None
    claims: dict[str, Any]
    sourceIp: list[str]
    defaultAuthStrategy: Literal["ALLOW", "DENY"]
    groups: list[str] | None


class IamIdentity(TypedDict):
    """AWS_IAM: the signing principal."""

    accountId: str
    cognitoIdentityPoolId: str | None
    cognitoIdentityId: str | None
    sourceIp: list[str]
    username: str
    userArn: str
    cognitoIdentityAuthType: str | None
    cognitoIdentityAuthProvider: str | None


class OidcIdentity(TypedDict):
    """OPENID_CONNECT: the verified token's subject, issuer and claims."""

    sub: str
    issuer: str
    claims: dict[str, Any]


class LambdaIdentity(TypedDict):
    """AWS_LAMBDA: what the authorizer function returned as `resolverContext`."""

    resolverContext: dict[str, Any]


Identity = CognitoIdentity | IamIdentity | OidcIdentity | LambdaIdentity
