"""`make run`: local AWS, the runtime and its HTTP server, from the app's description.

Start-up locks the data folder (one server per folder: `data_lock`) and takes the ports first, so a second
server or a busy port is refused before any local AWS part starts; then local AWS, the runtime and the
servers. SIGINT or SIGTERM, at any point, stops everything this process started and
ends it normally (exit code 0); what cannot start is refused in one line (`REFUSALS`, exit code 2).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import signal
import socket
import threading
from collections.abc import Iterator

from appdef import AppConfig, ConfigError
from appdef.bindings import BindingError

from .auth import AuthStoreError, SchemaAuthError
from .cdn import CDN_PAGE_PATH, LOCAL_PAGES_PATH
from .data_lock import DataFolderInUse, locked_data_folder
from .http_app import create_app
from .invocations.observer import InvocationObserver, echo_to_terminal
from .invocations.page import INVOCATIONS_PATH
from .js import BundlerUnavailable, JsCodeError
from .local_aws import LocalAws, LocalAwsError, seed
from .local_references import CDN_PATH
from .local_services import running_local_services
from .mail.inbox import INBOX_PATH
from .realtime.subscriptions import SubscriptionSchemaError
from .runtime import Runtime, build_runtime
from .sdl import SchemaExportError
from .serving import StopSignals, bind_socket, run_servers, uvicorn_config
from .tls import DEFAULT_HOSTS, TlsError, ensure_local_tls

logger = logging.getLogger("appsync_local")


class StartupError(RuntimeError):
    """The server cannot start (a port is taken, say); the message says why and what to do."""


# What the app or the machine gets wrong, each with a message naming the cause: reported in one line.
REFUSALS: tuple[type[Exception], ...] = (
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


def banner(runtime: Runtime, url: str, kinesis: str = "", athena: str = "") -> str:
    """What `make run` prints once it serves; `kinesis` and `athena` are the local endpoints, when the app has
    streams and analytics."""
    api = runtime.config.api
    lines = [
        "",
        f"  AppSync API    {url}/graphql"
        + ("   (GraphiQL: open it in a browser)" if runtime.config.local.graphiql else ""),
        f"  Auth modes     {', '.join(api.auth_modes)} (default {api.default_auth})",
    ]
    if runtime.api_keys is not None:
        key = runtime.api_keys.current()
        lines.append(f"  API key        {key.id}   (x-api-key; `make api-key` prints it)")
    users = runtime.config.local_users
    if runtime.user_pool is not None and users:
        names = ", ".join(u.username for u in users)
        passwords = {u.password for u in users}
        password = f"; password {passwords.pop()}" if len(passwords) == 1 else ""
        hint = f"`make token USER={users[0].username}` (demo users: {names}{password})"
        lines.append(f"  User tokens    {hint}")
    if runtime.oidc_issuer is not None:
        example = users[0].username if users else "alice"
        lines.append(
            f"  OIDC tokens    `make token USER={example} ISSUER=oidc` (the local issuer of {runtime.oidc_issuer.issuer})"
        )
    if runtime.sigv4 is not None:
        lines.append("  IAM            `python -m appsync_local iam-credentials` prints the local access key")
    config = runtime.config
    if config.email.senders:
        lines.append(f"  Local inbox    {url}{INBOX_PATH}   (every e-mail the app sends)")
    for bucket in config.cdn_buckets:
        access = "signed URLs only" if bucket.signed_urls else "public"
        if bucket.signed_urls and bucket.signed_urls.public_paths:
            access += f", but {', '.join(bucket.signed_urls.public_paths)}"
        lines.append(f"  CDN            {url}{CDN_PATH}/{bucket.name}/   ({access})")
    if config.cdn_buckets:
        lines.append(f"  CDN edge       {url}{CDN_PAGE_PATH}   (what each distribution served and refused)")
    for page, target in config.local.pages.items():
        lines.append(
            f"  {page.capitalize():<14} {url}{LOCAL_PAGES_PATH}/{page}   ({CDN_PATH.lstrip('/')}/{target})"
        )
    if config.functions:
        lines.append(f"  Invocations    {url}{INVOCATIONS_PATH}   (each function run: logs, metrics, trace)")
    if athena and config.analytics is not None:
        workgroup = config.analytics.workgroup
        lines.append(f"  Athena         {athena}   (workgroup {workgroup}: the SQL runs on DuckDB)")
    sources = sum(len(f.triggers) for f in config.functions.values())
    if sources:
        lines.append(
            f"  Event sources  {sources} trigger(s) delivering to functions (one log line per delivery)"
        )
    if kinesis:
        streams = ", ".join(config.streams)
        lines.append(
            f"  Kinesis        {kinesis}   (streams: {streams}; the endpoint_url of a kinesis client)"
        )
    lines.append("")
    return "\n".join(lines)


S3_SAVE_INTERVAL_SECONDS = 5.0


def _save_uploads_periodically(aws: LocalAws, stop: threading.Event) -> None:
    """moto keeps S3 and SQS in memory: mirror them to disk every few seconds, so a crash loses little."""
    while not stop.wait(S3_SAVE_INTERVAL_SECONDS):
        try:
            aws.save()
        except Exception:  # keep serving; the next round retries, and shutdown saves again
            logger.exception("saving S3 objects and queued messages to disk failed")


def _reachable(url: str, host: str) -> str:
    """The URL functions use to reach the server: a wildcard bind address is reached on loopback."""
    return url.replace(f"//{host}:", "//127.0.0.1:") if host in ("0.0.0.0", "::", "") else url


def _tls_hosts(host: str) -> tuple[str, ...]:
    """The names the local certificate covers: loopback, plus the bind address when it names one host."""
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
    start-up raises KeyboardInterrupt once everything started so far has stopped.
    """
    _quiet_logs()
    with contextlib.ExitStack() as stack:
        signals = stack.enter_context(StopSignals())
        # Before the ports: a second `make run` on the same data is refused by name, whatever port it asks.
        data_lock = stack.enter_context(locked_data_folder(config.data_dir))
        sock = stack.enter_context(contextlib.closing(listen(host, port, "PORT")))
        url = f"http://{host}:{sock.getsockname()[1]}"
        data_lock.publish(url)
        tls_sock, tls = None, None
        if tls_port is not None:
            tls_sock = stack.enter_context(contextlib.closing(listen(host, tls_port, "TLS_PORT")))
            tls = ensure_local_tls(config.data_dir, _tls_hosts(host))
        aws = stack.enter_context(LocalAws(config, on_failure=_stop_serving))
        os.environ.update(aws.endpoints.environment())
        observer = InvocationObserver(echo=echo_to_terminal, tracing=True)
        runtime = build_runtime(config, public_url=_reachable(url, host), observer=observer)
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
        with _saving_uploads(aws):
            run_servers(servers)
        signals.stopping()


def main_serve(config: AppConfig, host: str, port: int, tls_port: int | None = None) -> int:
    """`serve`, for the command line: a stop signal, even during start-up, ends it normally."""
    # KeyboardInterrupt: stopped during start-up, once everything started so far had stopped.
    with contextlib.suppress(KeyboardInterrupt):
        serve(config, host=host, port=port, tls_port=tls_port)
    return 0
