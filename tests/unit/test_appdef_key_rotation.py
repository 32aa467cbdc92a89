"""What `appsync.toml` accepts for a function that manages the API's keys, and for local-only schedules."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from appdef import AppConfig, ConfigError, load_config

ROTATION = """
[api]
schema = "schema:schema"
default_auth = "API_KEY"

[buckets.site]
description = "A site"

[functions.rotation]
handler = "functions.api_key_rotation.handler.lambda_handler"
environment = {{ API_ID = "${{api:api_id}}", DAYS = "${{api:api_key_expiry_days}}", SITE_BUCKET = "site" }}
access = {access}

[[functions.rotation.triggers]]
type = "schedule"
expression = "rate(1 day)"

[functions.other]
handler = "functions.other.handler.lambda_handler"

[local]
skip_schedules = {skip}
"""
MANAGES_KEYS = '{ api = ["appsync:CreateApiKey", "appsync:ListApiKeys", "appsync:DeleteApiKey"] }'


def _load(tmp_path: Path, access: str = MANAGES_KEYS, skip: str = '["rotation"]') -> AppConfig:
    path = tmp_path / "appsync.toml"
    path.write_text(textwrap.dedent(ROTATION.format(access=access, skip=skip)))
    return load_config(path)


def _refusal(tmp_path: Path, **settings: str) -> str:
    with pytest.raises(ConfigError) as refused:
        _load(tmp_path, **settings)
    return str(refused.value)


def test_a_function_naming_the_api_id_may_be_given_the_api_key_actions(tmp_path: Path) -> None:
    config = _load(tmp_path)
    assert config.functions["rotation"].access["api"] == (
        "appsync:CreateApiKey",
        "appsync:ListApiKeys",
        "appsync:DeleteApiKey",
    )
    assert config.local.skip_schedules == ("rotation",)


def test_nothing_but_the_api_keys_may_be_granted_on_the_api(tmp_path: Path) -> None:
    message = _refusal(tmp_path, access='{ api = ["appsync:CreateApiKey", "appsync:DeleteGraphqlApi"] }')
    assert "functions.rotation.access.api" in message
    assert "appsync:DeleteGraphqlApi: a function may only manage the API's keys" in message


def test_api_actions_on_a_bucket_are_refused(tmp_path: Path) -> None:
    message = _refusal(tmp_path, access='{ site = ["appsync:CreateApiKey"] }')
    assert "a s3 resource takes s3: actions" in message


def test_a_bucket_grant_may_be_narrowed_to_some_of_its_objects(tmp_path: Path) -> None:
    config = _load(tmp_path, access='{ "site/config.json" = ["s3:GetObject", "s3:PutObject"] }')
    assert config.functions["rotation"].access["site/config.json"] == ("s3:GetObject", "s3:PutObject")
    message = _refusal(tmp_path, access='{ "site/config.json" = ["s3:ListBucket"] }')
    assert "s3:ListBucket is granted on the bucket" in message
    message = _refusal(tmp_path, access='{ "elsewhere/config.json" = ["s3:GetObject"] }')
    assert "is not a table or bucket the function's environment names" in message


def test_only_a_function_with_a_schedule_can_skip_it_locally(tmp_path: Path) -> None:
    message = _refusal(tmp_path, skip='["other"]')
    assert "local.skip_schedules" in message and "other is not a function with a schedule" in message
    message = _refusal(tmp_path, skip='["missing"]')
    assert "missing is not a function with a schedule" in message
