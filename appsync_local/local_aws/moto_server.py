"""moto's server, run in a thread of this process, for S3, STS, SQS, SES, Kinesis and Cognito."""

from __future__ import annotations

import logging
import socket

from moto.server import ThreadedMotoServer

from appsync_local.local_aws.errors import LocalAwsError


class MotoServer:
    """moto's HTTP server in a background thread.

    moto keeps every service's state in module-level backends, so two servers in one process share it,
    and state lasts as long as the process (not the server). `S3Persistence` keeps S3 across processes.

    Parameters
    ----------
    host:
        The address to listen on.
    port:
        The port to listen on; 0 lets the OS pick a free one.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.endpoint = ""
        self._server: ThreadedMotoServer | None = None

    def start(self) -> str:
        """Start serving and return the endpoint URL."""
        if self._server is not None:
            return self.endpoint
        if self.port:
            # ThreadedMotoServer.start() waits forever when its bind fails, so a taken port is caught first.
            self._check_port_free()
        _quiet_request_log()
        server = ThreadedMotoServer(ip_address=self.host, port=self.port, verbose=False)
        server.start()
        self._server = server
        host, port = server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        return self.endpoint

    def stop(self) -> None:
        """Stop serving; safe to call more than once."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()
        self.endpoint = ""

    def _check_port_free(self) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((self.host, self.port))
            except OSError as exc:
                raise LocalAwsError(
                    f"moto's server cannot listen on {self.host}:{self.port}: {exc.strerror}"
                ) from exc


def _quiet_request_log() -> None:
    """Keep werkzeug from printing a line per request, unless the app has configured its logger."""
    werkzeug_logger = logging.getLogger("werkzeug")
    if werkzeug_logger.level == logging.NOTSET:
        werkzeug_logger.setLevel(logging.WARNING)
