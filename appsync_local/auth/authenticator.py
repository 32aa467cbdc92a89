"""Deciding, from a request's headers, which auth mode applies and who the caller is."""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

import jwt

from appsync_local.auth.api_keys import ApiKeyStore
from appsync_local.auth.errors import UnauthorizedError
from appsync_local.auth.jwt_verifier import JwtVerifier
from appsync_local.auth.lambda_authorizer import LambdaAuthorizer
from appsync_local.auth.oidc import OidcVerifier, oidc_identity
from appsync_local.auth.request_auth import (
    API_KEY,
    AWS_IAM,
    AWS_LAMBDA,
    OPENID_CONNECT,
    USER_POOLS,
    RequestAuth,
)
from appsync_local.auth.sigv4 import ALGORITHM, SigV4Verifier
from appsync_local.wire.identity import CognitoIdentity

NO_CREDENTIALS = "Valid authorization header not provided."
# A JWT: three base64url parts (the signature may be empty), as Cognito and OIDC tokens are.
# Authorization values whose JWT shape `_is_jwt` remembers (the most recent; a token is about 1 KB).
JWT_SHAPES_KEPT = 1024
_JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


def caller_ips(headers: Mapping[str, str], client_ip: str) -> list[str]:
    """AppSync's ``identity.sourceIp``: the addresses an ``X-Forwarded-For`` header lists, then the TCP peer's
    (devguide: resolver-context-reference-js, Identity). Lower-case header names."""
    forwarded = [address.strip() for address in headers.get("x-forwarded-for", "").split(",")]
    return [*(address for address in forwarded if address), client_ip]


def cognito_identity(claims: dict[str, Any], source_ips: list[str]) -> CognitoIdentity:
    """AppSync's ``ctx.identity`` for a user-pool caller."""
    groups = claims.get("cognito:groups")
    return {
        "sub": claims["sub"],
        "issuer": claims["iss"],
        # Id tokens name the user `cognito:username`, access tokens `username`.
        "username": claims.get("cognito:username", claims.get("username")),
        "claims": claims,
        "sourceIp": source_ips,
        "defaultAuthStrategy": "ALLOW",
        "groups": list(groups) if groups else None,
    }


class Authenticator:
    """Authenticates a request with the first enabled mode whose credentials it carries.

    ``Authorization: AWS4-HMAC-SHA256 …`` means IAM, any other ``Authorization`` a token (a ``Bearer``
    prefix is tolerated), ``x-api-key`` an API key. A token goes to OIDC when its ``iss`` is the OIDC
    issuer, else to the user pool (`_token_auth`). Credentials for a mode the API does not enable are
    ignored; once a mode is chosen its verdict is final.

    With AWS_LAMBDA enabled, an ``Authorization`` value goes to the Lambda authorizer unless another enabled
    mode claims it, as on AppSync (devguide: security-authz, "Circumventing SigV4 and OIDC token
    authorization limitations"): a SigV4 signature is IAM's when IAM is enabled, and a JWT (or any
    ``Bearer`` value) is the user pool's or OIDC's when one of them is enabled; a prefixed JWT is not one.

    Parameters
    ----------
    modes
        The API's enabled modes (default first, then additional).
    api_keys, user_pool, sigv4, oidc
        The verifiers for API_KEY, AMAZON_COGNITO_USER_POOLS, AWS_IAM and OPENID_CONNECT; required when the
        mode is enabled.
    lambda_authorizer
        AWS_LAMBDA's authorizer; required when that mode is enabled.
    """

    def __init__(
        self,
        modes: Sequence[str],
        api_keys: ApiKeyStore | None,
        user_pool: JwtVerifier | None,
        sigv4: SigV4Verifier | None,
        oidc: OidcVerifier | None = None,
        *,
        lambda_authorizer: LambdaAuthorizer | None = None,
    ) -> None:
        self.modes = tuple(modes)
        needed: dict[str, object] = {
            API_KEY: api_keys,
            USER_POOLS: user_pool,
            AWS_IAM: sigv4,
            OPENID_CONNECT: oidc,
            AWS_LAMBDA: lambda_authorizer,
        }
        for mode, verifier in needed.items():
            if mode in self.modes and verifier is None:
                raise ValueError(f"auth mode {mode} is enabled but has no verifier")
        self._api_keys = api_keys
        self._user_pool = user_pool
        self._sigv4 = sigv4
        self._oidc = oidc if OPENID_CONNECT in self.modes else None
        self._lambda = lambda_authorizer if AWS_LAMBDA in self.modes else None

    def _for_lambda(self, authorization: str) -> bool:
        """Whether an ``Authorization`` value is the Lambda authorizer's, no other enabled mode claiming it."""
        if self._lambda is None or not authorization:
            return False
        if authorization.startswith(ALGORITHM):
            return AWS_IAM not in self.modes
        if USER_POOLS in self.modes or OPENID_CONNECT in self.modes:
            bearer = authorization[:7].lower() == "bearer "
            return not bearer and not _is_jwt(authorization)
        return True

    async def authenticate_async(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes, source_ip: str
    ) -> RequestAuth:
        """`authenticate`, with what may wait on the network kept off the event loop: a Lambda authorizer's
        call (up to 10 s), and fetching an OIDC issuer's keys for a ``kid`` not seen yet (two requests of up to 5 s each)."""
        authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), "").strip()
        if self._for_lambda(authorization) or self._fetches_keys(authorization):
            return await asyncio.to_thread(self.authenticate, method, url, headers, body, source_ip)
        return self.authenticate(method, url, headers, body, source_ip)

    def _fetches_keys(self, authorization: str) -> bool:
        """Whether the OIDC verifier, given this ``Authorization`` value, may first fetch its issuer's keys."""
        if self._oidc is None or not authorization or authorization.startswith(ALGORITHM):
            return False
        token = _token(authorization)
        routed = USER_POOLS not in self.modes or self._oidc.claims_token(token)
        return routed and self._oidc.may_block(token)

    def authenticate(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes, source_ip: str
    ) -> RequestAuth:
        """Return who made the request; raise `UnauthorizedError` (HTTP 401) when nothing valid is present.

        `headers` may be HTTP headers or a realtime ``header`` object (whose keys clients capitalize).
        """
        headers = {name.lower(): value for name, value in headers.items()}
        authorization = headers.get("authorization", "").strip()
        if self._lambda is not None and self._for_lambda(authorization):
            return self._lambda.authorize(authorization, headers, body)
        if authorization.startswith(ALGORITHM):
            if self._sigv4 is not None and AWS_IAM in self.modes:
                identity = self._sigv4.verify(method, url, headers, body, caller_ips(headers, source_ip))
                return RequestAuth(
                    mode=AWS_IAM, identity=identity, allowed_fields=self._sigv4.allowed_fields(identity)
                )
        elif authorization:
            token_auth = self._token_auth(_token(authorization), caller_ips(headers, source_ip))
            if token_auth is not None:
                return token_auth
        api_key = headers.get("x-api-key")
        if api_key is not None and self._api_keys is not None and API_KEY in self.modes:
            self._api_keys.check(api_key)
            return RequestAuth(mode=API_KEY, identity=None)
        raise UnauthorizedError(NO_CREDENTIALS)

    def _token_auth(self, token: str, source_ips: list[str]) -> RequestAuth | None:
        """The caller of an ``Authorization`` token, or None when no enabled mode takes tokens.

        The OIDC issuer's tokens (by ``iss``) go to OIDC, any other to the user pool; with only one of the
        two enabled, it takes every token. (A mode that takes the tokens neither claims goes here.)
        """
        user_pool = self._user_pool if USER_POOLS in self.modes else None
        if self._oidc is not None and (user_pool is None or self._oidc.claims_token(token)):
            claims = self._oidc.verify(token)
            return RequestAuth(mode=OPENID_CONNECT, identity=oidc_identity(claims), claims=claims)
        if user_pool is None:
            return None
        claims = user_pool.verify(token)
        groups = claims.get("cognito:groups") or []
        if isinstance(groups, str):
            groups = [groups]
        return RequestAuth(
            mode=USER_POOLS,
            identity=cognito_identity(claims, source_ips),
            groups=tuple(str(group) for group in groups),
            claims=claims,
        )


@functools.lru_cache(maxsize=JWT_SHAPES_KEPT)
def _is_jwt(value: str) -> bool:
    """Whether `value` reads as a JWT (its parts base64url, its header and claims JSON objects), signature
    unchecked. A prefix put before a JWT (AppSync's advice for sending one to a Lambda authorizer beside user
    pools or OIDC) makes it none. Remembered per value: a client sends the same token with every request, and
    decoding it cost as much as the rest of authentication (bench/README.md)."""
    if _JWT.match(value) is None:
        return False
    try:
        jwt.decode(value, options={"verify_signature": False})
    except jwt.PyJWTError:
        return False
    return True


def _token(authorization: str) -> str:
    """The token of an ``Authorization`` value (a ``Bearer`` prefix is tolerated)."""
    return (
        authorization[len("Bearer ") :].strip() if authorization[:7].lower() == "bearer " else authorization
    )
