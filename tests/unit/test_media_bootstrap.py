"""The media functions' settings come from their environment when a handler runs; bad ones are named."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from functions.media_uploads.bootstrap import Settings as UploadsSettings
from resolvers.media.bootstrap import Settings
from resolvers.media.domain.errors import ConfigurationError

ENV = {
    "MEDIA_TABLE": "Media",
    "PREMIUM_USERS_TABLE": "PremiumUsers",
    "PURCHASES_TABLE": "Purchases",
    "MEDIA_BUCKET": "premium-media",
    "MEDIA_CDN_URL": "https://d111111abcdef8.cloudfront.net/",
    "CDN_KEY_PAIR_ID": "K2JCJMDEHXQW5F",
    "SIGNING_KEY_SECRET": "premium-media-signing-key",
}


def test_defaults_sign_for_five_minutes_without_binding_the_address() -> None:
    settings = Settings.from_environ(ENV)
    assert (settings.playback_url_ttl_seconds, settings.bind_source_ip) == (300, False)
    assert (settings.upload_url_ttl_seconds, settings.max_media_bytes) == (900, 1024**3)
    assert settings.cdn_base_url == "https://d111111abcdef8.cloudfront.net"


@pytest.mark.parametrize(("raw", "bound"), [("true", True), ("TRUE", True), ("1", True), ("false", False)])
def test_the_source_ip_switch_reads_true_or_false(raw: str, bound: bool) -> None:
    assert Settings.from_environ({**ENV, "PLAYBACK_URL_BIND_SOURCE_IP": raw}).bind_source_ip is bound


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({k: v for k, v in ENV.items() if k != "SIGNING_KEY_SECRET"}, "SIGNING_KEY_SECRET is not set"),
        ({**ENV, "MEDIA_CDN_URL": "premium-media"}, "MEDIA_CDN_URL must be the distribution's URL"),
        ({**ENV, "PLAYBACK_URL_TTL_SECONDS": "0"}, "PLAYBACK_URL_TTL_SECONDS must be between 1 and"),
        ({**ENV, "PLAYBACK_URL_BIND_SOURCE_IP": "maybe"}, "must be true or false"),
        # Media.size is a GraphQL Int: no file may be bigger than the largest one
        ({**ENV, "MAX_MEDIA_BYTES": str(2**31)}, "MAX_MEDIA_BYTES must be between 1 and 2147483647"),
    ],
)
def test_missing_or_bad_settings_are_named(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Settings.from_environ(environ)


def test_the_uploads_function_reads_its_own_variables() -> None:
    settings = UploadsSettings.from_environ({**ENV, "MAX_MEDIA_BYTES": "5000"})
    assert (settings.media_table, settings.media_bucket, settings.max_media_bytes) == (
        "Media",
        "premium-media",
        5000,
    )


@pytest.mark.parametrize("module", ["resolvers.media.handler", "functions.media_uploads.handler"])
def test_importing_a_handler_needs_no_environment_and_no_boto3(module: str) -> None:
    code = f"import sys, {module}; print('boto3' in sys.modules, 'cryptography' in sys.modules, 'PIL' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env={"PATH": ""}, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False", "False"]
