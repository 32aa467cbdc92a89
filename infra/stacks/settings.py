"""Deploy-only settings: what `appsync.toml` may say about AWS that the local runtime has no use for.

`appsync_local.config` ignores keys it does not know, so these live in the same file, next to what they
refine: `[api.cache]`, `[api.waf]`, `[auth.oidc]`, `[auth.lambda]`, and `cdn = true` on a bucket. Each is
optional; the defaults below are what the stack deploys when the file is silent.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appsync_local.config import AppConfig, ConfigError

CACHE_BEHAVIORS = ("FULL_REQUEST_CACHING", "PER_RESOLVER_CACHING", "OPERATION_LEVEL_CACHING")

# Served through CloudFront when no bucket in appsync.toml says `cdn = true`: the blog's static site and
# its premium media. Naming them in appsync.toml (`[buckets.<name>] cdn = true`) replaces this default.
DEFAULT_CDN_BUCKETS: dict[str, str] = {
    "blog-site": "The blog's static site",
    "premium-media": "Premium media, served only through CloudFront",
}


@dataclass(frozen=True)
class CacheSettings:
    """An AppSync API cache (`AWS::AppSync::ApiCache`): instance type, behaviour, TTL."""

    type: str = "SMALL"
    behavior: str = "FULL_REQUEST_CACHING"
    ttl_seconds: int = 300
    at_rest_encryption: bool = True
    transit_encryption: bool = True


@dataclass(frozen=True)
class OidcSettings:
    """An OpenID Connect provider for the OPENID_CONNECT auth mode."""

    issuer: str
    client_id: str | None = None
    token_expiry_from_auth_seconds: int | None = None
    token_expiry_from_issue_seconds: int | None = None


@dataclass(frozen=True)
class LambdaAuthorizerSettings:
    """The AWS_LAMBDA auth mode: which function of `[functions]` authorizes, and how long results are cached."""

    function: str
    result_ttl_seconds: int = 300
    identity_validation_expression: str | None = None


@dataclass(frozen=True)
class DeploySettings:
    """Everything the stack needs beyond `AppConfig`.

    Attributes
    ----------
    cache
        The API cache, or None for no cache (AppSync's default; an idle cache costs by the hour).
    waf_rate_limit
        Requests one IP may make in a 5-minute window before WAF blocks it.
    oidc, lambda_authorizer
        Settings of the OPENID_CONNECT and AWS_LAMBDA auth modes; required only when a mode is listed.
    cdn_buckets
        Bucket name -> description, for the buckets served through CloudFront.
    """

    cache: CacheSettings | None = None
    waf_rate_limit: int = 1000
    oidc: OidcSettings | None = None
    lambda_authorizer: LambdaAuthorizerSettings | None = None
    cdn_buckets: tuple[tuple[str, str], ...] = tuple(DEFAULT_CDN_BUCKETS.items())


def _cache(raw: dict[str, Any] | None) -> CacheSettings | None:
    if not raw:
        return None
    behavior = str(raw.get("behavior", "FULL_REQUEST_CACHING")).upper()
    if behavior not in CACHE_BEHAVIORS:
        raise ConfigError(f"api.cache.behavior must be one of {', '.join(CACHE_BEHAVIORS)}")
    ttl = int(raw.get("ttl_seconds", 300))
    if not 1 <= ttl <= 3600:
        raise ConfigError("api.cache.ttl_seconds must be 1-3600, as in AppSync")
    return CacheSettings(type=str(raw.get("type", "SMALL")).upper(), behavior=behavior, ttl_seconds=ttl)


def parse_deploy_settings(raw: dict[str, Any], config: AppConfig) -> DeploySettings:
    """Read the deploy-only keys of the parsed `appsync.toml`; bad values raise `ConfigError`."""
    api = raw.get("api", {})
    auth = raw.get("auth", {})
    oidc_raw = auth.get("oidc")
    if "OPENID_CONNECT" in config.api.auth_modes and not (oidc_raw and oidc_raw.get("issuer")):
        raise ConfigError('auth mode OPENID_CONNECT needs [auth.oidc] issuer = "https://…"')
    lambda_raw = auth.get("lambda")
    if "AWS_LAMBDA" in config.api.auth_modes:
        names = {f.name for f in config.functions}
        if not lambda_raw or lambda_raw.get("function") not in names:
            raise ConfigError('auth mode AWS_LAMBDA needs [auth.lambda] function = "<a name in [functions]>"')
    rate = int(api.get("waf", {}).get("rate_limit", 1000))
    if not 10 <= rate <= 2_000_000_000:
        raise ConfigError("api.waf.rate_limit must be 10-2,000,000,000 requests per 5 minutes, as in WAF")
    marked = tuple(
        (name, str(bucket.get("description", "")))
        for name, bucket in raw.get("buckets", {}).items()
        if bucket.get("cdn")
    )
    return DeploySettings(
        cache=_cache(api.get("cache")),
        waf_rate_limit=rate,
        oidc=OidcSettings(
            issuer=oidc_raw["issuer"],
            client_id=oidc_raw.get("client_id"),
            token_expiry_from_auth_seconds=oidc_raw.get("token_expiry_from_auth_seconds"),
            token_expiry_from_issue_seconds=oidc_raw.get("token_expiry_from_issue_seconds"),
        )
        if oidc_raw and oidc_raw.get("issuer")
        else None,
        lambda_authorizer=LambdaAuthorizerSettings(
            function=lambda_raw["function"],
            result_ttl_seconds=int(lambda_raw.get("result_ttl_seconds", 300)),
            identity_validation_expression=lambda_raw.get("identity_validation_expression"),
        )
        if lambda_raw
        else None,
        cdn_buckets=marked or tuple(DEFAULT_CDN_BUCKETS.items()),
    )


def load_deploy_settings(path: Path, config: AppConfig) -> DeploySettings:
    """Load the deploy-only settings from `appsync.toml` (the file `config` was loaded from)."""
    return parse_deploy_settings(tomllib.loads(path.read_text()), config)
