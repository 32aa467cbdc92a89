"""Authentication and authorization for the local AppSync runtime: every AppSync auth mode, verified.

The package knows nothing of any app: it verifies API keys, user-pool JWTs and SigV4 signatures, asks
the app's Lambda authorizer, issues Cognito-compatible tokens, and applies the schema's ``@aws_*``
directives per field.
"""

from __future__ import annotations

from appsync_local.auth.api_keys import ApiKey, ApiKeyStore
from appsync_local.auth.authenticator import NO_CREDENTIALS, Authenticator, cognito_identity
from appsync_local.auth.errors import NOT_AUTHORIZED, AuthStoreError, UnauthorizedError
from appsync_local.auth.iam import IamCredentials
from appsync_local.auth.jwt_verifier import EXPIRED, UNPARSABLE, JwtVerifier, RemoteJwks
from appsync_local.auth.lambda_authorizer import (
    AUTHORIZER_TIMEOUT_SECONDS,
    ApiRef,
    LambdaAuthorizer,
)
from appsync_local.auth.request_auth import (
    API_KEY,
    AWS_IAM,
    AWS_LAMBDA,
    OPENID_CONNECT,
    USER_POOLS,
    RequestAuth,
)
from appsync_local.auth.rules import AuthRules, SchemaAuthError
from appsync_local.auth.sigv4 import INVALID_TOKEN, SIGNATURE_MISMATCH, SigV4Verifier
from appsync_local.auth.user_pool import INCORRECT_CREDENTIALS, LocalUserPool

__all__ = [
    "API_KEY",
    "AUTHORIZER_TIMEOUT_SECONDS",
    "AWS_IAM",
    "AWS_LAMBDA",
    "EXPIRED",
    "INCORRECT_CREDENTIALS",
    "INVALID_TOKEN",
    "NOT_AUTHORIZED",
    "NO_CREDENTIALS",
    "OPENID_CONNECT",
    "SIGNATURE_MISMATCH",
    "UNPARSABLE",
    "USER_POOLS",
    "ApiKey",
    "ApiKeyStore",
    "ApiRef",
    "AuthRules",
    "AuthStoreError",
    "Authenticator",
    "IamCredentials",
    "JwtVerifier",
    "LambdaAuthorizer",
    "LocalUserPool",
    "RemoteJwks",
    "RequestAuth",
    "SchemaAuthError",
    "SigV4Verifier",
    "UnauthorizedError",
    "cognito_identity",
]
