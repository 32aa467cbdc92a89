"""Every local AWS part an app needs, started and stopped together.

This module imports little: `make run` launches DynamoDB Local's JVM and kinesalite's Node through it first,
and imports moto, boto3 and the local Athena while they boot.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from appsync_local.local_aws.dynamodb_local import DynamoDBLocal
from appsync_local.local_aws.endpoints import Endpoints, client, local_session
from appsync_local.local_aws.errors import LocalAwsError
from appsync_local.local_aws.local_kinesis import LocalKinesis, kinesalite_modules

if TYPE_CHECKING:
    import boto3

    from appdef import AppConfig
    from appsync_local.athena import LocalAthena
    from appsync_local.local_aws.moto_server import MotoServer
    from appsync_local.local_aws.s3_gate import SigningKey
    from appsync_local.local_aws.s3_persistence import S3Persistence
    from appsync_local.local_aws.sqs_persistence import SqsPersistence
    from appsync_local.serving import BackgroundServer

DYNAMODB_CHOICE_VARIABLE = "APPSYNC_LOCAL_DYNAMODB"
DYNAMODB_CHOICES = ("local", "moto")
SEED_MARKER = ".seeded"
JAR_DIR = Path("node_modules") / "amplify-dynamodb-simulator" / "emulator"


class LocalAws:
    """DynamoDB (DynamoDB Local, or moto's when chosen) and moto's server, provisioned for an app; kinesalite as
    its Kinesis when the app has `[streams]`, and the local Athena (`appsync_local.athena`) when it has `[analytics]`.

    `with LocalAws(config) as aws:` starts everything and stops it on the way out (saving what moto holds). A
    caller with other work to do meanwhile (`make run`) starts it in three steps, `launch`, `start_storage` and
    `start_tables`, and calls `close` at the end whatever happened.

    Parameters
    ----------
    config:
        The app; its tables and buckets are created, and its ``data_dir`` holds what persists.
    in_memory:
        Keep nothing on disk (tests); otherwise tables live in ``data_dir/dynamodb``, S3 objects
        in ``data_dir/s3`` and Kinesis streams with their records in ``data_dir/kinesis``.
    dynamodb:
        ``"local"`` for DynamoDB Local (needs Java 17) or ``"moto"`` for moto's in-memory DynamoDB.
        When not given, the ``APPSYNC_LOCAL_DYNAMODB`` variable decides, and DynamoDB Local is the default.
    quick_start:
        Start DynamoDB Local's JVM for a short run (see `DynamoDBLocal`); by default only when in memory.
    on_failure:
        Called with a message when DynamoDB Local died and could not be restarted (see `DynamoDBLocal`).
    """

    def __init__(
        self,
        config: AppConfig,
        *,
        in_memory: bool = False,
        dynamodb: str | None = None,
        quick_start: bool | None = None,
        on_failure: Callable[[str], None] | None = None,
    ) -> None:
        choice = dynamodb or os.environ.get(DYNAMODB_CHOICE_VARIABLE) or "local"
        if choice not in DYNAMODB_CHOICES:
            raise LocalAwsError(
                f"unknown DynamoDB choice {choice!r} (from {DYNAMODB_CHOICE_VARIABLE} or the dynamodb argument); "
                f"use one of {', '.join(DYNAMODB_CHOICES)}"
            )
        self.config = config
        self.in_memory = in_memory
        self.dynamodb = choice
        self.quick_start = in_memory if quick_start is None else quick_start
        self.on_failure = on_failure
        self.endpoints = Endpoints(dynamodb="", s3="", sts="", moto="", region=config.api.region)
        self.moto_server: MotoServer | None = None
        self.dynamodb_local: DynamoDBLocal | None = None
        self.local_kinesis: LocalKinesis | None = None
        self.s3_persistence: S3Persistence | None = None
        self.sqs_persistence: SqsPersistence | None = None
        self.queue_urls: dict[str, str] = {}  # the app's queues by name, once `start_storage` made them
        self.athena: LocalAthena | None = None
        self._athena_server: BackgroundServer | None = None
        self._started = False
        self._closed = False  # close() was called: nothing starts after it

    @property
    def persistent(self) -> bool:
        """Whether tables and uploads survive a restart (not in memory, and not moto's DynamoDB)."""
        return not self.in_memory and self.dynamodb == "local"

    @property
    def seed_marker(self) -> Path | None:
        """Where a finished seed is recorded, beside the tables it wrote (so deleting them seeds again);
        None when nothing persists, as every start then begins empty."""
        return self.config.data_dir / "dynamodb" / SEED_MARKER if self.persistent else None

    def trust(self, *keys: SigningKey) -> None:
        """Let the local S3, which verifies every request's signature, accept `keys` too (the local IAM user's,
        each function role's); the local dummy credentials and moto's IAM/STS keys are known already."""
        if self.moto_server is None:
            raise LocalAwsError("the local S3 has not started yet")
        self.moto_server.trust(*keys)

    def session(self) -> boto3.Session:
        """A boto3 session for the local services (dummy credentials, the app's region)."""
        return local_session(self.config.api.region)

    def __enter__(self) -> Self:
        try:
            self.launch()
            self.start_storage()
            self.start_tables()
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Save what moto holds (once everything had started: a half-restored S3 never overwrites the saved
        one) and stop every part; safe at any step of starting, and more than once."""
        self._closed = True
        try:
            if self._started:
                self.save()
        finally:
            self._started = False
            self._stop()

    def save(self) -> None:
        """Write what moto holds in memory (S3 objects, queued messages) to the data folder."""
        if self.s3_persistence is not None:
            self.s3_persistence.save()
        if self.sqs_persistence is not None:
            self.sqs_persistence.save()

    def launch(self) -> None:
        """Check for Java and Node, and spawn DynamoDB Local's JVM and kinesalite's Node without waiting for
        them: they boot, for seconds, while the caller goes on. DynamoDB Local's endpoint is known from here."""
        self._closed = False
        if self.dynamodb == "local":
            db_path = None if self.in_memory else self.config.data_dir / "dynamodb"
            self.dynamodb_local = DynamoDBLocal(
                self.config.root / JAR_DIR, db_path, quick_start=self.quick_start, on_failure=self.on_failure
            )
            self.dynamodb_local.check()  # no Java: say so before starting anything
        if self.config.streams:  # an app without streams never starts Node
            kinesis_path = None if self.in_memory else self.config.data_dir / "kinesis"
            self.local_kinesis = LocalKinesis(
                kinesalite_modules(self.config.root), kinesis_path, region=self.config.api.region
            )
            self.local_kinesis.check()  # no Node.js or no kinesalite: say so before starting anything
        if self.dynamodb_local is not None:
            self.endpoints.dynamodb = self.dynamodb_local.launch()
        if self.local_kinesis is not None:
            self.local_kinesis.launch()

    def start_storage(self) -> None:
        """Start moto's server, wait for kinesalite, restore S3 and the queued messages, create the buckets,
        queues, streams and senders, and start the local Athena: everything but the tables, which wait for
        DynamoDB Local. `endpoints` is complete from here (DynamoDB Local's may not answer yet)."""
        from appsync_local.local_aws.moto_server import MotoServer
        from appsync_local.local_aws.provision import provision_storage
        from appsync_local.local_aws.s3_persistence import S3Persistence
        from appsync_local.local_aws.sqs_persistence import SqsPersistence

        self.moto_server = MotoServer(region=self.config.api.region)
        moto = self.moto_server.start()
        kinesis = self.local_kinesis.start() if self.local_kinesis is not None else ""
        session = self.session()
        if not self.in_memory:
            self.s3_persistence = S3Persistence(self.config.data_dir / "s3", session, moto)
            self.s3_persistence.restore()
        self.endpoints = Endpoints(
            dynamodb=self.endpoints.dynamodb if self.dynamodb_local is not None else moto,
            s3=moto,
            sts=moto,
            moto=moto,
            kinesis=kinesis,
            region=self.config.api.region,
        )
        self.queue_urls = provision_storage(self.config, session, self.endpoints)
        if not self.in_memory:
            self.sqs_persistence = SqsPersistence(
                self.config.data_dir / "sqs", session, moto, self.config.api.region
            )
            self.sqs_persistence.restore()
        if self.config.analytics is not None:
            self._start_athena()

    def start_tables(self) -> None:
        """Wait until DynamoDB answers, and create the tables that are missing: every part runs from here."""
        from appsync_local.local_aws.provision import provision_tables

        # On its thread (`make run`), this may come after a stop during start-up has closed everything: it must
        # not launch DynamoDB Local again then.
        if self._closed:
            raise LocalAwsError("local AWS was stopped while starting")
        if self.dynamodb_local is not None:
            self.dynamodb_local.start()
        provision_tables(self.config, self.session(), self.endpoints)
        self._started = True

    def _start_athena(self) -> None:
        """The local Athena's endpoint; it is built, with DuckDB and sqlglot (a few hundred milliseconds of
        imports), when its first request comes."""
        from appsync_local.serving import BackgroundServer

        self._athena_server = BackgroundServer(_BuiltOnFirstRequest(self._build_athena)).start()
        self.endpoints.athena = self._athena_server.url

    def _build_athena(self) -> Any:
        from appsync_local.athena import LocalAthena, S3ObjectStore

        assert self.config.analytics is not None
        s3 = client(self.session(), "s3", self.endpoints.s3)
        self.athena = LocalAthena(self.config.analytics, S3ObjectStore(s3))
        return self.athena.app

    def _stop(self) -> None:
        if self._athena_server is not None:
            self._athena_server.stop()
            self._athena_server = None
        if self.athena is not None:
            self.athena.close()
            self.athena = None
        if self.local_kinesis is not None:
            self.local_kinesis.stop()
            self.local_kinesis = None
        if self.dynamodb_local is not None:
            self.dynamodb_local.stop()
            self.dynamodb_local = None
        if self.moto_server is not None:
            self.moto_server.stop()


class _BuiltOnFirstRequest:
    """An ASGI app that `build` makes when the first request comes (it answers the lifespan itself)."""

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build = build
        self._app: Any = None
        self._lock = threading.Lock()

    async def __call__(
        self, scope: dict[str, Any], receive: Callable[[], Any], send: Callable[[Any], Any]
    ) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if self._app is None:
            with self._lock:
                if self._app is None:
                    self._app = self._build()
        await self._app(scope, receive, send)
