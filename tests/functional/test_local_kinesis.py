"""The local Kinesis: kinesalite on loopback, its streams provisioned once and its records kept across restarts."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from appdef import AppConfig, load_config, parse_config
from appsync_local.local_aws import LocalAws, LocalAwsError, LocalKinesis, client, local_session
from appsync_local.local_aws.provision_events import provision_streams
from tests.fixtures.command_line import PROJECT_ROOT, TRACEBACK, app_copy, command_env, live_members, serving
from tests.fixtures.events import NODE_MODULES, wait_until


def stream_app(tmp_path: Path, streams: dict[str, int]) -> AppConfig:
    """A small app of its own with Kinesis streams (name -> shards); its data lives in `tmp_path`."""
    raw = {
        "api": {"schema": "schema:schema", "default_auth": "API_KEY"},
        "streams": {name: {"shards": shards} for name, shards in streams.items()},
        "local": {"data_dir": str(tmp_path / "data")},
    }
    return parse_config(raw, PROJECT_ROOT)


def kinesis_at(endpoint: str) -> Any:
    return client(local_session("us-east-1"), "kinesis", endpoint)


def stored_data(kinesis: Any, stream: str) -> list[str]:
    """Every record of `stream`, read from the start of each shard, shard by shard."""
    found: list[str] = []
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            response = kinesis.get_records(ShardIterator=iterator)
            found += [record["Data"].decode() for record in response["Records"]]
            if not response["Records"] and response.get("MillisBehindLatest", 0) == 0:
                break
            iterator = response.get("NextShardIterator")
    return found


def alive(pid: int) -> bool:
    """Whether process `pid` still runs (a zombie has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_kinesalite_listens_on_loopback_only() -> None:
    # GIVEN an in-memory local Kinesis
    kinesis = LocalKinesis(NODE_MODULES, None)
    endpoint = kinesis.start()
    try:
        port = int(endpoint.rsplit(":", 1)[1])

        # WHEN its port is reached on 127.0.0.1, and on another loopback address of this machine
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass
        with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.2", port), timeout=2):
            pass

        # THEN only 127.0.0.1 answers (kinesalite's own command line would listen on every interface)
        assert endpoint == f"http://127.0.0.1:{port}"
        assert kinesis_at(endpoint).list_streams()["StreamNames"] == []
    finally:
        kinesis.stop()
    assert not kinesis.running


def test_streams_are_created_once_with_their_shards_and_keep_their_records_across_a_restart(
    tmp_path: Path,
) -> None:
    # GIVEN an app with a two-shard stream, provisioned on a local Kinesis kept on disk, holding records
    config = stream_app(tmp_path, {"device-readings": 2})
    store = config.data_dir / "kinesis"
    readings = [f"reading-{n}" for n in range(20)]
    kinesis = LocalKinesis(NODE_MODULES, store)
    first = kinesis_at(kinesis.start())
    try:
        provision_streams(config, first)
        first.put_records(
            StreamName="device-readings",
            Records=[{"Data": r.encode(), "PartitionKey": f"device-{n % 4}"} for n, r in enumerate(readings)],
        )
    finally:
        kinesis.stop()

    # WHEN it starts again on the same folder and the streams are provisioned again
    second = kinesis_at(kinesis.start())
    try:
        provision_streams(config, second)
        summary = second.describe_stream_summary(StreamName="device-readings")["StreamDescriptionSummary"]
        stored = stored_data(second, "device-readings")
    finally:
        kinesis.stop()

    # THEN the stream is the same ACTIVE two-shard stream, with every record written before the restart
    assert summary["StreamStatus"] == "ACTIVE"
    assert summary["OpenShardCount"] == 2
    assert sorted(stored) == sorted(readings)
    assert (store / "CURRENT").is_file()


def test_an_app_with_streams_points_boto3_at_kinesalite_and_stops_it(tmp_path: Path) -> None:
    # GIVEN an app with a three-shard stream
    config = stream_app(tmp_path, {"clicks": 3})

    # WHEN its local AWS runs
    with LocalAws(config, in_memory=True, dynamodb="moto") as aws:
        environment = aws.endpoints.environment()
        assert aws.local_kinesis is not None
        pid = aws.local_kinesis.pid
        summary = kinesis_at(environment["AWS_ENDPOINT_URL_KINESIS"]).describe_stream_summary(
            StreamName="clicks"
        )["StreamDescriptionSummary"]

    # THEN boto3's Kinesis variable names kinesalite, whose stream is ACTIVE with its shards, and it has ended
    assert environment["AWS_ENDPOINT_URL_KINESIS"] == aws.endpoints.kinesis
    assert aws.endpoints.kinesis != aws.endpoints.moto
    assert summary["StreamStatus"] == "ACTIVE" and summary["OpenShardCount"] == 3
    assert pid is not None and not alive(pid)
    assert not (tmp_path / "data" / "kinesis").exists()


def test_an_app_without_streams_starts_no_kinesis() -> None:
    # GIVEN an app that declares no streams
    config = load_config(PROJECT_ROOT / "tests" / "fixtures" / "local_cdn_app" / "appsync.toml")
    assert not config.streams
    # WHEN its local AWS runs (moto's DynamoDB, for speed)
    with LocalAws(config, in_memory=True, dynamodb="moto") as aws:
        # THEN no kinesalite runs, and boto3's Kinesis variable names moto
        assert aws.local_kinesis is None
        assert aws.endpoints.kinesis == ""
        assert aws.endpoints.environment()["AWS_ENDPOINT_URL_KINESIS"] == aws.endpoints.moto


STARTER = """
import os, signal, sys
from pathlib import Path
from appsync_local.local_aws import LocalKinesis

kinesis = LocalKinesis(Path(sys.argv[1]), None)
kinesis.start()
print(kinesis.pid, flush=True)
if sys.argv[2] == "killed":
    os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.parametrize("ending", ["exits", "killed"])
def test_kinesalite_ends_with_the_process_that_started_it(ending: str) -> None:
    # GIVEN a process that starts a local Kinesis
    starter = subprocess.run(
        [sys.executable, "-c", STARTER, str(NODE_MODULES), ending],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    # WHEN that process exits without stopping it, or is killed outright
    pid = int(starter.stdout.split()[0])

    # THEN kinesalite ends too, and is not left running as an orphan
    deadline = time.monotonic() + 10
    while alive(pid):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            pytest.fail(f"kinesalite (pid {pid}) outlived the process that started it ({ending})")
        time.sleep(0.05)
    assert starter.returncode == (-signal.SIGKILL if ending == "killed" else 0), starter.stderr


def test_missing_node_is_reported_with_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a PATH without `node`
    monkeypatch.setenv("PATH", str(tmp_path))

    # WHEN a local Kinesis is started, THEN the error says what is missing and how to get it
    with pytest.raises(
        LocalAwsError, match=r"needs Node\.js, and no `node` was found on PATH\. Install Node\.js"
    ):
        LocalKinesis(NODE_MODULES, None).start()


def test_missing_kinesalite_package_is_reported_with_what_to_do(tmp_path: Path) -> None:
    # GIVEN a node_modules without kinesalite
    # WHEN a local Kinesis is started, THEN the error names the folder and `make setup`
    with pytest.raises(
        LocalAwsError, match=r"kinesalite \(the local Kinesis\) was not found at .*make setup"
    ):
        LocalKinesis(tmp_path, None).start()


# -- `make run` --------------------------------------------------------------------------------------

READINGS_HANDLER = """
import base64
from pathlib import Path

RECEIVED = Path({received!r})


def lambda_handler(event, context):
    with RECEIVED.open("a") as out:
        for record in event["Records"]:
            out.write(base64.b64decode(record["kinesis"]["data"]).decode() + "\\n")
"""

READINGS_APP = """
[streams.device-readings]
shards = 2

[functions.readings]
handler = "readings_handler.lambda_handler"
[[functions.readings.triggers]]
type = "kinesis"
stream = "device-readings"
starting_position = "TRIM_HORIZON"
"""


def device(endpoint: str) -> Any:
    """A device's Kinesis client: plain boto3, pointed at the endpoint the banner prints."""
    return boto3.client(
        "kinesis",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="device",
        aws_secret_access_key="device",
    )


def received_lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def test_serve_keeps_a_devices_records_and_the_functions_position_across_a_restart(tmp_path: Path) -> None:
    # GIVEN the project's app plus a Kinesis stream and a function reading it from the start (TRIM_HORIZON)
    received = tmp_path / "received.txt"
    (tmp_path / "readings_handler.py").write_text(READINGS_HANDLER.format(received=str(received)))
    config = app_copy(tmp_path)
    config.write_text(config.read_text() + READINGS_APP)
    env = command_env(PYTHONPATH=str(tmp_path), APPSYNC_LOCAL_DYNAMODB="moto")
    args = ("--config", str(config), "serve", "--port", "0")
    kinesis_line = r"Kinesis\s+(http://127\.0\.0\.1:\d+)\s+\(streams: [^;]*device-readings;"

    # WHEN a device puts two readings at the Kinesis endpoint the banner prints, the function gets them,
    # and the server is stopped with SIGTERM
    with serving(*args, env=env) as server:
        kinesis = device(server.wait_for_line(kinesis_line).group(1))
        for reading in ("first", "second"):
            kinesis.put_record(StreamName="device-readings", Data=reading.encode(), PartitionKey="device-1")
        wait_until(lambda: received_lines(received) == ["first", "second"], what="the first two readings")
        assert server.stop(signal.SIGTERM) == 0, server.stderr
        assert live_members(server.group) == []  # kinesalite ended with it

    # AND it serves again from the same data folder, and the device puts a third reading
    with serving(*args, env=env) as server:
        kinesis = device(server.wait_for_line(kinesis_line).group(1))
        kinesis.put_record(StreamName="device-readings", Data=b"third", PartitionKey="device-1")
        wait_until(lambda: "third" in received_lines(received), what="the third reading")
        stored = stored_data(kinesis, "device-readings")
        assert server.stop(signal.SIGTERM) == 0, server.stderr
        assert TRACEBACK not in server.stderr

    # THEN the readings put before the restart are still in the stream, and the function got each one once
    # (a lost position would have sent the first two again, before the third, from the shard's start)
    assert stored == ["first", "second", "third"]
    assert received_lines(received) == ["first", "second", "third"]
    assert (tmp_path / "data" / "kinesis" / "CURRENT").is_file()
