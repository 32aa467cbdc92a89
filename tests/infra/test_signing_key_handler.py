"""The custom resource that makes the CloudFront signing key in AWS: its private key goes only into the secret
(moto's Secrets Manager, in a process of its own), its public key comes back for CloudFront."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from appsync_local.local_aws.endpoints import client, local_session
from infra.custom_resources.cloudfront_key.handler import (
    PUBLIC_KEY_ATTRIBUTE,
    SigningKeyEvent,
    SigningKeyProperties,
    SigningKeyResponse,
    handle,
)
from tests.fixtures.moto_process import moto_process


@pytest.fixture(scope="module")
def secrets() -> Iterator[Any]:
    """A Secrets Manager client of a moto server that lives as long as this module's tests."""
    with moto_process() as endpoint:
        yield client(local_session("us-east-1"), "secretsmanager", endpoint)


@pytest.fixture
def secret_arn(secrets: Any, request: pytest.FixtureRequest) -> str:
    """A secret as the stack makes it: with no value until the custom resource puts the key in."""
    return str(secrets.create_secret(Name=f"signing-key-{request.node.name}")["ARN"])


def _properties(secret_arn: str, rotation: str = "") -> SigningKeyProperties:
    return {"SecretArn": secret_arn, "Rotation": rotation}


def _create(secrets: Any, secret_arn: str) -> SigningKeyResponse:
    return handle({"RequestType": "Create", "ResourceProperties": _properties(secret_arn)}, secrets)


def _update(physical_id: str, old: SigningKeyProperties, new: SigningKeyProperties) -> SigningKeyEvent:
    return {
        "RequestType": "Update",
        "PhysicalResourceId": physical_id,
        "ResourceProperties": new,
        "OldResourceProperties": old,
    }


def _private_key(secrets: Any, secret_arn: str) -> rsa.RSAPrivateKey:
    pem = secrets.get_secret_value(SecretId=secret_arn)["SecretString"]
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def _public_key(response: SigningKeyResponse) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(response["Data"][PUBLIC_KEY_ATTRIBUTE].encode())
    assert isinstance(key, rsa.RSAPublicKey)
    return key


def test_create_puts_the_private_key_into_the_secret_and_answers_with_its_public_key(
    secrets: Any, secret_arn: str
) -> None:
    # GIVEN the stack's secret, still without a value
    # WHEN CloudFormation creates the signing key
    response = _create(secrets, secret_arn)
    # THEN the secret holds an RSA 2048 private key, and the answer is its public key, as PEM for CloudFront
    private_key = _private_key(secrets, secret_arn)
    assert private_key.key_size == 2048
    public_pem = response["Data"][PUBLIC_KEY_ATTRIBUTE]
    assert public_pem.startswith("-----BEGIN PUBLIC KEY-----\n")
    assert _public_key(response).public_numbers() == private_key.public_key().public_numbers()
    # AND nothing private leaves the function: the answer (and CloudFormation's view of it) is public only
    assert "PRIVATE" not in str(response)


def test_an_update_with_the_same_rotation_keeps_the_key(secrets: Any, secret_arn: str) -> None:
    # GIVEN a signing key
    created = _create(secrets, secret_arn)
    version = secrets.get_secret_value(SecretId=secret_arn)["VersionId"]
    # WHEN the resource is updated without a new rotation (say its provider function was replaced)
    properties = _properties(secret_arn)
    updated = handle(_update(created["PhysicalResourceId"], properties, properties), secrets)
    # THEN it answers with the same key, and the secret is untouched
    assert updated == created
    assert secrets.get_secret_value(SecretId=secret_arn)["VersionId"] == version


def test_a_new_rotation_makes_a_new_key_pair(secrets: Any, secret_arn: str) -> None:
    # GIVEN a signing key
    created = _create(secrets, secret_arn)
    # WHEN the rotation property changes
    old, new = _properties(secret_arn), _properties(secret_arn, rotation="2026-06")
    rotated = handle(_update(created["PhysicalResourceId"], old, new), secrets)
    # THEN the answer is a new public key (a new id too), and the secret holds its private key
    assert rotated["PhysicalResourceId"] != created["PhysicalResourceId"]
    assert _public_key(rotated).public_numbers() != _public_key(created).public_numbers()
    assert (
        _private_key(secrets, secret_arn).public_key().public_numbers()
        == _public_key(rotated).public_numbers()
    )


def test_deleting_the_rotated_out_key_leaves_the_secret_alone(secrets: Any, secret_arn: str) -> None:
    # GIVEN a key rotated once: CloudFormation then deletes the old physical id
    created = _create(secrets, secret_arn)
    old, new = _properties(secret_arn), _properties(secret_arn, rotation="2")
    rotated = handle(_update(created["PhysicalResourceId"], old, new), secrets)
    version = secrets.get_secret_value(SecretId=secret_arn)["VersionId"]
    # WHEN the old one is deleted
    deleted = handle(
        {
            "RequestType": "Delete",
            "PhysicalResourceId": created["PhysicalResourceId"],
            "ResourceProperties": old,
        },
        secrets,
    )
    # THEN the secret still holds the rotated key
    assert deleted == {"PhysicalResourceId": created["PhysicalResourceId"]}
    assert secrets.get_secret_value(SecretId=secret_arn)["VersionId"] == version
    assert (
        _private_key(secrets, secret_arn).public_key().public_numbers()
        == _public_key(rotated).public_numbers()
    )
