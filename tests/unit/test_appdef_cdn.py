"""Buckets CloudFront serves: signed URLs, a site's content and its config, checked before anything runs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from appdef import AppConfig, ConfigError, load_config

BASE = """
[api]
schema = "schema:schema"
default_auth = "AMAZON_COGNITO_USER_POOLS"
additional_auth = ["API_KEY"]

[auth.cognito]
user_pool_id = "us-east-1_Pool"
app_client_ids = ["web"]

[buckets.media]
cdn = true
signed_urls = { secret = "media-key", public_paths = ["posters/*", "thumbs/?.jpg"] }

[buckets.site]
cdn = true

[buckets.site.content]
folder = "www"
config_file = "config.json"
config = { graphqlUrl = "${api:graphql_url}", apiKey = "${api:api_key}", clientId = "${api:user_pool_client_id}" }

[functions.player]
handler = "resolvers.todos.handler.lambda_handler"
environment = { KEY_ID = "${cdn_key:media}", KEY_SECRET = "${secret:media-key}", MEDIA = "${cdn:media}" }
"""


def _load(tmp_path: Path, text: str) -> AppConfig:
    (tmp_path / "www").mkdir(exist_ok=True)
    path = tmp_path / "appsync.toml"
    path.write_text(textwrap.dedent(text))
    return load_config(path)


def _refusal(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as refused:
        _load(tmp_path, text)
    return str(refused.value)


def test_signed_urls_and_content_are_read(tmp_path: Path) -> None:
    config = _load(tmp_path, BASE)
    media, site = config.buckets["media"], config.buckets["site"]
    assert media.signed_urls is not None and media.signed_urls.secret == "media-key"
    assert media.signed_urls.public_paths == ("posters/*", "thumbs/?.jpg")
    assert site.content is not None and site.content.folder == "www"
    assert site.content.cache_control == "public, max-age=300"
    assert site.content.config["apiKey"] == "${api:api_key}"


def test_signed_urls_and_content_need_the_cdn(tmp_path: Path) -> None:
    message = _refusal(tmp_path, BASE.replace("[buckets.media]\ncdn = true", "[buckets.media]"))
    assert "buckets.media.signed_urls: needs `cdn = true`" in message
    message = _refusal(tmp_path, BASE.replace("[buckets.site]\ncdn = true", "[buckets.site]"))
    assert "buckets.site.content: needs `cdn = true`" in message


def test_a_missing_content_folder_is_named(tmp_path: Path) -> None:
    message = _refusal(tmp_path, BASE.replace('folder = "www"', 'folder = "public"'))
    assert f"buckets.site.content.folder: {tmp_path / 'public'} is not a folder" in message


def test_two_buckets_cannot_share_a_signing_secret(tmp_path: Path) -> None:
    text = BASE + '\n[buckets.more]\ncdn = true\nsigned_urls = { secret = "media-key" }\n'
    assert "buckets.more.signed_urls.secret: bucket media signs with it too" in _refusal(tmp_path, text)


def test_references_must_name_signed_buckets_and_their_secrets(tmp_path: Path) -> None:
    message = _refusal(tmp_path, BASE.replace("${cdn_key:media}", "${cdn_key:site}"))
    assert "functions.player.environment.KEY_ID: ${cdn_key:site}: cdn_key 'site' is not defined" in message
    message = _refusal(tmp_path, BASE.replace("${secret:media-key}", "${secret:other}"))
    assert "${secret:other}: secret 'other' is not defined" in message


def test_site_config_references_are_checked_too(tmp_path: Path) -> None:
    message = _refusal(tmp_path, BASE.replace("${api:api_key}", "${api:secret_key}"))
    assert "buckets.site.content.config.apiKey: ${api:secret_key}: api 'secret_key' is not defined" in message
    without_pool = BASE.replace('default_auth = "AMAZON_COGNITO_USER_POOLS"', 'default_auth = "API_KEY"')
    without_pool = without_pool.replace('additional_auth = ["API_KEY"]', "").replace(
        '[auth.cognito]\nuser_pool_id = "us-east-1_Pool"\napp_client_ids = ["web"]', ""
    )
    message = _refusal(tmp_path, without_pool)
    assert "${api:user_pool_client_id}: api 'user_pool_client_id' is not defined" in message


@pytest.mark.parametrize("pattern", ["/posters/*", "posters/*;rm", "a b"])
def test_public_paths_are_cloudfront_patterns(tmp_path: Path, pattern: str) -> None:
    message = _refusal(tmp_path, BASE.replace('"posters/*"', f'"{pattern}"'))
    assert "buckets.media.signed_urls.public_paths[0]" in message
