"""AWS's DynamoDB Local (a Java program) run as a child process of the runtime."""

from __future__ import annotations

import atexit
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

import botocore.exceptions
from botocore.config import Config

from appsync_local.local_aws.endpoints import local_session
from appsync_local.local_aws.errors import LocalAwsError

JAR_NAME = "DynamoDBLocal.jar"
LIB_DIR_NAME = "DynamoDBLocal_lib"
JAVA_HINT = (
    "Install Java 17 (for example `apt-get install openjdk-17-jre-headless`), "
    "or set APPSYNC_LOCAL_DYNAMODB=moto to use moto's in-memory DynamoDB instead (its data does not survive a restart)."
)
# DynamoDB Local rejects `-port 0`, so a free port is chosen here; another process may take it first.
BIND_ATTEMPTS = 5
BIND_FAILURE_MARKERS = ("Address already in use", "Failed to bind")
QUICK_START_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
_PROBE_CONFIG = Config(connect_timeout=0.5, read_timeout=2, retries={"max_attempts": 1})
_POLL_INTERVAL_SECONDS = 0.1
_STOP_GRACE_SECONDS = 5.0


def free_port(host: str = "") -> int:
    """A TCP port that nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def die_with_parent_prefix() -> list[str]:
    """A command prefix that has Linux end the child when this process dies, so no Java or Node is orphaned.

    PR_SET_PDEATHSIG fires when the *thread* that started the child ends, so it is used only from the
    main thread; util-linux's setpriv sets it without a preexec_fn (unsafe once moto's thread runs).
    """
    setpriv = shutil.which("setpriv")
    if setpriv is None or threading.current_thread() is not threading.main_thread():
        return []  # atexit still stops the child on a normal exit
    return [setpriv, "--pdeathsig", "TERM", "--"]


class DynamoDBLocal:
    """DynamoDB Local as a child process.

    Parameters
    ----------
    jar_dir:
        The folder holding ``DynamoDBLocal.jar`` and ``DynamoDBLocal_lib`` (in this project,
        ``node_modules/amplify-dynamodb-simulator/emulator``).
    db_path:
        Where the database file lives (created when missing); ``None`` keeps everything in memory.
    host:
        The host named in `endpoint` (DynamoDB Local itself listens on every interface).
    port:
        The port to listen on; 0 picks a free one.
    quick_start:
        Run the JVM with only its first-tier compiler: it answers about a second sooner, at some cost
        in peak throughput (for tests and other short runs).
    """

    def __init__(
        self,
        jar_dir: Path,
        db_path: Path | None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        quick_start: bool = False,
    ) -> None:
        self.jar_dir = Path(jar_dir).resolve()
        self.db_path = Path(db_path).resolve() if db_path is not None else None
        self.host = host
        self.port = port
        self.quick_start = quick_start
        self.endpoint = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self, timeout: float = 30) -> str:
        """Start DynamoDB Local and wait until it answers ListTables; return its endpoint URL."""
        if self._process is not None:
            return self.endpoint
        java, jar = self.check()
        if self.db_path is not None:
            self.db_path.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + timeout
        attempts = BIND_ATTEMPTS if self.port == 0 else 1
        for attempt in range(1, attempts + 1):
            port = self.port or free_port()
            self._spawn(java, jar, port)
            try:
                self._wait_until_ready(port, deadline)
            except LocalAwsError:
                log = self._log_tail()
                self._terminate()
                if attempt < attempts and any(marker in log for marker in BIND_FAILURE_MARKERS):
                    continue
                raise
            self.endpoint = f"http://{self.host}:{port}"
            atexit.register(self.stop)
            return self.endpoint
        raise AssertionError("unreachable")  # pragma: no cover

    def check(self) -> tuple[str, Path]:
        """The `java` and the jar that `start` runs; LocalAwsError, saying what to do, when one is missing."""
        java = self._java()
        jar = self.jar_dir / JAR_NAME
        if not jar.is_file():
            raise LocalAwsError(
                f"DynamoDB Local was not found at {jar}. Run `make setup` (it installs the npm package "
                "amplify-dynamodb-simulator, which ships it), or set APPSYNC_LOCAL_DYNAMODB=moto to use moto's DynamoDB."
            )
        return java, jar

    def stop(self) -> None:
        """Stop the process (terminate, then kill if it lingers); safe to call more than once."""
        atexit.unregister(self.stop)
        self._terminate()
        self.endpoint = ""

    @property
    def running(self) -> bool:
        """Whether the child process is alive."""
        return self._process is not None and self._process.poll() is None

    def _java(self) -> str:
        java = shutil.which("java")
        if java is None:
            raise LocalAwsError(f"DynamoDB Local needs Java, and no `java` was found on PATH. {JAVA_HINT}")
        return java

    def _command(self, java: str, jar: Path, port: int) -> list[str]:
        command = [java, *QUICK_START_OPTIONS] if self.quick_start else [java]
        command += [
            f"-Djava.library.path={self.jar_dir / LIB_DIR_NAME}",
            "-jar",
            str(jar),
            "-port",
            str(port),
            # One database for every access key and region, as clients with different credentials share tables.
            "-sharedDb",
            "-disableTelemetry",
        ]
        if self.db_path is None:
            command.append("-inMemory")
        else:
            command += ["-dbPath", str(self.db_path)]
        return command

    def _spawn(self, java: str, jar: Path, port: int) -> None:
        # Output goes to a file rather than a pipe, so a chatty server can never block on a full pipe.
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process; closed in stop()
        try:
            self._process = subprocess.Popen(
                [*die_with_parent_prefix(), *self._command(java, jar, port)],
                cwd=self.db_path or self.jar_dir,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
            )
        except OSError as exc:
            self._close_log()
            raise LocalAwsError(f"could not run {java}: {exc}. {JAVA_HINT}") from exc

    def _wait_until_ready(self, port: int, deadline: float) -> None:
        dynamodb = local_session("us-east-1").client(
            "dynamodb", endpoint_url=f"http://127.0.0.1:{port}", config=_PROBE_CONFIG
        )
        assert self._process is not None
        while True:
            if self._process.poll() is not None:
                raise LocalAwsError(
                    f"DynamoDB Local exited with code {self._process.returncode} while starting.\n{self._log_tail()}"
                )
            # A failed bind can leave the JVM running without a server, so the log is checked as well.
            if any(marker in self._log_tail() for marker in BIND_FAILURE_MARKERS):
                raise LocalAwsError(f"DynamoDB Local could not listen on port {port}.\n{self._log_tail()}")
            try:
                dynamodb.list_tables(Limit=1)
                return
            except (
                botocore.exceptions.EndpointConnectionError,
                botocore.exceptions.ConnectionClosedError,
                botocore.exceptions.ReadTimeoutError,
                botocore.exceptions.ConnectTimeoutError,
            ):
                pass
            if time.monotonic() >= deadline:
                raise LocalAwsError(
                    f"DynamoDB Local did not answer on port {port} in time.\n{self._log_tail()}"
                )
            time.sleep(_POLL_INTERVAL_SECONDS)

    def _log_tail(self, lines: int = 20) -> str:
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0)
        text = self._log.read().decode("utf-8", "replace")
        tail = "\n".join(text.splitlines()[-lines:])
        return f"Its output ended with:\n{tail}" if tail else "It printed nothing."

    def _terminate(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(_STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None
