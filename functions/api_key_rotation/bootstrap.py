"""The one place that wires the rotation's adapters to its service, from the function's environment.

Configuration is read when the handler runs (never at import) and boto3 is imported only when the service is
built, so importing the handler stays cheap and tests can import it freely.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from functions.api_key_rotation.domain.errors import ConfigurationError
from functions.api_key_rotation.domain.models import RotationPolicy
from functions.api_key_rotation.domain.rotation import KeyRotation


@dataclass(frozen=True)
class Settings:
    """What the rotation needs from its environment."""

    api_id: str
    policy: RotationPolicy
    site_bucket: str
    site_config_key: str
    site_config_field: str
    region: str | None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """Read and check the variables; a missing or malformed one is a ``ConfigurationError``."""

        def required(name: str) -> str:
            value = environ.get(name, "").strip()
            if not value:
                raise ConfigurationError(f"The environment variable {name} is not set")
            return value

        def days(name: str) -> int:
            try:
                return int(required(name))
            except ValueError:
                raise ConfigurationError(f"{name} must be a whole number of days") from None

        return cls(
            api_id=required("API_ID"),
            policy=RotationPolicy(
                expiry_days=days("API_KEY_EXPIRY_DAYS"),
                renew_days=days("RENEW_DAYS_BEFORE_EXPIRY"),
                grace_days=days("GRACE_DAYS"),
            ),
            site_bucket=required("SITE_BUCKET"),
            site_config_key=required("SITE_CONFIG_KEY"),
            site_config_field=environ.get("SITE_CONFIG_FIELD", "").strip() or "apiKey",
            region=environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or None,
        )


def rotation(environ: Mapping[str, str] | None = None) -> KeyRotation:
    """The rotation for the current environment (``os.environ`` unless given)."""
    import boto3.session  # deferred: boto3 costs more to import than the rest of the handler

    from functions.api_key_rotation.adapters.appsync_keys import AppSyncApiKeys
    from functions.api_key_rotation.adapters.site_config import SiteConfigFile

    settings = Settings.from_environ(os.environ if environ is None else environ)
    session = boto3.session.Session(region_name=settings.region)
    return KeyRotation(
        AppSyncApiKeys(session.client("appsync"), settings.api_id),
        SiteConfigFile(
            session.client("s3"), settings.site_bucket, settings.site_config_key, settings.site_config_field
        ),
        settings.policy,
    )
