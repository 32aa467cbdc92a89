"""kinesalite, a Kinesis Data Streams that keeps its records on disk (LevelDB), run as a child process.

moto's Kinesis lives in the runtime's memory and loses every record when it stops; kinesalite keeps streams,
shards and records under the data folder, so a device's records and the mappings' checkpoints that point into
them survive a restart. It runs on Node.js from the project's node_modules, through `kinesalite.js`, which
binds loopback only (kinesalite's own command line listens on every interface).
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO

from appsync_local.local_aws.dynamodb_local import die_with_parent_prefix
from appsync_local.local_aws.errors import LocalAwsError

LAUNCHER = Path(__file__).with_name("kinesalite.js")
PACKAGE = "kinesalite"
# Where `make setup` installs the runtime's npm packages: next to appsync_local.
RUNTIME_NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
NODE_HINT = "Install Node.js 18 or newer (https://nodejs.org, or `apt-get install nodejs npm`), then run `make setup`."
# AWS's default shard quota per account in its largest regions; kinesalite refuses more, as AWS would.
SHARD_LIMIT = 500
# The account moto and the runtime's event records name, so stream ARNs agree everywhere.
LOCAL_ACCOUNT_ID = "000000000000"
_POLL_INTERVAL_SECONDS = 0.05
_STOP_GRACE_SECONDS = 5.0


def kinesalite_modules(app_root: Path) -> Path:
    """The node_modules holding kinesalite: the app's own, else the runtime's (for an app kept elsewhere)."""
    for folder in (app_root / "node_modules", RUNTIME_NODE_MODULES):
        if (folder / PACKAGE / "package.json").is_file():
            return folder
    return app_root / "node_modules"  # named in the error `check` raises


class LocalKinesis:
    """kinesalite as a child process, listening on one loopback address.

    Parameters
    ----------
    node_modules:
        The folder holding the ``kinesalite`` npm package (in this project, ``node_modules``).
    path:
        Where its LevelDB store lives (created when missing); ``None`` keeps everything in memory.
    host:
        The address it listens on, and the host named in `endpoint`.
    region:
        The region its stream ARNs name.
    shard_limit:
        The most open shards all streams together may have (LimitExceededException beyond it).
    """

    def __init__(
        self,
        node_modules: Path,
        path: Path | None,
        host: str = "127.0.0.1",
        *,
        region: str = "us-east-1",
        shard_limit: int = SHARD_LIMIT,
    ) -> None:
        self.node_modules = Path(node_modules).resolve()
        self.path = Path(path).resolve() if path is not None else None
        self.host = host
        self.region = region
        self.shard_limit = shard_limit
        self.endpoint = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self, timeout: float = 30) -> str:
        """Start kinesalite (unless `launch` did) and wait until it answers ListStreams; return its endpoint URL."""
        if self.endpoint:
            return self.endpoint
        self.launch()
        deadline = time.monotonic() + timeout
        try:
            port = self._wait_for_port(deadline)
            self._wait_until_ready(port, deadline)
        except LocalAwsError:
            self._terminate()
            raise
        self.endpoint = f"http://{self.host}:{port}"
        atexit.register(self.stop)
        return self.endpoint

    def launch(self) -> None:
        """Start Node without waiting for it, so the caller can do other work while it boots; `start` then
        waits until kinesalite answers."""
        if self._process is not None:
            return
        node = self.check()
        if self.path is not None:
            self.path.mkdir(parents=True, exist_ok=True)
        self._spawn(node)

    def check(self) -> str:
        """The `node` that `start` runs; LocalAwsError, saying what to do, when it or the package is missing."""
        node = shutil.which("node")
        if node is None:
            raise LocalAwsError(
                f"the app's Kinesis streams run on kinesalite, which needs Node.js, and no `node` was found on PATH. {NODE_HINT}"
            )
        package = self.node_modules / PACKAGE / "package.json"
        if not package.is_file():
            raise LocalAwsError(
                f"kinesalite (the local Kinesis) was not found at {package.parent}. Run `make setup` "
                "(it installs the npm packages of package.json)."
            )
        return node

    def stop(self) -> None:
        """Stop the process (its store is closed first; killed if it lingers); safe to call more than once."""
        atexit.unregister(self.stop)
        self._terminate()
        self.endpoint = ""

    @property
    def running(self) -> bool:
        """Whether the child process is alive."""
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        """The child process's id while it runs."""
        return self._process.pid if self.running and self._process is not None else None

    def _spawn(self, node: str) -> None:
        options = {
            "path": str(self.path) if self.path is not None else None,
            "host": self.host,
            "port": 0,
            "shardLimit": self.shard_limit,
        }
        env = {
            **os.environ,
            "NODE_PATH": str(self.node_modules),
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ACCOUNT_ID": LOCAL_ACCOUNT_ID,
        }
        # Output goes to a file rather than a pipe, so it can never block on a full pipe. Its stdin stays open
        # while this process lives: when it closes, however this process ended, kinesalite stops.
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process; closed in stop()
        try:
            self._process = subprocess.Popen(
                [*die_with_parent_prefix(), node, str(LAUNCHER), json.dumps(options)],
                cwd=self.path or self.node_modules,
                env=env,
                stdin=subprocess.PIPE,
                stdout=self._log,
                stderr=subprocess.STDOUT,
            )
        except OSError as exc:
            self._close_log()
            raise LocalAwsError(f"could not run {node}: {exc}. {NODE_HINT}") from exc

    def _wait_for_port(self, deadline: float) -> int:
        """The port the launcher printed (one JSON line) once it listens."""
        assert self._process is not None
        while True:
            for line in self._output().splitlines():
                if line.startswith('{"port"'):
                    return int(json.loads(line)["port"])
            if self._process.poll() is not None:
                raise LocalAwsError(
                    f"kinesalite exited with code {self._process.returncode} while starting.\n{self._log_tail()}"
                )
            if time.monotonic() >= deadline:
                raise LocalAwsError(f"kinesalite did not start listening in time.\n{self._log_tail()}")
            time.sleep(_POLL_INTERVAL_SECONDS)

    def _wait_until_ready(self, port: int, deadline: float) -> None:
        """ListStreams answers once the store has opened (a store another kinesalite holds fails here)."""
        # Imported here: launching Node, among the first things `make run` does, needs no botocore.
        import botocore.exceptions
        from botocore.config import Config

        from appsync_local.local_aws.endpoints import local_session

        kinesis = local_session(self.region).client(
            "kinesis",
            endpoint_url=f"http://{self.host}:{port}",
            config=Config(connect_timeout=0.5, read_timeout=2, retries={"max_attempts": 1}),
        )
        assert self._process is not None
        while True:
            if self._process.poll() is not None:
                raise LocalAwsError(
                    f"kinesalite exited with code {self._process.returncode} while starting.\n{self._log_tail()}"
                )
            try:
                kinesis.list_streams(Limit=1)
                return
            except (
                botocore.exceptions.EndpointConnectionError,
                botocore.exceptions.ConnectionClosedError,
                botocore.exceptions.ReadTimeoutError,
                botocore.exceptions.ConnectTimeoutError,
            ):
                pass
            if time.monotonic() >= deadline:
                raise LocalAwsError(f"kinesalite did not answer on port {port} in time.\n{self._log_tail()}")
            time.sleep(_POLL_INTERVAL_SECONDS)

    def _output(self) -> str:
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def _log_tail(self, lines: int = 20) -> str:
        tail = "\n".join(self._output().splitlines()[-lines:])
        return f"Its output ended with:\n{tail}" if tail else "It printed nothing."

    def _terminate(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.stdin is not None:
                process.stdin.close()
            if process.poll() is None:
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
