"""`make run`: local AWS, the runtime and its HTTP server, from the app's description.

Start-up locks the data folder (one server per folder: `data_lock`) and takes the ports first, so a second
server or a busy port is refused before any local AWS part starts. Then it launches DynamoDB Local's JVM and
kinesalite's Node, which take seconds to boot, and meanwhile imports the runtime, starts moto, creates what needs
no DynamoDB and builds the runtime (DynamoDB Local's endpoint is known from its launch) while the tables are
created on another thread; then come the seed, the event sources and the servers. SIGINT or SIGTERM, at any
point, stops everything this process started and ends it normally (exit code 0); what cannot start is refused
in one line (`refusals()`, exit code 2).

This module imports little: the JVM is launched before the runtime's own imports, which take about as long.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future

from appdef import AppConfig

from .data_lock import DataFolderInUse, locked_data_folder
from .foreground import StopRequested, StopSignals, bind_socket
from .local_aws.stack import LocalAws

logger = logging.getLogger("appsync_local")


class StartupError(RuntimeError):
    """The server cannot start (a port is taken, say); the message says why and what to do."""


def refusals() -> tuple[type[Exception], ...]:
    """What the app or the machine gets wrong, each with a message naming the cause: reported in one line.

    Imported when asked: the classes live in the runtime's modules, which `serve` imports after its launch.
    """
    from appdef import ConfigError
    from appdef.bindings import BindingError

    from .auth import AuthStoreError, SchemaAuthError
    from .js import BundlerUnavailable, JsCodeError
    from .local_aws.errors import LocalAwsError
    from .realtime.subscriptions import SubscriptionSchemaError
    from .sdl import SchemaExportError
    from .tls import TlsError

    return (
        ConfigError,
        BindingError,
        SchemaExportError,
        SchemaAuthError,
        SubscriptionSchemaError,
        JsCodeError,
        BundlerUnavailable,
        AuthStoreError,
        LocalAwsError,
        TlsError,
        StartupError,
        DataFolderInUse,
    )


S3_SAVE_INTERVAL_SECONDS = 5.0


def _save_uploads_periodically(aws: LocalAws, stop: threading.Event) -> None:
    """moto keeps S3 and SQS in memory: mirror them to disk every few seconds, so a crash loses little."""
    while not stop.wait(S3_SAVE_INTERVAL_SECONDS):
        try:
            aws.save()
        except Exception:  # keep serving; the next round retries, and shutdown saves again
            logger.exception("saving S3 objects and queued messages to disk failed")


def _run_into(work: Callable[[], None], done: Future[None]) -> None:
    """Run `work`, and settle `done` with its outcome."""
    try:
        work()
    except BaseException as exc:  # handed to the waiting thread, which raises it
        done.set_exception(exc)
    else:
        done.set_result(None)


def _reachable(url: str, host: str) -> str:
    """The URL functions use to reach the server: a wildcard bind address is reached on loopback."""
    return url.replace(f"//{host}:", "//127.0.0.1:") if host in ("0.0.0.0", "::", "") else url


def _tls_hosts(host: str) -> tuple[str, ...]:
    """The names the local certificate covers: loopback, plus the bind address when it names one host."""
    from .tls import DEFAULT_HOSTS

    extra = () if host in DEFAULT_HOSTS or host in ("0.0.0.0", "::", "") else (host,)
    return (*DEFAULT_HOSTS, *extra)


def listen(host: str, port: int, variable: str) -> socket.socket:
    """Take HOST:PORT before anything starts; `variable` names the setting that picks another port."""
    try:
        return bind_socket(host, port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            other = port + 1 if port < 65535 else 4000
            raise StartupError(
                f"port {port} on {host} is in use (another server? {variable}={other} make run picks another)"
            ) from None
        raise StartupError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _stop_serving(reason: str) -> None:
    """A local AWS part is gone for good: stop the server (as SIGTERM does) rather than serve errors."""
    logger.error("error: %s; stopping the server (its data is kept: `make run` starts it again).", reason)
    os.kill(os.getpid(), signal.SIGTERM)


@contextlib.contextmanager
def _saving_uploads(aws: LocalAws) -> Iterator[None]:
    stop = threading.Event()
    saver = threading.Thread(target=_save_uploads_periodically, args=(aws, stop), daemon=True)
    saver.start()
    try:
        yield
    finally:
        stop.set()
        saver.join(timeout=10)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No automatic garbage collection while starting (until `_collect_once_started`, at the latest on the way
    out). Start-up builds some 300,000 tracked objects that live as long as the server (modules, models, the schema,
    the functions); as they grow in number, the collector scans them all again and again, which was over a
    quarter of start-up's CPU time. One full collection at the end finds the same garbage."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _freeze_imports() -> None:
    """Keep start-up's one collection from scanning the modules imported so far (some 178,000 objects of the
    313,000 it would otherwise scan: about 100 ms less before the first answer). Imports leave little garbage,
    about a thousand objects (classes and functions made and dropped while modules load, the command line's
    parser), none of which holds a socket or a file; frozen, it stays for the server's life. What start-up
    builds after this (clients with connection pools, open files) is still collected."""
    gc.freeze()


def _collect_once_started() -> None:
    """Start-up's one collection; what survives it is frozen (the app's lifespan freezes what it then finds
    too), so later collections never scan it, and automatic collection resumes."""
    gc.collect()
    gc.freeze()
    gc.enable()


def _quiet_logs() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for noisy in ("botocore", "boto3", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Once a function traces, the X-Ray SDK has patched botocore for the whole process; it then remarks on
    # every call the runtime itself makes outside an invocation (untraced, as it should be).
    logging.getLogger("aws_xray_sdk").setLevel(logging.ERROR)


def serve(config: AppConfig, host: str = "127.0.0.1", port: int = 4000, tls_port: int | None = None) -> None:
    """Start local AWS, seed it, and serve until SIGINT or SIGTERM; data survives restarts.

    With `tls_port`, the same app is also served over HTTPS/WSS with a certificate from the local CA
    (`appsync_local.tls`), for clients such as Amplify JS that always use ``wss://``. A stop signal during
    start-up raises `StopRequested` once everything started so far has stopped.
    """
    _quiet_logs()
    with contextlib.ExitStack() as stack:
        stack.enter_context(_collector_paused())
        signals = stack.enter_context(StopSignals())
        # Before the ports: a second `make run` on the same data is refused by name, whatever port it asks.
        data_lock = stack.enter_context(locked_data_folder(config.data_dir))
        sock = stack.enter_context(contextlib.closing(listen(host, port, "PORT")))
        url = f"http://{host}:{sock.getsockname()[1]}"
        data_lock.publish(url)
        tls_sock = None
        if tls_port is not None:
            tls_sock = stack.enter_context(contextlib.closing(listen(host, tls_port, "TLS_PORT")))
        aws = LocalAws(config, on_failure=_stop_serving)
        stack.callback(aws.close)
        # DynamoDB Local's JVM and kinesalite's Node take seconds to boot: they boot while the rest starts.
        with signals.deferred():
            aws.launch()
        _start_and_serve(config, stack, aws, host, url, sock, tls_sock)
        signals.stopping()


def _start_and_serve(
    config: AppConfig,
    stack: contextlib.ExitStack,
    aws: LocalAws,
    host: str,
    url: str,
    sock: socket.socket,
    tls_sock: socket.socket | None,
) -> None:
    """Everything after the launch, up to serving until a stop signal."""
    # The runtime's own modules (a second or more of imports) load while DynamoDB Local boots.
    from .banner import banner
    from .http_app import create_app
    from .invocations.observer import InvocationObserver, echo_to_terminal
    from .local_aws.seed import seed
    from .local_services import running_local_services
    from .runtime import build_runtime
    from .serving import run_servers, uvicorn_config
    from .tls import ensure_local_tls

    _freeze_imports()
    tls = ensure_local_tls(config.data_dir, _tls_hosts(host)) if tls_sock is not None else None
    aws.start_storage()
    # Functions read the endpoints from the environment when imported (by `build_runtime`); DynamoDB Local's
    # is known from its launch, and a request sent before it answers waits for it.
    os.environ.update(aws.endpoints.environment())
    observer = InvocationObserver(echo=echo_to_terminal, tracing=True)
    # The tables are created while the runtime is built: creating them mostly waits on DynamoDB Local (a first
    # start's ten CreateTables, about 0.3 s), building it is this process's own work. Nothing in the build
    # reads a table; the seed below, which does, follows both. If the build fails or a stop signal comes, the
    # way out does not wait for the tables: stopping DynamoDB Local ends their thread's calls, and the thread is
    # a daemon (the interpreter's exit would join an executor's thread).
    tables_created: Future[None] = Future()
    threading.Thread(
        target=_run_into, args=(aws.start_tables, tables_created), name="start-tables", daemon=True
    ).start()
    runtime = build_runtime(config, public_url=_reachable(url, host), observer=observer)
    tables_created.result()
    written = seed(
        config, aws.session(), aws.endpoints, runtime.seed_substitutions(), done_marker=aws.seed_marker
    )
    if written:
        logger.info("Seeded %d demo items.", written)
    services = stack.enter_context(running_local_services(config, runtime, aws, config.data_dir))
    app = create_app(runtime, local_routes=services.routes)
    servers = [(uvicorn_config(app, log_level="warning"), sock)]
    print(banner(runtime, url, aws.endpoints.kinesis, aws.endpoints.athena), flush=True)
    if tls is not None and tls_sock is not None:
        tls_url = f"https://{host}:{tls_sock.getsockname()[1]}"
        print(f"  HTTPS / WSS    {tls_url}/graphql   (wss://…/graphql/realtime)", flush=True)
        trust = "(trust it, e.g. NODE_EXTRA_CA_CERTS=<path>)"
        print(f"  Local CA       {tls.ca_cert}   {trust}\n", flush=True)
        tls_config = uvicorn_config(
            app, log_level="warning", ssl_certfile=str(tls.cert_file), ssl_keyfile=str(tls.key_file)
        )
        servers.append((tls_config, tls_sock))
    _collect_once_started()
    with _saving_uploads(aws):
        run_servers(servers)


def main_serve(config: AppConfig, host: str, port: int, tls_port: int | None = None) -> int:
    """`serve`, for the command line: a stop signal, even during start-up, ends it normally."""
    # StopRequested: stopped during start-up, once everything started so far had stopped.
    with contextlib.suppress(StopRequested):
        serve(config, host=host, port=port, tls_port=tls_port)
    return 0
