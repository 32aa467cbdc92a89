"""moto's server, run in a thread of this process, for S3, STS, SQS, SES, Kinesis and Cognito; its S3 behind
the gate that authenticates requests as S3 does (`appsync_local.local_aws.s3_gate`)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from typing import Any, cast

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from appsync_local.local_aws.endpoints import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY
from appsync_local.local_aws.errors import LocalAwsError
from appsync_local.local_aws.s3_gate import KeyRing, LocalKey, S3Gate, SigningKey, moto_key

LOCAL_KEY = LocalKey(DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY)


class MotoServer:
    """moto's HTTP server in a background thread, its S3 behind `S3Gate`.

    moto keeps every service's state in module-level backends, so two servers in one process share it,
    and state lasts as long as the process (not the server). `S3Persistence` keeps S3 across processes.
    The server is moto's own dispatcher and request handler; only the S3 application is wrapped.

    Parameters
    ----------
    host:
        The address to listen on.
    port:
        The port to listen on; 0 lets the OS pick a free one.
    region:
        The region S3 requests must be signed for.
    clock:
        Seconds since the epoch, for signatures' times and expiry (tests move it).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        region: str = "us-east-1",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.host = host
        self.port = port
        self.region = region
        self.clock = clock
        self.endpoint = ""
        # The local dummy key, keys `trust` adds (the local IAM user, function roles), and moto's IAM/STS keys.
        self.keys = KeyRing((LOCAL_KEY,), lookup=moto_key)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def trust(self, *keys: SigningKey) -> None:
        """Let the local S3 accept requests signed with `keys` too."""
        self.keys.trust(*keys)

    def start(self) -> str:
        """Start serving and return the endpoint URL."""
        if self._server is not None:
            return self.endpoint
        if self.port:
            # ThreadedMotoServer.start() waits forever when its bind fails, so a taken port is caught first.
            self._check_port_free()
        _quiet_request_log()
        dispatcher = DomainDispatcherApplication(cast(Any, self._backend_app))
        server = make_server(
            self.host, self.port, dispatcher, threaded=True, request_handler=MotoRequestHandler
        )
        self._thread = threading.Thread(target=server.serve_forever, name="moto-server", daemon=True)
        self._thread.start()
        self._server = server
        self.endpoint = f"http://{self.host}:{server.server_port}"
        return self.endpoint

    def stop(self) -> None:
        """Stop serving; safe to call more than once."""
        server, self._server = self._server, None
        thread, self._thread = self._thread, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join()
        self.endpoint = ""

    def _backend_app(self, service: str) -> Any:
        app = create_backend_app(cast(Any, service))
        return S3Gate(app, self.keys, self.region, self.clock) if service == "s3" else app

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
