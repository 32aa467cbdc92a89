"""The one place that wires the media adapters to its services, from the function's environment.

Configuration is read when a handler runs (never at import), and boto3, botocore's signer and cryptography are
imported only when a service is first built, so importing the handler stays cheap and tests can import it freely.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from typing import Any

from resolvers.media.domain.entitlement import Entitlements
from resolvers.media.domain.errors import ConfigurationError
from resolvers.media.domain.playback_service import PlaybackService
from resolvers.media.domain.ports import MediaCatalog, Purchases, Subscriptions
from resolvers.media.domain.premium_service import PremiumService
from resolvers.media.domain.upload_service import MediaUploadService

DEFAULT_PLAYBACK_URL_TTL_SECONDS = 300
MAX_PLAYBACK_URL_TTL_SECONDS = 7 * 24 * 3600
DEFAULT_UPLOAD_URL_TTL_SECONDS = 900
MAX_UPLOAD_URL_TTL_SECONDS = 7 * 24 * 3600  # SigV4 presigned requests cannot outlive a week
DEFAULT_MAX_MEDIA_BYTES = 1024**3
MAX_MEDIA_BYTES = 2**31 - 1  # Media.size is a GraphQL Int
# How long the signing key is kept before the secret is read again (a rotation reaches warm functions by then).
SIGNING_KEY_MAX_AGE_SECONDS = 300
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no", "")


@dataclass(frozen=True)
class Settings:
    """What the media function needs from its environment."""

    media_table: str
    premium_users_table: str
    purchases_table: str
    media_bucket: str
    cdn_base_url: str
    cdn_key_pair_id: str
    signing_key_secret: str
    playback_url_ttl_seconds: int
    bind_source_ip: bool
    upload_url_ttl_seconds: int
    max_media_bytes: int
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

        def whole_number(name: str, default: int, largest: int) -> int:
            raw = environ.get(name, "").strip() or str(default)
            try:
                value = int(raw)
            except ValueError:
                raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from None
            if not 1 <= value <= largest:
                raise ConfigurationError(f"{name} must be between 1 and {largest}")
            return value

        def switch(name: str) -> bool:
            raw = environ.get(name, "").strip().lower()
            if raw not in _TRUE + _FALSE:
                raise ConfigurationError(f"{name} must be true or false, not {raw!r}")
            return raw in _TRUE

        cdn_base_url = required("MEDIA_CDN_URL").rstrip("/")
        if not cdn_base_url.startswith(("https://", "http://")):
            raise ConfigurationError(f"MEDIA_CDN_URL must be the distribution's URL, not {cdn_base_url!r}")
        return cls(
            media_table=required("MEDIA_TABLE"),
            premium_users_table=required("PREMIUM_USERS_TABLE"),
            purchases_table=required("PURCHASES_TABLE"),
            media_bucket=required("MEDIA_BUCKET"),
            cdn_base_url=cdn_base_url,
            cdn_key_pair_id=required("CDN_KEY_PAIR_ID"),
            signing_key_secret=required("SIGNING_KEY_SECRET"),
            playback_url_ttl_seconds=whole_number(
                "PLAYBACK_URL_TTL_SECONDS", DEFAULT_PLAYBACK_URL_TTL_SECONDS, MAX_PLAYBACK_URL_TTL_SECONDS
            ),
            bind_source_ip=switch("PLAYBACK_URL_BIND_SOURCE_IP"),
            upload_url_ttl_seconds=whole_number(
                "UPLOAD_URL_TTL_SECONDS", DEFAULT_UPLOAD_URL_TTL_SECONDS, MAX_UPLOAD_URL_TTL_SECONDS
            ),
            max_media_bytes=whole_number("MAX_MEDIA_BYTES", DEFAULT_MAX_MEDIA_BYTES, MAX_MEDIA_BYTES),
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
    """The media function's services, each built (with its AWS clients) the first time it is used.

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
    def _catalog(self) -> MediaCatalog:
        from resolvers.media.adapters.dynamodb_media import DynamoDbMediaCatalog

        return DynamoDbMediaCatalog(self._dynamodb.Table(self.settings.media_table))

    @cached_property
    def _subscriptions(self) -> Subscriptions:
        from resolvers.media.adapters.dynamodb_premium import DynamoDbSubscriptions

        return DynamoDbSubscriptions(self._dynamodb.Table(self.settings.premium_users_table))

    @cached_property
    def _purchases(self) -> Purchases:
        from resolvers.media.adapters.dynamodb_premium import DynamoDbPurchases

        return DynamoDbPurchases(self._dynamodb.Table(self.settings.purchases_table))

    @cached_property
    def premium(self) -> PremiumService:
        """Subscriptions and purchases."""
        return PremiumService(self._subscriptions, self._purchases, self._catalog, clock=_now)

    @cached_property
    def playback(self) -> PlaybackService:
        """Signed playback URLs."""
        from aws_lambda_powertools.utilities.parameters import SecretsProvider

        from resolvers.media.adapters.cloudfront_signer import CloudFrontUrlSigner

        # Powertools Parameters caches the secret's value for max_age seconds across warm invocations.
        secrets = SecretsProvider(boto3_client=self._session.client("secretsmanager"))
        secret_name = self.settings.signing_key_secret

        def private_key_pem() -> str:
            value = secrets.get(secret_name, max_age=SIGNING_KEY_MAX_AGE_SECONDS)
            return value.decode() if isinstance(value, bytes) else str(value)

        return PlaybackService(
            self._catalog,
            Entitlements(self._subscriptions, self._purchases),
            CloudFrontUrlSigner(self.settings.cdn_key_pair_id, private_key_pem),
            clock=_now,
            cdn_base_url=self.settings.cdn_base_url,
            url_ttl_seconds=self.settings.playback_url_ttl_seconds,
            bind_source_ip=self.settings.bind_source_ip,
        )

    @cached_property
    def uploads(self) -> MediaUploadService:
        """Upload URLs for media files."""
        from resolvers.media.adapters.s3_presigned_put import S3PresignedPutSigner, s3_client

        client = s3_client(self._session, endpoint_configured=self.settings.s3_endpoint_configured)
        return MediaUploadService(
            self._catalog,
            S3PresignedPutSigner(client, self.settings.media_bucket),
            clock=_now,
            new_id=_new_id,
            max_bytes=self.settings.max_media_bytes,
            url_ttl_seconds=self.settings.upload_url_ttl_seconds,
        )


@lru_cache(maxsize=8)
def _services_for(settings: Settings) -> Services:
    # Reused across warm invocations; keyed by settings so a changed environment is honoured.
    return Services(settings)


def services(environ: Mapping[str, str] | None = None) -> Services:
    """The services for the current environment (``os.environ`` unless given)."""
    return _services_for(Settings.from_environ(os.environ if environ is None else environ))
