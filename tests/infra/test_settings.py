"""Deploy-only settings in appsync.toml: optional, checked, and clear when wrong."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from appsync_local.config import ConfigError, parse_config
from infra.stacks.settings import DEFAULT_CDN_BUCKETS, parse_deploy_settings

ROOT = Path(__file__).resolve().parents[2]

BASE = """
[api]
schema = "schema:schema"
default_auth = "AMAZON_COGNITO_USER_POOLS"
additional_auth = {modes}
"""


def _settings(text: str, modes: str = '["API_KEY"]'):  # type: ignore[no-untyped-def]
    raw = tomllib.loads(BASE.format(modes=modes) + text)
    return parse_deploy_settings(raw, parse_config(raw, ROOT))


def test_the_project_file_deploys_with_defaults() -> None:
    # GIVEN the project's appsync.toml
    raw = tomllib.loads((ROOT / "appsync.toml").read_text())
    # WHEN its deploy-only settings are read
    settings = parse_deploy_settings(raw, parse_config(raw, ROOT))
    # THEN it reads cleanly: a WAF limit within WAF's range and the buckets CloudFront serves
    assert 10 <= settings.waf_rate_limit <= 2_000_000_000
    assert settings.cdn_buckets


def test_cdn_buckets_named_in_the_file_replace_the_default_pair() -> None:
    settings = _settings('[buckets.site]\ncdn = true\ndescription = "Site"\n[buckets.files]\n')
    assert settings.cdn_buckets == (("site", "Site"),)
    assert dict(_settings("").cdn_buckets) == DEFAULT_CDN_BUCKETS


def test_api_cache_is_off_unless_configured_and_checked_when_it_is() -> None:
    assert _settings("").cache is None
    cache = _settings('[api.cache]\nbehavior = "per_resolver_caching"\nttl_seconds = 30\n').cache
    assert cache is not None and (cache.behavior, cache.ttl_seconds) == ("PER_RESOLVER_CACHING", 30)
    with pytest.raises(ConfigError, match="ttl_seconds must be 1-3600"):
        _settings("[api.cache]\nttl_seconds = 0\n")
    with pytest.raises(ConfigError, match="behavior must be one of"):
        _settings('[api.cache]\nbehavior = "SOMETIMES"\n')


@pytest.mark.parametrize(
    ("modes", "text", "message"),
    [
        ('["OPENID_CONNECT"]', "", r"OPENID_CONNECT needs \[auth.oidc\] issuer"),
        ('["AWS_LAMBDA"]', "", r"AWS_LAMBDA needs \[auth.lambda\] function"),
        (
            '["AWS_LAMBDA"]',
            '[auth.lambda]\nfunction = "nope"\n',
            r"AWS_LAMBDA needs \[auth.lambda\] function",
        ),
        ('["API_KEY"]', "[api.waf]\nrate_limit = 5\n", "rate_limit must be 10-"),
    ],
)
def test_an_auth_mode_or_limit_without_its_settings_is_a_clear_error(
    modes: str, text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        _settings(text, modes)


def test_oidc_is_read_when_the_mode_is_listed() -> None:
    settings = _settings(
        '[auth.oidc]\nissuer = "https://id.example.com"\nclient_id = "web"\n', '["OPENID_CONNECT"]'
    )
    assert settings.oidc is not None and (settings.oidc.issuer, settings.oidc.client_id) == (
        "https://id.example.com",
        "web",
    )
