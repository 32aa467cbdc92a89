"""`[auth.*]`: what each auth mode needs to verify a caller."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

from .base import Definition, Name, StrictInt, StrictStr


def _compiles(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a regular expression: {exc}") from None
    return value


# A setting AppSync reads as a regular expression: refused at load time unless it compiles.
Regex = Annotated[StrictStr, AfterValidator(_compiles)]


class CognitoConfig(Definition):
    """AMAZON_COGNITO_USER_POOLS: the user pool that issues tokens, its app clients and groups."""

    user_pool_id: Annotated[StrictStr, Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d_[0-9A-Za-z]+$")] = Field(
        description="`<region>_<id>`; locally the runtime is this pool's issuer."
    )
    app_client_ids: tuple[Annotated[StrictStr, Field(min_length=1)], ...] = Field(
        min_length=1, description="Tokens must be for one of these clients (`aud`/`client_id`)."
    )
    groups: tuple[Annotated[StrictStr, Field(pattern=r"^[\w+=,.@-]+$", max_length=128)], ...] = ()


class OidcConfig(Definition):
    """OPENID_CONNECT: the issuer whose tokens the API accepts, as AppSync's OpenIDConnectConfig has it."""

    issuer: Annotated[StrictStr, Field(pattern=r"^https?://\S+$")] = Field(
        description="The token's `iss`; keys come from `<issuer>/.well-known/openid-configuration`."
    )
    client_id: Regex | None = Field(
        None,
        description="A regular expression the token's `aud` (or `client_id`) must match in full; "
        "unset: any client.",
    )
    iat_ttl: StrictInt | None = Field(
        None,
        ge=0,
        description="Milliseconds a token is valid after it was issued (`iat`); unset or 0: no limit.",
    )
    auth_ttl: StrictInt | None = Field(
        None,
        ge=0,
        description="Milliseconds a token is valid after the user authenticated (`auth_time`); unset or 0: "
        "no limit.",
    )


class LambdaAuthorizerConfig(Definition):
    """AWS_LAMBDA: the function of `[functions]` that authorizes requests."""

    function: Name = Field(description="A function of `[functions]`.")
    ttl_seconds: StrictInt = Field(
        300, ge=0, le=3600, description="How long AppSync caches a result (0-3600)."
    )
    identity_validation_expression: Regex | None = Field(
        None,
        description="A regex the whole token must match before the function is called; others get 401 "
        "without a call.",
    )


class AuthConfig(Definition):
    """The settings of the auth modes `[api]` lists."""

    cognito: CognitoConfig | None = None
    oidc: OidcConfig | None = None
    lambda_: LambdaAuthorizerConfig | None = Field(None, alias="lambda")
