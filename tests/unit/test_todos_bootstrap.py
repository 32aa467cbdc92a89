"""Settings come from the environment when the handler runs; bad settings are reported clearly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from resolvers.todos.bootstrap import Settings
from resolvers.todos.domain.errors import ConfigurationError

ENV = {"TODOS_TABLE": "Todos", "USERS_TABLE": "Users", "USER_FILES_BUCKET": "user-files"}


def test_settings_read_the_function_environment() -> None:
    # GIVEN the variables of appsync.toml and a local S3 endpoint
    environ = {**ENV, "UPLOAD_URL_TTL_SECONDS": "120", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9"}
    # WHEN
    settings = Settings.from_environ(environ)
    # THEN
    assert (settings.todos_table, settings.users_table, settings.user_files_bucket) == (
        "Todos",
        "Users",
        "user-files",
    )
    assert settings.upload_url_ttl_seconds == 120
    assert settings.s3_endpoint_configured


def test_the_upload_ttl_defaults_to_five_minutes() -> None:
    # GIVEN / WHEN / THEN
    assert Settings.from_environ(ENV).upload_url_ttl_seconds == 300
    assert not Settings.from_environ(ENV).s3_endpoint_configured


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"USERS_TABLE": "Users", "USER_FILES_BUCKET": "b"}, "TODOS_TABLE is not set"),
        ({**ENV, "UPLOAD_URL_TTL_SECONDS": "soon"}, "whole number"),
        ({**ENV, "UPLOAD_URL_TTL_SECONDS": "0"}, "between 1 and"),
    ],
)
def test_missing_or_bad_settings_are_named(environ: dict[str, str], message: str) -> None:
    # GIVEN / WHEN / THEN
    with pytest.raises(ConfigurationError, match=message):
        Settings.from_environ(environ)


def test_importing_the_handler_needs_no_environment_and_no_boto3() -> None:
    # GIVEN a fresh interpreter without the function's variables
    code = (
        "import sys, resolvers.todos.handler; print('boto3' in sys.modules, 'appsync_local' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[2]
    # WHEN the handler module is imported
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env={"PATH": ""}, capture_output=True, text=True, check=True
    )
    # THEN neither boto3 nor the local runtime was loaded
    assert result.stdout.split() == ["False", "False"]
