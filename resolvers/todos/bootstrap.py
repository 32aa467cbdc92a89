"""The one place that wires adapters to services, from the environment the function runs with.

Configuration is read when a handler runs (never at import), and boto3 is imported only when the first
service that needs it is built, so importing the handler stays cheap and tests can import it freely.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from typing import Any

from resolvers.todos.domain.errors import ConfigurationError
from resolvers.todos.domain.file_service import FileService
from resolvers.todos.domain.profile_service import ProfileService
from resolvers.todos.domain.todo_service import TodoService

DEFAULT_UPLOAD_URL_TTL_SECONDS = 300
MAX_UPLOAD_URL_TTL_SECONDS = 7 * 24 * 3600  # SigV4 presigned URLs cannot outlive a week


@dataclass(frozen=True)
class Settings:
    """What the todos function needs from its environment."""

    todos_table: str
    users_table: str
    user_files_bucket: str
    upload_url_ttl_seconds: int
    region: str | None
    # The endpoint overrides are part of the settings so that a changed endpoint gets fresh clients.
    endpoint_overrides: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """Read and check the variables; a missing or malformed one is a ``ConfigurationError``."""

        def required(name: str) -> str:
            value = environ.get(name, "").strip()
            if not value:
                raise ConfigurationError(f"The environment variable {name} is not set")
            return value

        raw_ttl = environ.get("UPLOAD_URL_TTL_SECONDS", "").strip() or str(DEFAULT_UPLOAD_URL_TTL_SECONDS)
        try:
            ttl = int(raw_ttl)
        except ValueError:
            raise ConfigurationError(
                f"UPLOAD_URL_TTL_SECONDS must be a whole number of seconds, not {raw_ttl!r}"
            ) from None
        if not 1 <= ttl <= MAX_UPLOAD_URL_TTL_SECONDS:
            raise ConfigurationError(
                f"UPLOAD_URL_TTL_SECONDS must be between 1 and {MAX_UPLOAD_URL_TTL_SECONDS}"
            )
        return cls(
            todos_table=required("TODOS_TABLE"),
            users_table=required("USERS_TABLE"),
            user_files_bucket=required("USER_FILES_BUCKET"),
            upload_url_ttl_seconds=ttl,
            region=environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or None,
            endpoint_overrides=tuple(
                sorted((k, v) for k, v in environ.items() if k.startswith("AWS_ENDPOINT_URL"))
            ),
        )

    @property
    def s3_endpoint_configured(self) -> bool:
        """Whether S3 requests go to an endpoint other than AWS's own."""
        return any(name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3") for name, _ in self.endpoint_overrides)


def _now() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return str(uuid.uuid4())


class Services:
    """The services of the todos function, each built (with its AWS clients) the first time it is used.

    Parameters
    ----------
    settings
        The function's configuration.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def _session(self) -> Any:
        import boto3.session  # deferred: boto3 costs more to import than the rest of the handler

        return boto3.session.Session(region_name=self.settings.region)

    @cached_property
    def _dynamodb(self) -> Any:
        return self._session.resource("dynamodb")

    @cached_property
    def todos(self) -> TodoService:
        """Todos of the calling user."""
        from resolvers.todos.adapters.dynamodb_todos import DynamoDbTodoRepository

        repository = DynamoDbTodoRepository(self._dynamodb.Table(self.settings.todos_table))
        return TodoService(repository, clock=_now, new_id=_new_id)

    @cached_property
    def profiles(self) -> ProfileService:
        """User profiles."""
        from resolvers.todos.adapters.dynamodb_users import DynamoDbProfileRepository

        return ProfileService(
            DynamoDbProfileRepository(self._dynamodb.Table(self.settings.users_table)), clock=_now
        )

    @cached_property
    def files(self) -> FileService:
        """Presigned URLs in the user-files bucket."""
        from resolvers.todos.adapters.s3_file_urls import S3FileUrlSigner, s3_client

        client = s3_client(self._session, endpoint_configured=self.settings.s3_endpoint_configured)
        signer = S3FileUrlSigner(client, self.settings.user_files_bucket)
        return FileService(signer, clock=_now, url_ttl_seconds=self.settings.upload_url_ttl_seconds)


@lru_cache(maxsize=8)
def _services_for(settings: Settings) -> Services:
    # Reused across warm invocations; keyed by settings so a changed environment is honoured.
    return Services(settings)


def services(environ: Mapping[str, str] | None = None) -> Services:
    """The services for the current environment (``os.environ`` unless given)."""
    return _services_for(Settings.from_environ(os.environ if environ is None else environ))
