"""AWS's DynamoDB Local (a Java program) run as a child process of the runtime, on loopback only, and
restarted on the same files and port when it dies.

DynamoDB Local has no bind-address option (its Jetty server listens on every interface), so it is started
through `LoopbackDynamoDBLocal.java`, which sets its connector's host; the class is compiled once, by the
same Java, into a folder beside the jar (`jvm_cache`, which also keeps the class data that makes the JVM start
in about half the time). The alternatives were worse: a loopback proxy in front would leave
DynamoDB Local itself open on every interface, and a firewall rule needs root.

The listening socket is made here and handed to the JVM as its standard input, which the launcher serves:
the endpoint is known, and the port held, from the moment the JVM is spawned, before it answers. So the
runtime can give the endpoint to what it imports while the JVM boots, and no other process can take the
port meanwhile. A restart (the JVM died) binds the same port again, from the JVM itself.
"""

from __future__ import annotations

import atexit
import http.client
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import IO

from appsync_local.local_aws.errors import LocalAwsError
from appsync_local.local_aws.jvm_cache import ARCHIVE, LAUNCHER_CLASS, cache_folder, class_path

JAR_NAME = "DynamoDBLocal.jar"
LIB_DIR_NAME = "DynamoDBLocal_lib"
JAVA_HINT = (
    "Install Java 17 (for example `apt-get install openjdk-17-jre-headless`), "
    "or set APPSYNC_LOCAL_DYNAMODB=moto to use moto's in-memory DynamoDB instead (its data does not survive a restart)."
)
# What a JVM that binds its port itself (a restart) prints when another process has taken it.
BIND_FAILURE_MARKERS = ("Address already in use", "Failed to bind")
LISTEN_BACKLOG = 128
QUICK_START_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
_POLL_INTERVAL_SECONDS = 0.02
# DynamoDB Local checks that a request is signed, not the signature.
_UNSIGNED_AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=local/20000101/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-target, Signature=0"
)
_STOP_GRACE_SECONDS = 5.0
_RECORDING_SECONDS = 25.0  # a JVM writes its class data (about 50 MB) as it exits
# How a JVM stopped by SIGTERM ends (128 + 15), or one that exited by itself.
_STOPPED_BY_REQUEST = (0, 143)
# More deaths than this within the window is a crash loop: the server is stopped instead.
RESTARTS_PER_WINDOW = 3
RESTART_WINDOW_SECONDS = 60.0

logger = logging.getLogger("appsync_local.local_aws")


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


def plain_request(host: str, port: int, target: str, body: bytes, timeout: float) -> tuple[int, bytes]:
    """One request to DynamoDB Local at host:port (`target`: e.g. ``DynamoDB_20120810.ListTables``) over plain
    HTTP, without botocore: its status and body. OSError or HTTPException when it does not answer."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        headers = {
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": target,
            "Authorization": _UNSIGNED_AUTHORIZATION,
        }
        connection.request("POST", "/", body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def lists_tables(host: str, port: int, timeout: float = 2.0) -> bool:
    """Whether DynamoDB Local at host:port answers ListTables within `timeout`."""
    try:
        return plain_request(host, port, "DynamoDB_20120810.ListTables", b"{}", timeout)[0] == 200
    except (OSError, http.client.HTTPException):
        return False


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
        The address it listens on (only that one), and the host named in `endpoint`.
    port:
        The port to listen on; 0 picks a free one.
    quick_start:
        Run the JVM with only its first-tier compiler: it answers about a second sooner, at some cost
        in peak throughput (for tests and other short runs).
    on_failure:
        Called with a message when DynamoDB Local died and could not be restarted (a crash loop, or a
        restart that failed); by default that is only logged.
    """

    def __init__(
        self,
        jar_dir: Path,
        db_path: Path | None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        quick_start: bool = False,
        on_failure: Callable[[str], None] | None = None,
    ) -> None:
        self.jar_dir = Path(jar_dir).resolve()
        self.db_path = Path(db_path).resolve() if db_path is not None else None
        self.host = host
        self.port = port
        self.quick_start = quick_start
        self.endpoint = ""
        self.on_failure = on_failure
        self.restarts = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._state = threading.Lock()
        self._stopping = False
        self._stopped = False  # stop() was called: this instance never starts again
        self._supervisor: threading.Thread | None = None
        self._cache: Path | None = None  # `jvm_cache.cache_folder`
        self._recording: Path | None = None  # where the JVM records its class data as it exits
        self._launched_port = 0
        self._answered = threading.Event()

    def start(self, timeout: float = 30) -> str:
        """Start DynamoDB Local (unless `launch` did) and wait until it answers ListTables; return its endpoint URL.

        From then on a thread watches the process: if it dies, it is reaped, logged and restarted on the
        same port and files, so clients keep their endpoint.
        """
        if self.endpoint:
            return self.endpoint
        # `make run` starts it on a thread of its own, which a stop during start-up may precede: launching it
        # again then would leave the way out waiting for a JVM nobody wants.
        if self._stopped:
            raise LocalAwsError("DynamoDB Local was stopped while starting.")
        deadline = time.monotonic() + timeout
        java, jar = self.check()
        port = self._launched_port or self._launch(java, jar)
        self._launched_port = 0
        try:
            self._wait_until_ready(port, deadline)
        except LocalAwsError:
            self._terminate()
            raise
        self.endpoint = f"http://{self.host}:{port}"
        atexit.register(self.stop)
        self._supervise(java, jar, port)
        return self.endpoint

    def launch(self) -> str:
        """Start the JVM without waiting for it, so the caller can do other work while it boots, and return the
        endpoint it will answer at (its port is held already: a request sent meanwhile waits for it); `start`
        then waits until it answers."""
        if self._process is None:
            java, jar = self.check()
            self._launched_port = self._launch(java, jar)
        return self.endpoint or f"http://{self.host}:{self._launched_port}"

    def _launch(self, java: str, jar: Path) -> int:
        if self.db_path is not None:
            self.db_path.mkdir(parents=True, exist_ok=True)
        self._stopping = False
        listener = self._listen()
        try:
            port = int(listener.getsockname()[1])
            self._spawn(java, jar, port, listener)
        finally:
            listener.close()  # the JVM holds its own copy
        return port

    def _listen(self) -> socket.socket:
        """The socket the JVM serves: bound here (port 0 picks a free one), so its port is known and held."""
        try:
            return socket.create_server((self.host, self.port), backlog=LISTEN_BACKLOG)
        except OSError as exc:
            raise LocalAwsError(
                f"DynamoDB Local could not listen on port {self.port}: {exc.strerror or exc}"
            ) from None

    @property
    def pid(self) -> int | None:
        """The JVM's process id while it runs."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def _supervise(self, java: str, jar: Path, port: int) -> None:
        self._supervisor = threading.Thread(
            target=self._watch, args=(java, jar, port), name="dynamodb-local-supervisor", daemon=True
        )
        self._supervisor.start()

    def _watch(self, java: str, jar: Path, port: int) -> None:
        """Wait on the JVM (which reaps it: never a zombie); restart it when it died unasked."""
        deaths: deque[float] = deque(maxlen=RESTARTS_PER_WINDOW + 1)
        while True:
            process = self._process
            if process is None:
                return
            returncode = process.wait()
            with self._state:
                if self._stopping or self._process is not process:
                    return
            deaths.append(time.monotonic())
            how = f"killed by signal {-returncode}" if returncode < 0 else f"exit code {returncode}"
            logger.warning(
                "DynamoDB Local (PID %d) ended unexpectedly (%s); restarting it on port %d with the same data.",
                process.pid,
                how,
                port,
            )
            crash_loop = len(deaths) > RESTARTS_PER_WINDOW and deaths[-1] - deaths[0] < RESTART_WINDOW_SECONDS
            failure = "it keeps ending" if crash_loop else self._restart(java, jar, port)
            if failure:
                self._give_up(f"DynamoDB Local could not be restarted ({failure})")
                return
            self.restarts += 1
            logger.warning("DynamoDB Local is back on port %d (PID %s).", port, self.pid)

    def _restart(self, java: str, jar: Path, port: int) -> str:
        """Start the JVM again on `port`; the reason it failed, or "" once it answers."""
        try:
            with self._state:
                if self._stopping:
                    return ""
                self._close_log()
                self._spawn(java, jar, port)
            self._wait_until_ready(port, time.monotonic() + 60)
        except Exception as exc:  # a stop() racing the restart ends it in any of several ways
            return "" if self._stopping else (str(exc).splitlines() or [type(exc).__name__])[0]
        return ""

    def _give_up(self, message: str) -> None:
        with self._state:
            if self._stopping:
                return
        logger.error("%s.", message)
        if self.on_failure is not None:
            self.on_failure(message)

    def check(self) -> tuple[str, Path]:
        """The `java` and the jar that `start` runs; LocalAwsError, saying what to do, when one is missing."""
        java = self._java()
        jar = self.jar_dir / JAR_NAME
        if self._cache is not None:
            return java, jar
        if not jar.is_file():
            raise LocalAwsError(
                f"DynamoDB Local was not found at {jar}. Run `make setup` (it installs the npm package "
                "amplify-dynamodb-simulator, which ships it), or set APPSYNC_LOCAL_DYNAMODB=moto to use moto's DynamoDB."
            )
        self._cache = cache_folder(java, jar)
        return java, jar

    @property
    def class_data_recorded(self) -> bool:
        """Whether the JVM maps recorded class data (`jvm_cache`); if not, the next one records it as it stops."""
        self.check()
        assert self._cache is not None
        return (self._cache / ARCHIVE).is_file()

    def stop(self) -> None:
        """Stop the process (terminate, then kill if it lingers); safe to call more than once."""
        atexit.unregister(self.stop)
        with self._state:
            self._stopping = True
            self._stopped = True
        self._launched_port = 0
        self._terminate()
        supervisor, self._supervisor = self._supervisor, None
        if supervisor is not None and supervisor is not threading.current_thread():
            supervisor.join(timeout=_STOP_GRACE_SECONDS * 2)
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
        cache = self._cache or cache_folder(java, jar)
        command = [java, *QUICK_START_OPTIONS] if self.quick_start else [java]
        if (cache / ARCHIVE).is_file():
            command.append(f"-XX:SharedArchiveFile={cache / ARCHIVE}")
        command += [
            f"-Djava.library.path={self.jar_dir / LIB_DIR_NAME}",
            "-cp",
            class_path(cache),
            LAUNCHER_CLASS,
            self.host,
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

    def _spawn(self, java: str, jar: Path, port: int, listener: socket.socket | None = None) -> None:
        """Run the JVM on `port`: serving `listener` (its standard input) when given, else binding the port."""
        # Output goes to a file rather than a pipe, so a chatty server can never block on a full pipe.
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process; closed in stop()
        command = self._command(java, jar, port)
        self._discard_recording()
        if (
            not any(option.startswith("-XX:SharedArchiveFile=") for option in command)
            and self._cache is not None
        ):
            # No class data yet: this JVM records it as it exits (`jvm_cache`), for the next ones.
            self._recording = self._cache / f"{ARCHIVE}.{os.getpid()}.{port}.tmp"
            command.insert(1, f"-XX:ArchiveClassesAtExit={self._recording}")
        try:
            self._process = subprocess.Popen(
                [*die_with_parent_prefix(), *command],
                cwd=self.db_path or self.jar_dir,
                stdin=listener.fileno() if listener is not None else subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
            )
        except OSError as exc:
            self._close_log()
            raise LocalAwsError(f"could not run {java}: {exc}. {JAVA_HINT}") from exc
        self._answered = threading.Event()
        threading.Thread(
            target=self._probe,
            args=(self._process, port, self._answered),
            name="dynamodb-local-probe",
            daemon=True,
        ).start()

    def _wait_until_ready(self, port: int, deadline: float) -> None:
        """Wait until the JVM answered ListTables (`_probe`, started with it), or fail saying why it did not."""
        process, answered = self._process, self._answered
        if process is None:
            raise LocalAwsError("DynamoDB Local was stopped while starting.")
        while not answered.wait(_POLL_INTERVAL_SECONDS):
            if process.poll() is not None:
                raise LocalAwsError(
                    f"DynamoDB Local exited with code {process.returncode} while starting.\n{self._log_tail()}"
                )
            # A failed bind can leave the JVM running without a server, so the log is checked as well.
            if any(marker in self._log_tail() for marker in BIND_FAILURE_MARKERS):
                raise LocalAwsError(f"DynamoDB Local could not listen on port {port}.\n{self._log_tail()}")
            if time.monotonic() >= deadline:
                raise LocalAwsError(
                    f"DynamoDB Local did not answer on port {port} in time.\n{self._log_tail()}"
                )

    def _probe(self, process: subprocess.Popen[bytes], port: int, answered: threading.Event) -> None:
        """Ask the JVM for ListTables from its spawn on, until it answers (then set `answered`) or ends.

        On a thread, so that the JVM's first request, which takes it a second to serve, is served while the
        runtime does other work. The request waits in the socket's backlog until the JVM accepts it.
        """
        while process.poll() is None:
            if lists_tables(self.host, port):
                answered.set()
                return
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
                process.wait(_STOP_GRACE_SECONDS + (_RECORDING_SECONDS if self._recording else 0))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process is not None and process.returncode in _STOPPED_BY_REQUEST:
            self._keep_recording()
        self._discard_recording()
        self._close_log()

    def _keep_recording(self) -> None:
        """The class data a JVM stopped on request recorded is the archive from now on."""
        recording, self._recording = self._recording, None
        if (
            recording is not None
            and self._cache is not None
            and recording.is_file()
            and recording.stat().st_size
        ):
            os.replace(recording, self._cache / ARCHIVE)

    def _discard_recording(self) -> None:
        """A JVM that was killed or died may have left half its class data: it is removed."""
        recording, self._recording = self._recording, None
        if recording is not None:
            recording.unlink(missing_ok=True)

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None
