"""Every local AWS part an app needs, started and stopped together."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Self

import boto3

from appdef import AppConfig
from appsync_local.athena import LocalAthena, S3ObjectStore
from appsync_local.local_aws.dynamodb_local import DynamoDBLocal
from appsync_local.local_aws.endpoints import Endpoints, client, local_session
from appsync_local.local_aws.errors import LocalAwsError
from appsync_local.local_aws.local_kinesis import LocalKinesis, kinesalite_modules
from appsync_local.local_aws.moto_server import MotoServer
from appsync_local.local_aws.provision import provision_storage, provision_tables
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
        self.moto_server = MotoServer(region=config.api.region)
        self.dynamodb_local: DynamoDBLocal | None = None
        self.local_kinesis: LocalKinesis | None = None
        self.s3_persistence: S3Persistence | None = None
        self.sqs_persistence: SqsPersistence | None = None
        self.athena: LocalAthena | None = None
        self._athena_server: BackgroundServer | None = None

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
        self.moto_server.trust(*keys)

    def session(self) -> boto3.Session:
        """A boto3 session for the local services (dummy credentials, the app's region)."""
        return local_session(self.config.api.region)

    def __enter__(self) -> Self:
        try:
            self._start()
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        try:
            self.save()
        finally:
            self._stop()

    def save(self) -> None:
        """Write what moto holds in memory (S3 objects, queued messages) to the data folder."""
        if self.s3_persistence is not None:
            self.s3_persistence.save()
        if self.sqs_persistence is not None:
            self.sqs_persistence.save()

    def _start(self) -> None:
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
        # DynamoDB Local's JVM takes seconds to boot: it boots while moto, kinesalite, S3 and the queues start.
        if self.dynamodb_local is not None:
            self.dynamodb_local.launch()
        moto = self.moto_server.start()
        kinesis = self.local_kinesis.start() if self.local_kinesis is not None else ""
        session = self.session()
        if not self.in_memory:
            self.s3_persistence = S3Persistence(self.config.data_dir / "s3", session, moto)
            self.s3_persistence.restore()
        endpoints = Endpoints(
            dynamodb="", s3=moto, sts=moto, moto=moto, kinesis=kinesis, region=self.config.api.region
        )
        provision_storage(self.config, session, endpoints)
        dynamodb = self.dynamodb_local.start() if self.dynamodb_local is not None else moto
        self.endpoints = Endpoints(
            dynamodb=dynamodb, s3=moto, sts=moto, moto=moto, kinesis=kinesis, region=self.config.api.region
        )
        provision_tables(self.config, session, self.endpoints)
        if not self.in_memory:
            self.sqs_persistence = SqsPersistence(
                self.config.data_dir / "sqs", session, moto, self.config.api.region
            )
            self.sqs_persistence.restore()
        if self.config.analytics is not None:
            self._start_athena()

    def _start_athena(self) -> None:
        assert self.config.analytics is not None
        s3 = client(self.session(), "s3", self.endpoints.s3)
        self.athena = LocalAthena(self.config.analytics, S3ObjectStore(s3))
        self._athena_server = BackgroundServer(self.athena.app).start()
        self.endpoints.athena = self._athena_server.url

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
        self.moto_server.stop()
