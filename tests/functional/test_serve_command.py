"""`make run` as a user meets it: `python -m appsync_local serve` started, used, refused and stopped.

Each server runs in a process group of its own on 127.0.0.1 port 0, with its data in a temporary folder;
whatever it started is killed when the test ends, whatever the outcome.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import socket
import ssl
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from appsync_local.__main__ import main
from tests.fixtures.command_line import (
    TRACEBACK,
    ServeProcess,
    app_copy,
    command_env,
    live_members,
    run_cli,
    serving,
)

LIST_POSTS = "{ listPosts(limit: 1) { items { id title } } }"
DYNAMODB_LOCAL = "DynamoDBLocal.jar"


@dataclass
class Served:
    server: ServeProcess
    url: str
    data_dir: Path


def cli_output(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """What `python -m appsync_local ARGS` prints (run in this process: no server is involved)."""
    assert main(list(args)) == 0
    return capsys.readouterr().out.strip()


def ports_args(ports: dict[str, str]) -> list[str]:
    return [part for option_value in ports.items() for part in option_value]


def graphql(url: str, query: str, headers: dict[str, str], verify: ssl.SSLContext | bool = True) -> Any:
    response = httpx.post(f"{url}/graphql", json={"query": query}, headers=headers, timeout=30, verify=verify)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One `serve` on `make run`'s path (DynamoDB Local on Java, HTTP), shared by the first checks here."""
    data_dir = tmp_path_factory.mktemp("serve-data")
    with serving("--data-dir", str(data_dir), "serve", "--port", "0") as server:
        url = server.wait_for_line(r"AppSync API\s+(http://127\.0\.0\.1:\d+)/graphql").group(1)
        yield Served(server, url, data_dir)


def test_the_banner_shows_the_endpoint_auth_modes_api_key_and_token_hint(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a server started with `serve --port 0` (the banner names the port actually taken)
    server = served.server

    # WHEN its banner is read
    modes = server.wait_for_line(r"Auth modes\s+(.+)$").group(1)
    api_key = server.wait_for_line(r"API key\s+(\S+)").group(1)
    tokens = server.wait_for_line(r"User tokens\s+(.+)$").group(1)

    # THEN it shows what appsync.toml configures, and the key the `api-key` command prints
    assert modes == (
        "AMAZON_COGNITO_USER_POOLS, API_KEY, AWS_IAM, OPENID_CONNECT, AWS_LAMBDA (default AMAZON_COGNITO_USER_POOLS)"
    )
    assert api_key.startswith("da2-")
    assert api_key == cli_output(capsys, "--data-dir", str(served.data_dir), "api-key")
    assert "`make token USER=alice`" in tokens
    assert "alice, bob, carol" in tokens


def test_the_oidc_token_the_command_line_prints_reads_the_blog(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN the banner's hint and the token `token --issuer oidc` prints for the server's data folder
    hint = served.server.wait_for_line(r"OIDC tokens\s+(.+)$").group(1)
    assert "`make token USER=alice ISSUER=oidc`" in hint
    token = cli_output(capsys, "--data-dir", str(served.data_dir), "token", "alice", "--issuer", "oidc")
    # WHEN a client lists posts with it THEN the server accepts it as OIDC's
    body = graphql(served.url, LIST_POSTS, {"Authorization": token})
    assert "errors" not in body and body["data"]["listPosts"]["items"]
    # AND a field without @aws_oidc is refused with AppSync's field error
    refused = graphql(served.url, "{ me { id } }", {"Authorization": token})
    assert refused["errors"][0]["message"] == "Not Authorized to access me on type Query"


def test_the_api_key_reads_the_seeded_posts(served: Served, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN the key `api-key` prints for the server's data folder
    api_key = cli_output(capsys, "--data-dir", str(served.data_dir), "api-key")

    # WHEN a client lists posts with it
    body = graphql(served.url, LIST_POSTS, {"x-api-key": api_key})

    # THEN the demo data seeded into DynamoDB Local comes back
    assert "errors" not in body
    assert len(body["data"]["listPosts"]["items"]) == 1


def test_a_token_from_the_token_command_signs_in_as_that_user(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN the token `token alice` prints
    token = cli_output(capsys, "--data-dir", str(served.data_dir), "token", "alice")

    # WHEN it is sent as the Authorization header
    body = graphql(served.url, "{ me { username } }", {"Authorization": token})

    # THEN the server verified it and knows the caller as alice
    assert body == {"data": {"me": {"username": "alice"}}}


def test_iam_credentials_sign_requests_the_server_accepts(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN the access key `iam-credentials` prints
    printed = json.loads(cli_output(capsys, "--data-dir", str(served.data_dir), "iam-credentials"))
    credentials = Credentials(printed["AccessKeyId"], printed["SecretAccessKey"])

    # WHEN a request is SigV4-signed with it, as AWS SDKs sign for AppSync
    payload = json.dumps({"query": LIST_POSTS})
    request = AWSRequest(
        method="POST", url=f"{served.url}/graphql", data=payload, headers={"content-type": "application/json"}
    )
    SigV4Auth(credentials, "appsync", "us-east-1").add_auth(request)
    response = httpx.post(request.url, content=payload, headers=dict(request.headers.items()), timeout=30)

    # THEN the server accepts the signature
    assert response.status_code == 200, response.text
    assert "errors" not in response.json()


def test_sigint_stops_the_server_and_everything_it_started(served: Served) -> None:
    # GIVEN the running server, with DynamoDB Local's JVM among its processes
    server = served.server
    assert any(DYNAMODB_LOCAL in command for command in live_members(server.group))

    # WHEN it gets SIGINT (Ctrl+C)
    returncode = server.stop(signal.SIGINT)

    # THEN it ends normally, with no traceback, and leaves nothing running
    assert returncode == 0, server.stderr
    assert TRACEBACK not in server.stderr
    assert live_members(server.group) == []


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_stop_during_start_up_stops_dynamodb_local_too(tmp_path: Path, stop_signal: signal.Signals) -> None:
    # GIVEN a server that has started DynamoDB Local but is not serving yet
    with serving("--data-dir", str(tmp_path), "serve", "--port", "0") as server:
        server.wait_for_child(DYNAMODB_LOCAL)

        # WHEN it is asked to stop
        returncode = server.stop(stop_signal)

        # THEN it stops what it started and ends normally, with no traceback
        assert returncode == 0, server.stderr
        assert TRACEBACK not in server.stderr
        assert live_members(server.group) == []


GRACEFUL_STOP_EXCEEDED = "timeout graceful shutdown exceeded"  # what uvicorn logs when a stop's bound ran out


def without_java(tmp_path: Path, *extra: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """The environment and arguments of a `serve` on moto's DynamoDB, with no `java` on PATH (but node, for the
    app's Kinesis): the way out the refusal without Java suggests, and the quickest server to start."""
    (tmp_path / "bin").mkdir()
    node = shutil.which("node")
    assert node is not None
    (tmp_path / "bin" / "node").symlink_to(node)
    env = command_env(PATH=str(tmp_path / "bin"), APPSYNC_LOCAL_DYNAMODB="moto")
    return env, ("--data-dir", str(tmp_path / "data"), "serve", "--port", "0", *extra)


def test_without_java_moto_dynamodb_serves_http_and_https_and_sigterm_stops_it(tmp_path: Path) -> None:
    # GIVEN moto's DynamoDB, without Java
    env, args = without_java(tmp_path, "--tls-port", "0")

    with serving(*args, env=env) as server:
        # WHEN it starts, with HTTPS too
        url = server.wait_for_line(r"AppSync API\s+(http://\S+)/graphql").group(1)
        api_key = server.wait_for_line(r"API key\s+(\S+)").group(1)
        https_url = server.wait_for_line(r"HTTPS / WSS\s+(https://127\.0\.0\.1:\d+)/graphql").group(1)
        local_ca = ssl.create_default_context(cafile=server.wait_for_line(r"Local CA\s+(\S+)").group(1))

        # THEN it serves the seeded posts over HTTP, and over HTTPS to a client trusting only the local CA
        over_http = graphql(url, LIST_POSTS, {"x-api-key": api_key})
        with httpx.Client(verify=local_ca, timeout=30) as pooled:
            # (a client that keeps its HTTPS connection open between requests, as SDKs and browsers do)
            over_https = pooled.post(
                f"{https_url}/graphql", json={"query": LIST_POSTS}, headers={"x-api-key": api_key}
            ).json()
            assert len(over_http["data"]["listPosts"]["items"]) == 1
            assert over_https == over_http

            # WHEN a process manager sends SIGTERM while that connection is open and idle
            returncode = server.stop(signal.SIGTERM)

        # THEN it ends normally, with no traceback, and the idle connection did not hold the stop: closed as
        # uvicorn closes it, it waited for a close_notify the client never sends, until the stop's bound ran out
        assert returncode == 0, server.stderr
        assert TRACEBACK not in server.stderr
        assert GRACEFUL_STOP_EXCEEDED not in server.stderr


def test_a_request_that_never_completes_holds_a_stop_only_until_its_bound(tmp_path: Path) -> None:
    # GIVEN a server with a request under way whose body never comes: the app is waiting for it
    env, args = without_java(tmp_path)
    with serving(*args, env=env) as server:
        url = server.wait_for_line(r"AppSync API\s+http://127\.0\.0\.1:(\d+)/graphql")
        with socket.create_connection(("127.0.0.1", int(url.group(1))), timeout=30) as stalled:
            stalled.sendall(
                b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Content-Length: 100\r\nExpect: 100-continue\r\n\r\n"
            )
            # (uvicorn answers 100 Continue when the app first asks for the body)
            assert stalled.recv(64).startswith(b"HTTP/1.1 100 Continue")

            # WHEN a process manager sends SIGTERM
            returncode = server.stop(signal.SIGTERM)

    # THEN the server gives the request up after the stop's bound and ends normally (uvicorn's default waits
    # for it without limit, and `stop` gives up after 30 s)
    assert returncode == 0, server.stderr
    assert GRACEFUL_STOP_EXCEEDED in server.stderr
    assert TRACEBACK not in server.stderr


# -- refusals ---------------------------------------------------------------------------------------


def test_missing_java_is_refused_with_the_two_ways_out(tmp_path: Path) -> None:
    # GIVEN a PATH without `java` (python itself is run by its full path)
    env = command_env(PATH=str(tmp_path / "bin"))

    # WHEN the server starts on the default DynamoDB (DynamoDB Local)
    result = run_cli("--data-dir", str(tmp_path / "data"), "serve", "--port", "0", env=env)

    # THEN it refuses in one line that says what to install and what to set instead
    assert result.returncode == 2
    assert TRACEBACK not in result.stderr
    assert result.stderr.startswith("error: DynamoDB Local needs Java")
    assert "Java 17" in result.stderr
    assert "APPSYNC_LOCAL_DYNAMODB=moto" in result.stderr
    assert result.left_running == []


@pytest.mark.parametrize(("option", "variable"), [("--port", "PORT"), ("--tls-port", "TLS_PORT")])
def test_a_busy_port_is_refused_before_local_aws_starts(tmp_path: Path, option: str, variable: str) -> None:
    # GIVEN another program listening on a port of 127.0.0.1
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        ports = {"--port": "0", option: str(port)}

        # WHEN the server is asked to listen there too
        result = run_cli("--data-dir", str(tmp_path), "serve", "--host", "127.0.0.1", *ports_args(ports))

    # THEN it refuses in one line that names the port and how to pick another, before starting local AWS
    assert result.returncode == 2
    assert result.stderr == (
        f"error: port {port} on 127.0.0.1 is in use "
        f"(another server? {variable}={port + 1} make run picks another)\n"
    )
    assert not (tmp_path / "dynamodb").exists()
    assert result.left_running == []


def test_a_function_handler_that_does_not_import_is_refused_by_key(tmp_path: Path) -> None:
    # GIVEN a function whose handler module fails when imported
    (tmp_path / "broken_handler.py").write_text('raise RuntimeError("no database URL")\n')
    config = app_copy(tmp_path)
    name = next(iter(tomllib.loads(config.read_text())["functions"]))
    broken = re.sub(
        r'(?m)^handler\s*=\s*"[^"]*"', 'handler = "broken_handler.lambda_handler"', config.read_text()
    )
    config.write_text(broken)
    env = command_env(PYTHONPATH=str(tmp_path), APPSYNC_LOCAL_DYNAMODB="moto")

    # WHEN the server starts
    result = run_cli("--config", str(config), "serve", "--port", "0", env=env)

    # THEN it refuses, naming the key, the module and the error
    assert result.returncode == 2
    assert TRACEBACK not in result.stderr
    expected = (
        f"error: functions.{name}.handler: broken_handler does not import: RuntimeError: no database URL"
    )
    assert expected in result.stderr


def test_a_resolver_file_appsync_would_reject_is_refused_by_file_and_line(tmp_path: Path) -> None:
    # GIVEN a copy of the JS resolvers in which a pipeline's file uses a loop AppSync's runtime does not run
    config = app_copy(tmp_path)
    raw = tomllib.loads(config.read_text())
    js_root = tmp_path / "js"
    shutil.copytree(raw["api"]["js_resolvers"], js_root)
    config.write_text(config.read_text().replace(raw["api"]["js_resolvers"], str(js_root)))
    resolver = js_root / "pipelines" / f"{next(iter(raw['pipelines']))}.js"
    text = resolver.read_text()
    resolver.write_text(text + "\nexport function spin() {\n  while (false) {}\n}\n")
    line = len(text.splitlines()) + 3

    # WHEN the server starts
    env = command_env(APPSYNC_LOCAL_DYNAMODB="moto")
    result = run_cli("--config", str(config), "serve", "--port", "0", env=env)

    # THEN it refuses, naming the file and the line
    assert result.returncode == 2
    assert TRACEBACK not in result.stderr
    assert result.stderr.startswith(f"error: {resolver}:{line}:")
