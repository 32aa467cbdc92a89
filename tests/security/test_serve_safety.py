"""`make run` cannot be doubled, and its parts are supervised and private (issue 12, item 5).

A second server on the same data folder is refused by name; a busy port is refused in one line; DynamoDB
Local, killed, is restarted without a client ever seeing a local endpoint; and nothing the server starts
listens on anything but loopback. Each server runs in a process group of its own on 127.0.0.1 port 0.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import signal
from pathlib import Path
from typing import Any

import httpx

from tests.fixtures.command_line import (
    BANNER_URL,
    DYNAMODB_LOCAL,
    TRACEBACK,
    Served,
    command_env,
    group_pids,
    live_members,
    pid_of,
    run_cli,
    serving,
)
from tests.fixtures.events import wait_until

# Read through to DynamoDB: listMedia has no API cache (listPosts is cached, and would answer from memory).
LIST_MEDIA = "{ listMedia(limit: 1) { items { id title } } }"
LISTEN = "0A"  # TCP state in /proc/net/tcp


def is_zombie(pid: int) -> bool:
    """Whether `pid` is a dead process nobody reaped. (Once reaped, its number may come back as a thread
    or process of another program: /proc/<pid> then exists, but is not a zombie.)"""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return any(line.startswith("State:") and "Z" in line.split()[1] for line in status.splitlines())


def process_status(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text()[:600]
    except OSError as exc:
        return str(exc)


def list_media(served: Served) -> dict[str, Any]:
    response = httpx.post(
        f"{served.url}/graphql", json={"query": LIST_MEDIA}, headers={"x-api-key": served.api_key}, timeout=60
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    return inodes


def _address(hex_address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """/proc/net/tcp{,6} addresses: 32-bit words in host (little-endian) order."""
    raw = bytes.fromhex(hex_address)
    unswapped = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return ipaddress.ip_address(unswapped)


def listening_addresses(inodes: set[str]) -> list[tuple[str, int]]:
    """(address, port) of each listening TCP socket among `inodes`, from /proc/net/tcp and tcp6."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == LISTEN and inode in inodes:
                host, port = local.split(":")
                found.append((str(_address(host)), int(port, 16)))
    return found


def is_loopback(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    return (mapped or ip).is_loopback


def test_every_part_of_the_server_listens_on_loopback_only(served: Served) -> None:
    # GIVEN the running server and what it started (DynamoDB Local's JVM, kinesalite's Node)
    group = served.server.group
    pids = group_pids(group)
    assert any(DYNAMODB_LOCAL in command for command in live_members(group))

    # WHEN their listening sockets are read from the kernel's tables
    inodes = set().union(*(socket_inodes(pid) for pid in pids))
    listening = listening_addresses(inodes)

    # THEN there are the API's, DynamoDB Local's, moto's and kinesalite's at least, each on loopback only
    assert len(listening) >= 4, listening
    assert [f"{host}:{port}" for host, port in listening if not is_loopback(host)] == []
    dynamodb_local = listening_addresses(socket_inodes(pid_of(group, DYNAMODB_LOCAL)))
    assert dynamodb_local and all(is_loopback(host) for host, _ in dynamodb_local)


def test_a_second_server_on_the_same_data_folder_is_refused_naming_the_first(served: Served) -> None:
    # GIVEN a server running on a data folder

    # WHEN a second one is started on the same folder (on another port)
    result = run_cli("--data-dir", str(served.data_dir), "serve", "--port", "0")

    # THEN it refuses at once, in one line naming the running server's URL and PID, and starts nothing
    assert result.returncode == 2, result.stderr
    assert TRACEBACK not in result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert f"PID {served.server.process.pid}" in result.stderr
    assert served.url in result.stderr
    assert str(served.data_dir) in result.stderr
    assert result.left_running == []
    # AND the first one still serves
    assert "errors" not in list_media(served)


def test_a_second_server_on_the_same_port_is_refused_naming_the_port_and_its_variable(
    served: Served, tmp_path: Path
) -> None:
    # GIVEN a server running on a port
    port = int(served.url.rpartition(":")[2])

    # WHEN another one, with a data folder of its own, is started on that port
    result = run_cli("--data-dir", str(tmp_path), "serve", "--port", str(port))

    # THEN it refuses in one line naming the port and PORT, with exit code 2 and no traceback
    assert result.returncode == 2
    assert TRACEBACK not in result.stderr
    assert (
        result.stderr
        == f"error: port {port} on 127.0.0.1 is in use (another server? PORT={port + 1} make run picks another)\n"
    )
    assert result.left_running == []


def test_dynamodb_local_killed_is_restarted_and_clients_never_see_a_local_endpoint(served: Served) -> None:
    # GIVEN the running server answering from DynamoDB Local
    group = served.server.group
    before = list_media(served)
    assert "errors" not in before
    jvm = pid_of(group, DYNAMODB_LOCAL)

    # WHEN DynamoDB Local's JVM is killed outright
    os.kill(jvm, signal.SIGKILL)

    # THEN clients get AppSync-shaped errors while it is down, and the same answers once it is back
    seen_errors: list[dict[str, Any]] = []

    def answered() -> bool:
        body = list_media(served)
        seen_errors.extend(body.get("errors", []))
        return body == before

    wait_until(answered, 90, "an answer from the restarted DynamoDB Local")
    for error in seen_errors:
        assert error["errorType"] == "DynamoDB:ServiceUnavailable", error
        assert not re.search(r"https?://|127\.0\.0\.1|Endpoint", error["message"]), error
    # AND the dead JVM was reaped (no zombie), a new one runs, and the restart was logged
    assert not is_zombie(jvm), process_status(jvm)  # which program holds the number, if it is a zombie
    assert pid_of(group, DYNAMODB_LOCAL) != jvm
    assert f"DynamoDB Local (PID {jvm}) ended unexpectedly (killed by signal 9)" in served.server.stderr


def test_a_killed_server_leaves_its_data_folder_to_the_next_one(tmp_path: Path) -> None:
    # GIVEN a server holding its data folder (moto's DynamoDB, to start quickly)
    env = command_env(APPSYNC_LOCAL_DYNAMODB="moto")
    args = ("--data-dir", str(tmp_path), "serve", "--port", "0")
    with serving(*args, env=env) as first:
        first.wait_for_line(BANNER_URL)

        # WHEN it is killed with SIGKILL (no clean-up runs)
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(30)
        wait_until(lambda: live_members(first.group) == [], 90, "the end of the killed server's children")

    # THEN a new server starts on the same folder: the OS released the lock with the process
    with serving(*args, env=env) as second:
        url = second.wait_for_line(BANNER_URL).group(1)
        assert (tmp_path / "server.lock").read_text() == (f'{{"pid": {second.process.pid}, "url": "{url}"}}')
