"""Put secrets into the local Secrets Manager (moto's, in memory): created when missing, else given the value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def provision_secrets(secretsmanager: Any, values: Mapping[str, str], description: str = "") -> None:
    """Each secret name of `values` holds its value afterwards (a boto3 Secrets Manager client)."""
    for name, value in values.items():
        try:
            secretsmanager.put_secret_value(SecretId=name, SecretString=value)
        except secretsmanager.exceptions.ResourceNotFoundException:
            secretsmanager.create_secret(Name=name, SecretString=value, Description=description)
