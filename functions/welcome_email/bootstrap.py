"""The one place that wires the welcome e-mail's adapters to its service, from the function's environment.

Configuration is read when the handler runs (never at import) and boto3 is imported only when the first
service is built, so importing the handler stays cheap and tests can import it freely.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

from functions.welcome_email.domain.errors import ConfigurationError
from functions.welcome_email.domain.welcome_service import WelcomeService

if TYPE_CHECKING:
    from functions.welcome_email.adapters.idempotency import OncePerKey

# A stream record is retried for at most a day (the stream's retention); a week is ample to never send twice.
REMEMBER_WELCOMES_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class Settings:
    """What the welcome e-mail needs from its environment."""

    sender_email: str
    idempotency_table: str
    region: str | None
    # The endpoint overrides are part of the settings so that a changed endpoint gets fresh clients.
    endpoint_overrides: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """Read and check the variables; a missing one is a ``ConfigurationError``."""

        def required(name: str) -> str:
            value = environ.get(name, "").strip()
            if not value:
                raise ConfigurationError(f"The environment variable {name} is not set")
            return value

        return cls(
            sender_email=required("SENDER_EMAIL"),
            idempotency_table=required("IDEMPOTENCY_TABLE"),
            region=environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or None,
            endpoint_overrides=tuple(
                sorted((k, v) for k, v in environ.items() if k.startswith("AWS_ENDPOINT_URL"))
            ),
        )


class Services:
    """The welcome e-mail's service and idempotency, each built the first time it is used.

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
    def welcome(self) -> WelcomeService:
        """Sends welcome e-mails through SES v2."""
        from functions.welcome_email.adapters.ses_mailer import SesMailer

        return WelcomeService(SesMailer(self._session.client("sesv2")), sender=self.settings.sender_email)

    @cached_property
    def once_per_user(self) -> OncePerKey:
        """Runs a function of a user's dict at most once per user id (``OncePerKey``)."""
        from functions.welcome_email.adapters.idempotency import OncePerKey

        return OncePerKey(
            self.settings.idempotency_table,
            key_prefix="welcome-email",
            key_path="id",
            expires_after_seconds=REMEMBER_WELCOMES_SECONDS,
            client=self._session.client("dynamodb"),
        )


@lru_cache(maxsize=8)
def _services_for(settings: Settings) -> Services:
    # Reused across warm invocations; keyed by settings so a changed environment is honoured.
    return Services(settings)


def services(environ: Mapping[str, str] | None = None) -> Services:
    """The services for the current environment (``os.environ`` unless given)."""
    return _services_for(Settings.from_environ(os.environ if environ is None else environ))
