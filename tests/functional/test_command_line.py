"""`python -m appsync_local` and the make targets over it: what each command prints, and what it refuses.

Refusals run as a user runs them (a process: exit code, stderr, no traceback); commands that only print
run in this process. The server itself is exercised in test_serve_command.py.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

from appsync_local.__main__ import main
from tests.fixtures.command_line import PROJECT_ROOT, TRACEBACK, app_copy, command_env, run_cli


def claims(token: str) -> dict[str, Any]:
    """A JWT's payload, read without verification: the server's verification is tested with the server."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))  # type: ignore[no-any-return]


def printed(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(list(args)) == 0
    return capsys.readouterr().out.strip()


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """What a command that refuses prints on stderr; it must exit with code 2 and print nothing on stdout."""
    assert main(list(args)) == 2
    out, err = capsys.readouterr()
    assert out == ""
    return err


# -- appsync.toml refusals --------------------------------------------------------------------------


def test_an_unknown_key_is_refused_with_file_line_and_key_path(tmp_path: Path) -> None:
    # GIVEN appsync.toml with a misspelt key in a table's definition
    config = app_copy(tmp_path)
    text = config.read_text()
    table = next(name for name, table in tomllib.loads(text)["tables"].items() if "sort_key" in table)
    at = text.index("\nsort_key =", text.index(f"[tables.{table}]"))
    config.write_text(text[:at] + "\nsort_keyy =" + text[at + len("\nsort_key =") :])
    line = text[:at].count("\n") + 2

    # WHEN the server starts with it
    result = run_cli("--config", str(config), "serve", "--port", "0")

    # THEN it refuses in one line naming the file, the line, the key path and what is allowed there
    assert result.returncode == 2
    assert TRACEBACK not in result.stderr
    expected = f"error: {config}:{line}: tables.{table}.sort_keyy: unknown key; allowed here: "
    assert result.stderr.startswith(expected)
    assert "partition_key, sort_key" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_file_that_is_not_toml_is_refused_with_its_line(tmp_path: Path) -> None:
    # GIVEN appsync.toml whose last line opens a table and never closes it
    config = app_copy(tmp_path)
    text = config.read_text()
    config.write_text(text + "[local\n")
    line = len(text.splitlines()) + 1

    # WHEN the server starts with it
    result = run_cli("--config", str(config), "serve", "--port", "0")

    # THEN it refuses, naming the file and the line
    assert result.returncode == 2
    assert TRACEBACK not in result.stderr
    assert result.stderr.startswith(f"error: {config}: not valid TOML: ")
    assert f"line {line}" in result.stderr


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    # WHEN the server is pointed at a file that does not exist
    result = run_cli("--config", str(tmp_path / "appsync.toml"), "serve", "--port", "0")

    # THEN it says so, in one line
    assert result.returncode == 2
    assert result.stderr == f"error: {tmp_path / 'appsync.toml'}: not found\n"


# -- token, api-key, iam-credentials ----------------------------------------------------------------


def test_token_prints_a_cognito_id_token_for_a_configured_user(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # WHEN a token is asked for alice (the server accepting it is tested with the server)
    token = printed(capsys, "--data-dir", str(tmp_path), "token", "alice")

    # THEN it carries Cognito's claims for alice and her configured groups
    assert claims(token)["cognito:username"] == "alice"
    assert claims(token)["cognito:groups"] == ["authors"]
    assert claims(token)["token_use"] == "id"


def test_token_for_an_unknown_user_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # WHEN a token is asked for a name appsync.toml does not list
    message = refused(capsys, "--data-dir", str(tmp_path), "token", "nobody")

    # THEN the refusal names the users there are
    assert message == (
        "error: no local user 'nobody' in appsync.toml "
        "(users: alice, bob, carol; add one under [local.users])\n"
    )


def test_token_with_an_unknown_group_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # WHEN a token is asked with a misspelt group
    message = refused(capsys, "--data-dir", str(tmp_path), "token", "alice", "--groups", "author")

    # THEN the refusal names the pool's groups
    assert message == "error: group 'author' is not in auth.cognito.groups (authors, premium, admins)\n"


@pytest.mark.parametrize("ttl", ["0", "-5", "soon"])
def test_token_with_a_lifetime_that_is_not_positive_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ttl: str
) -> None:
    # WHEN the lifetime is not a positive number of seconds
    with pytest.raises(SystemExit) as exited:
        main(["--data-dir", str(tmp_path), "token", "alice", "--ttl", ttl])

    # THEN argparse's usage error says which option is wrong
    assert exited.value.code == 2
    assert "argument --ttl: must be a positive whole number of seconds" in capsys.readouterr().err


def test_api_key_is_stable_per_data_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # WHEN the key is printed twice for one data folder (option before or after the command), once for another
    first = printed(capsys, "--data-dir", str(tmp_path / "a"), "api-key")
    again = printed(capsys, "api-key", "--data-dir", str(tmp_path / "a"))
    other = printed(capsys, "--data-dir", str(tmp_path / "b"), "api-key")

    # THEN each folder keeps its own key
    assert first.startswith("da2-")
    assert again == first
    assert other != first
    assert (tmp_path / "a" / "auth").is_dir()


def test_iam_credentials_prints_an_access_key_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # WHEN the IAM credentials are printed (the server accepting them is tested with the server)
    credentials = json.loads(printed(capsys, "--data-dir", str(tmp_path), "iam-credentials"))

    # THEN they are the JSON an AWS SDK's credential settings take, and stable
    assert credentials["AccessKeyId"].startswith("AKIA")
    assert len(credentials["SecretAccessKey"]) == 40
    assert json.loads(printed(capsys, "--data-dir", str(tmp_path), "iam-credentials")) == credentials


def test_a_corrupt_key_file_is_refused_with_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN an API key file that is not JSON any more
    printed(capsys, "--data-dir", str(tmp_path), "api-key")
    key_file = next((tmp_path / "auth").glob("*.json"))
    key_file.write_text("{")

    # WHEN the key is asked for
    message = refused(capsys, "--data-dir", str(tmp_path), "api-key")

    # THEN the refusal names the file and says to delete it
    assert message.startswith(f"error: {key_file} is not valid JSON")
    assert "delete it to create a new one" in message


# -- export-schema ----------------------------------------------------------------------------------


def test_export_schema_check_passes_on_the_project(capsys: pytest.CaptureFixture[str]) -> None:
    # WHEN the committed schema.graphql is checked against the Python types
    assert main(["--config", str(PROJECT_ROOT / "appsync.toml"), "export-schema", "--check"]) == 0

    # THEN it is up to date, silently
    assert capsys.readouterr() == ("", "")


def test_export_schema_check_fails_when_schema_graphql_drifted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN an app whose schema.graphql was edited by hand
    config = app_copy(tmp_path)
    committed = (PROJECT_ROOT / "schema.graphql").read_text()
    (tmp_path / "schema.graphql").write_text(committed + "\nscalar Extra\n")

    # WHEN it is checked
    code = main(["--config", str(config), "export-schema", "--check"])

    # THEN the check fails, saying which file and how to fix it
    assert code == 1
    schema_file = tmp_path / "schema.graphql"
    assert capsys.readouterr().err == f"error: {schema_file} is out of date: run `make schema`\n"


# -- help and make ----------------------------------------------------------------------------------


def test_help_lists_every_command_and_the_shared_options(capsys: pytest.CaptureFixture[str]) -> None:
    # WHEN help is asked for
    with pytest.raises(SystemExit) as exited:
        main(["--help"])

    # THEN it lists the commands and the options every command takes
    assert exited.value.code == 0
    text = capsys.readouterr().out
    for word in ("serve", "token", "api-key", "iam-credentials", "export-schema", "--config", "--data-dir"):
        assert word in text


def test_make_token_defaults_to_alice_whatever_the_login_name(tmp_path: Path) -> None:
    # GIVEN a shell whose USER is the login name, as every shell's is
    env = command_env(USER="root")
    make = shutil.which("make")
    assert make is not None

    # WHEN `make token` is run without USER=… on its command line
    result = subprocess.run(
        [make, "-s", "token"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    # THEN the token is alice's, as the README says
    assert result.returncode == 0, result.stderr
    assert claims(result.stdout.strip())["cognito:username"] == "alice"


@pytest.mark.parametrize(
    ("variables", "args", "refusal"),
    [
        ({"PORT": "abc"}, ["serve"], "argument --port: 'abc' is not a port number"),
        ({"TLS_PORT": "4443x"}, ["serve"], "argument --tls-port: '4443x' is not a port number"),
        ({}, ["serve", "--port", "70000"], "argument --port: '70000' is not a port number"),
    ],
)
def test_a_port_that_is_not_one_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variables: dict[str, str],
    args: list[str],
    refusal: str,
) -> None:
    # GIVEN a port setting that is not a port number (from the environment, as `PORT=… make run` sets it)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)

    # WHEN the server is started with it
    with pytest.raises(SystemExit) as exited:
        main(args)

    # THEN argparse's usage error names the option, the value and the range
    assert exited.value.code == 2
    assert f"{refusal} (0-65535; 0 picks a free port)" in capsys.readouterr().err


def test_a_bad_port_setting_does_not_break_the_other_commands(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a PORT that is not a port number
    monkeypatch.setenv("PORT", "abc")

    # WHEN a command that serves nothing runs
    key = printed(capsys, "--data-dir", str(tmp_path), "api-key")

    # THEN it does its work
    assert key.startswith("da2-")
